/**
 * One cacher pass (the original's `Cacher.execute`): under the process lock
 * `cacher` (interval = [cacher] sleepTime, so one process of many refreshes
 * per interval), every entry older than `refreshInterval` minutes — or every
 * entry when forced — is fetched, checked and stored. A failed fetch or an
 * invalid queue config never replaces the stored copy: it is logged, filed as
 * a dialog message and recorded in the entry's status row.
 */
import type { HarvesterConfig } from '../config/schema';
import { getProcessLock } from '../db/process-lock';
import type { SqlExecutor } from '../db/sql';
import type { Logger } from '../log';
import { addDialogMessage } from '../db/repo/dialogs';
import { QUEUE_CONFIG_CACHE_KEY } from '../queue-config/cache-source';
import type { PluginChecker } from '../queue-config/validate';
import { checkRemoteQueueConfig } from './check-queue-config';
import { cacheEntries, expandUrl, type CacheEntry } from './entries';
import { fetchSource, type FetchResult } from './fetch';
import { redactText, redactUrl } from './redact';
import { emptyStatus, readEntryStatus, writeEntryStatus, type CacheEntryStatus } from './status';
import { contentChecksum, readStoredEntry, writeDumpFile, writeStoredEntry } from './store';

export const CACHER_LOCK = 'cacher';

export interface RefreshOptions {
  readonly sql: SqlExecutor;
  readonly config: HarvesterConfig;
  /** The system config file (resolves a relative `[qconf] configFile` for the queue config check). */
  readonly systemConfigFile?: string;
  readonly log: Logger;
  /** Lock owner and status `attemptBy`. */
  readonly owner: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Refresh every entry regardless of age (startup, `qconf refresh`). */
  readonly force?: boolean;
  /** Do not take the process lock (startup and operator-forced refreshes, as the original). */
  readonly skipLock?: boolean;
  /** Only these mainKeys. */
  readonly only?: readonly string[];
  /** Plugin factory check for the queue config dry run; default: the real factory. */
  readonly checkPlugin?: PluginChecker;
  readonly fetchTimeoutMs?: number;
}

export type EntryOutcome = 'changed' | 'unchanged' | 'not-due' | 'failed';

export interface EntryReport {
  readonly mainKey: string;
  /** Redacted URL. */
  readonly source: string;
  readonly outcome: EntryOutcome;
  readonly error?: string;
  readonly checksum?: string;
}

export interface RefreshReport {
  /** False when another process holds the `cacher` lock for this interval (nothing was fetched). */
  readonly ran: boolean;
  readonly entries: readonly EntryReport[];
  /** `[cacher] data` lines that could not be used. */
  readonly skippedLines: readonly string[];
}

export async function refreshCache(opts: RefreshOptions): Promise<RefreshReport> {
  const env = opts.env ?? process.env;
  const { entries: all, skipped: skippedLines } = cacheEntries(opts.config.cacher.data, env);
  for (const s of skippedLines) opts.log.warn(s);
  const entries = opts.only ? all.filter((e) => opts.only?.includes(e.mainKey)) : all;
  if (entries.length === 0) return { ran: true, entries: [], skippedLines };
  if (!opts.skipLock) {
    const locked = await getProcessLock(opts.sql, CACHER_LOCK, opts.owner, Math.max(0, opts.config.cacher.sleepTime));
    if (!locked) {
      opts.log.debug('cacher lock held by another process for this interval; skipping');
      return { ran: false, entries: [], skippedLines };
    }
  }
  const reports: EntryReport[] = [];
  // One at a time, as the original: entries are few and a slow source must not hold many connections.
  for (const entry of entries) reports.push(await refreshEntry(entry, opts, env));
  return { ran: true, entries: reports, skippedLines };
}

