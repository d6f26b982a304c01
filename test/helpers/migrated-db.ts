import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import type { DbSettings } from '../../src/db/settings';

/**
 * Registers the suite hooks that open and migrate one database for a describe
 * block and close and clean it up afterwards; `onOpen` receives the database
 * (tests keep it in their own `let db`).
 */
export function useMigratedDatabase(
  settingsFor: () => DbSettings,
  cleanup: (s: DbSettings) => Promise<void>,
  onOpen: (db: Database) => void,
): void {
  let settings: DbSettings | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    settings = settingsFor();
    db = await openDatabase(settings);
    await migrate(db);
    onOpen(db);
  });
  afterAll(async () => {
    await db?.close();
    if (settings) await cleanup(settings);
  });
}
