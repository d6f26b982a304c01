/**
 * The cacher's state as operators see it: every configured entry with its
 * status row and the age of the stored copy, plus status rows of entries no
 * longer configured (so a removed entry's last error does not vanish silently).
 */
import type { HarvesterConfig } from '../config/schema';
import type { SqlExecutor } from '../db/sql';
import { cacheEntries } from './entries';
import { redactUrl } from './redact';
import { emptyStatus, readAllStatuses, type CacheEntryStatus } from './status';
import { readStoredEntry } from './store';

export interface CacheEntryView extends CacheEntryStatus {
  readonly configured: boolean;
  /** cache_table.lastUpdate of the stored copy (ISO), null when nothing is stored. */
  readonly storedAt: string | null;
  /** `ok`: last attempt succeeded; `failing`: serving the last good copy (or nothing) after a failure; `never`: not fetched yet. */
  readonly state: 'ok' | 'failing' | 'never';
}

export async function cacheStatusView(sql: SqlExecutor, config: HarvesterConfig, env: NodeJS.ProcessEnv = process.env): Promise<CacheEntryView[]> {
  const statuses = await readAllStatuses(sql);
  const configured = cacheEntries(config.cacher.data, env).entries;
  const views: CacheEntryView[] = [];
  const seen = new Set<string>();
  const view = async (status: CacheEntryStatus, isConfigured: boolean): Promise<CacheEntryView> => {
    const stored = await readStoredEntry(sql, status.mainKey);
    const state = status.lastAttempt === null ? 'never' : status.consecutiveFailures > 0 ? 'failing' : 'ok';
    return { ...status, configured: isConfigured, storedAt: stored?.lastUpdate?.toISOString() ?? null, state };
  };
  for (const e of configured) {
    seen.add(e.mainKey);
    const status = statuses.get(e.mainKey) ?? emptyStatus(e.mainKey, e.subKey, redactUrl(e.url));
    // The configured URL is what matters now, even if the last attempt used another.
    views.push(await view({ ...status, source: redactUrl(e.url) }, true));
  }
  for (const [key, status] of statuses) if (!seen.has(key)) views.push(await view(status, false));
  return views;
}
