/**
 * What the cache and `qconf refresh` commands share: the system config and an
 * open, migrated database for the length of one command, with config and
 * queue config errors reported as operator input (exit 2).
 */
import type { Command } from 'commander';
import { loadSystemConfig, type LoadedConfig } from '../config/load';
import { openDatabase, type Database } from '../db/connect';
import { migrate } from '../db/migrate';
import { globalOptions } from './main';

export async function withConfigAndDatabase(cmd: Command, fn: (loaded: LoadedConfig, db: Database) => Promise<number>): Promise<void> {
  const g = globalOptions(cmd);
  let db: Database | undefined;
  try {
    const loaded = await loadSystemConfig({ file: g.config, overrides: g.set });
    db = await openDatabase(loaded.config.db);
    await migrate(db);
    process.exitCode = await fn(loaded, db);
  } finally {
    await db?.close();
  }
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
