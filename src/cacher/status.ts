/**
 * The cacher's visible status, one cache_table row per entry (mainKey
 * `cacher_status:<mainKey>`), shared by every process on the database so
 * `harvester cache status` and `qconf list` show what the refreshing process
 * saw: when it last tried, last succeeded, and the last error with why.
 */
import { fromSqlDateTime } from '../db/dates';
import type { SqlExecutor } from '../db/sql';

export const STATUS_KEY_PREFIX = 'cacher_status:';

export interface CacheEntryStatus {
  readonly mainKey: string;
  readonly subKey: string | null;
  /** The source URL, credentials redacted. */
  readonly source: string;
  /** ISO timestamps (UTC). */
  readonly lastAttempt: string | null;
  readonly lastSuccess: string | null;
  /** When the stored content last changed (a refresh with equal content does not count). */
  readonly lastChange: string | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly consecutiveFailures: number;
  /** Checksum and size of the stored copy. */
  readonly checksum: string | null;
  readonly bytes: number | null;
  /** Owner id of the process that made the last attempt. */
  readonly attemptBy: string | null;
}

export function statusKey(mainKey: string): string {
  return `${STATUS_KEY_PREFIX}${mainKey}`;
}

export function emptyStatus(mainKey: string, subKey: string | null, source: string): CacheEntryStatus {
  return {
    mainKey, subKey, source, lastAttempt: null, lastSuccess: null, lastChange: null, lastError: null, lastErrorAt: null,
    consecutiveFailures: 0, checksum: null, bytes: null, attemptBy: null,
  };
}

function parseStatus(mainKey: string, data: string | Buffer | null): CacheEntryStatus | undefined {
  if (data === null) return undefined;
  try {
    const v = JSON.parse(data.toString()) as Partial<CacheEntryStatus>;
    return { ...emptyStatus(mainKey, null, ''), ...v, mainKey };
  } catch {
    return undefined; // a damaged status row is rewritten by the next attempt
  }
}

export async function readEntryStatus(sql: SqlExecutor, mainKey: string): Promise<CacheEntryStatus | undefined> {
  const rows = await sql.all<{ data: string | Buffer | null }>('SELECT data FROM cache_table WHERE mainKey = ?', [statusKey(mainKey)]);
  return rows[0] ? parseStatus(mainKey, rows[0].data) : undefined;
}

/** Every status row, by entry mainKey. */
export async function readAllStatuses(sql: SqlExecutor): Promise<Map<string, CacheEntryStatus>> {
  const rows = await sql.all<{ mainKey: string; data: string | Buffer | null }>('SELECT mainKey, data FROM cache_table WHERE mainKey LIKE ?', [`${STATUS_KEY_PREFIX}%`]);
  const out = new Map<string, CacheEntryStatus>();
  for (const r of rows) {
    if (!r.mainKey.startsWith(STATUS_KEY_PREFIX)) continue;
    const key = r.mainKey.slice(STATUS_KEY_PREFIX.length);
    const s = parseStatus(key, r.data);
    if (s) out.set(key, s);
  }
  return out;
}

export async function writeEntryStatus(sql: SqlExecutor, status: CacheEntryStatus, now: Date): Promise<void> {
  await sql.run('REPLACE INTO cache_table (mainKey, subKey, data, lastUpdate) VALUES (?, ?, ?, ?)', [
    statusKey(status.mainKey), status.subKey, JSON.stringify(status), now,
  ]);
}
