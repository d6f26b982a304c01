/**
 * cache_table access for the cacher: the stored copy of each entry (JSON text
 * in `data`, as the original's `refresh_cache` json-dumps it) and its age, plus
 * the optional dump file, written atomically so a reader never sees half of it.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fromSqlDateTime } from '../db/dates';
import type { SqlExecutor } from '../db/sql';

export interface StoredEntry {
  readonly data: string | null;
  readonly lastUpdate: Date | null;
}

export async function readStoredEntry(sql: SqlExecutor, mainKey: string): Promise<StoredEntry | undefined> {
  const rows = await sql.all<{ data: string | Buffer | null; lastUpdate: unknown }>('SELECT data, lastUpdate FROM cache_table WHERE mainKey = ?', [mainKey]);
  const row = rows[0];
  if (!row) return undefined;
  return { data: row.data === null ? null : row.data.toString(), lastUpdate: fromSqlDateTime(row.lastUpdate) };
}

/** Upsert (REPLACE works on both sqlite and MariaDB; cache_table's key is mainKey). */
export async function writeStoredEntry(sql: SqlExecutor, mainKey: string, subKey: string | null, data: string, now: Date): Promise<void> {
  await sql.run('REPLACE INTO cache_table (mainKey, subKey, data, lastUpdate) VALUES (?, ?, ?, ?)', [mainKey, subKey, data, now]);
}

/** Short content hash: tells "refreshed, same content" from "changed" in status and logs. */
export function contentChecksum(data: string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

export async function writeDumpFile(file: string, data: string): Promise<void> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, target);
}
