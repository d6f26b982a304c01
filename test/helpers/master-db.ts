import { loadSystemConfig } from '../../src/config/load';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';

/** Opens (and migrates) the database of a test master's config file, for seeding and assertions. */
export async function openTestDatabase(configFile: string): Promise<Database> {
  const { config } = await loadSystemConfig({ file: configFile, env: process.env, overrides: [] });
  const db = await openDatabase(config.db);
  await migrate(db);
  return db;
}

/** Inserts `n` fetched jobs (PandaID 1..n) with no lock. */
export async function seedJobs(db: Database, n: number): Promise<void> {
  for (let id = 1; id <= n; id++) {
    await db.sql.run(
      'INSERT INTO job_table (PandaID, status, subStatus, computingSite, currentPriority, creationTime, modificationTime) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, 'starting', 'fetched', 'TEST_QUEUE', 100, new Date(), new Date()],
    );
  }
}

/** lockedBy of every job row, by PandaID. */
export async function jobLocks(db: Database): Promise<Array<{ PandaID: number; lockedBy: string | null }>> {
  return db.sql.all<{ PandaID: number; lockedBy: string | null }>('SELECT PandaID, lockedBy FROM job_table ORDER BY PandaID');
}
