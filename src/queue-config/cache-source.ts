/**
 * The remote queue config as the cacher leaves it: a `cache_table` row (key
 * `queues_config_file`, as in the original) whose `data` holds the fetched JSON.
 * Read straight from the database — never from a per-process copy — so every
 * process sees what the one refreshing process stored (the original's
 * `from_local_cache=False` for the mapper).
 */
import type { SqlExecutor } from '../db/sql';
import { sourceFromDocument } from './sources';
import type { SourceInput } from './types';

export const QUEUE_CONFIG_CACHE_KEY = 'queues_config_file';

export interface CachedSource {
  readonly source: SourceInput;
  /** cache_table.lastUpdate as stored (naive UTC text on sqlite). */
  readonly lastUpdate: string | null;
}

/** The cached remote config, or undefined when the cacher has stored none yet. */
export async function readCachedQueueConfig(
  sql: SqlExecutor,
  label: string,
  mainKey: string = QUEUE_CONFIG_CACHE_KEY,
): Promise<CachedSource | undefined> {
  const rows = await sql.all<{ data: string | Buffer | null; lastUpdate: unknown }>(
    'SELECT data, lastUpdate FROM cache_table WHERE mainKey = ?',
    [mainKey],
  );
  const row = rows[0];
  if (!row || row.data === null) return undefined;
  const lastUpdate = row.lastUpdate === null || row.lastUpdate === undefined ? null
    : row.lastUpdate instanceof Date ? row.lastUpdate.toISOString() : String(row.lastUpdate);
  let doc: unknown;
  try {
    doc = JSON.parse(row.data.toString());
  } catch {
    // Stored as raw text rather than JSON-encoded: let the parser report where it breaks.
    doc = row.data.toString();
  }
  return { source: sourceFromDocument(`${label} (cache_table ${mainKey})`, 'remote', doc), lastUpdate };
}