async function refreshEntry(entry: CacheEntry, opts: RefreshOptions, env: NodeJS.ProcessEnv): Promise<EntryReport> {
  const { sql, log } = opts;
  const source = redactUrl(entry.url);
  const now = new Date();
  const stored = await readStoredEntry(sql, entry.mainKey);
  const refreshMs = Math.max(0, opts.config.cacher.refreshInterval) * 60_000;
  if (!opts.force && stored?.lastUpdate && now.getTime() - stored.lastUpdate.getTime() < refreshMs) {
    return { mainKey: entry.mainKey, source, outcome: 'not-due' };
  }
  const previous = (await readEntryStatus(sql, entry.mainKey)) ?? emptyStatus(entry.mainKey, entry.subKey, source);
  const attempt = { ...previous, subKey: entry.subKey, source, lastAttempt: now.toISOString(), attemptBy: opts.owner };

  const result = await fetchAndCheck(entry, opts, env, source);
  if (!result.ok) {
    await recordFailure(entry, opts, attempt, previous, result.error, now);
    return { mainKey: entry.mainKey, source, outcome: 'failed', error: result.error };
  }
  const data = JSON.stringify(result.value);
  const checksum = contentChecksum(data);
  const changed = stored?.data === null || stored?.data === undefined || contentChecksum(stored.data) !== checksum;
  await writeStoredEntry(sql, entry.mainKey, entry.subKey, data, now);
  let dumpError: string | undefined;
  if (entry.dumpFile) {
    try {
      await writeDumpFile(entry.dumpFile, data);
    } catch (err) {
      // The database copy is what processes read; a failed dump file is reported, not fatal.
      dumpError = `cannot write dump file ${entry.dumpFile}: ${(err as Error).message}`;
      log.warn({ mainKey: entry.mainKey, dumpFile: entry.dumpFile, err }, dumpError);
    }
  }
  await writeEntryStatus(sql, {
    ...attempt,
    lastSuccess: now.toISOString(),
    lastChange: changed ? now.toISOString() : previous.lastChange,
    lastError: dumpError ?? null,
    lastErrorAt: dumpError ? now.toISOString() : null,
    consecutiveFailures: 0,
    checksum,
    bytes: Buffer.byteLength(data),
  }, now);
  log[changed ? 'info' : 'debug']({ mainKey: entry.mainKey, source, checksum, bytes: Buffer.byteLength(data), changed }, changed ? 'cache entry updated' : 'cache entry refreshed (unchanged)');
  return { mainKey: entry.mainKey, source, outcome: changed ? 'changed' : 'unchanged', checksum };
}

async function fetchAndCheck(entry: CacheEntry, opts: RefreshOptions, env: NodeJS.ProcessEnv, source: string): Promise<FetchResult> {
  let url: string;
  try {
    url = expandUrl(entry.url, env);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const tls = opts.config.pandacon;
  const fetched = await fetchSource(url, {
    ...(opts.fetchTimeoutMs !== undefined ? { timeoutMs: opts.fetchTimeoutMs } : {}),
    tls: { certFile: tls.cert_file || undefined, keyFile: tls.key_file || undefined, caFile: tls.ca_cert || undefined },
    userAgent: `harvester-cacher pid=${process.pid}`,
  });
  if (!fetched.ok || entry.mainKey !== QUEUE_CONFIG_CACHE_KEY) return fetched;
  try {
    const check = await checkRemoteQueueConfig(source, fetched.value, {
      qconf: opts.config.qconf, systemConfigFile: opts.systemConfigFile, env,
      ...(opts.checkPlugin ? { checkPlugin: opts.checkPlugin } : { checkPlugin: await defaultChecker() }),
    });
    return check.ok ? fetched : { ok: false, error: check.error };
  } catch (err) {
    return { ok: false, error: `queue config check failed: ${redactText((err as Error).message)}` };
  }
}

/** Loaded lazily: the plugin factory is only needed when a queue config is fetched. */
async function defaultChecker(): Promise<PluginChecker> {
  const { defaultPluginChecker } = await import('../queue-config/plugin-check');
  return defaultPluginChecker();
}

async function recordFailure(
  entry: CacheEntry, opts: RefreshOptions, attempt: CacheEntryStatus, previous: CacheEntryStatus, error: string, now: Date,
): Promise<void> {
  const { sql, log } = opts;
  const kept = previous.lastSuccess ? `keeping the copy from ${previous.lastSuccess}` : 'no good copy stored yet';
  log.error({ mainKey: entry.mainKey, source: attempt.source, error, lastSuccess: previous.lastSuccess }, `cache entry refresh failed; ${kept}`);
  await writeEntryStatus(sql, { ...attempt, lastError: error, lastErrorAt: now.toISOString(), consecutiveFailures: previous.consecutiveFailures + 1 }, now);
  // One dialog per new problem, not one per cycle: a source down for an hour would otherwise flood PanDA.
  if (previous.consecutiveFailures > 0 && previous.lastError === error) return;
  try {
    await addDialogMessage(sql, {
      moduleName: 'cacher', identifier: entry.mainKey, level: 'ERROR',
      message: `cache entry ${entry.mainKey} from ${attempt.source}: ${error}; ${kept}`,
    }, now);
  } catch (err) {
    log.warn({ err, mainKey: entry.mainKey }, 'could not insert the dialog message for a failed cache refresh');
  }
}
