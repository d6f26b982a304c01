/**
 * What the cacher keeps fresh: the `[cacher] data` lines of the original
 * (`mainKey|subKey|URL|dumpFile`, subKey and dumpFile optional) plus, when set,
 * `HARVESTER_QUEUE_CONFIG_URL` as the `queues_config_file` entry (the original
 * defined that variable but never read it).
 */
import { QUEUE_CONFIG_CACHE_KEY } from '../queue-config/cache-source';
import { QUEUE_CONFIG_URL_ENV } from '../queue-config/bootstrap';

export interface CacheEntry {
  readonly mainKey: string;
  readonly subKey: string | null;
  /** As configured; may hold credentials or `$VAR`, so never log it: use `redactUrl`. */
  readonly url: string;
  /** Optional JSON dump of the fetched value, written atomically after each successful refresh. */
  readonly dumpFile: string | null;
  /** Where the entry was defined, for messages. */
  readonly origin: 'cacher.data' | typeof QUEUE_CONFIG_URL_ENV;
}

export interface EntriesResult {
  readonly entries: readonly CacheEntry[];
  /** Lines that could not be used (fewer than 3 fields), with why. */
  readonly skipped: readonly string[];
}

/** `[cacher] data` may arrive as a list of lines or one multi-line string. */
function dataLines(data: unknown): string[] {
  if (Array.isArray(data)) return data.flatMap((d) => dataLines(d));
  if (typeof data !== 'string') return [];
  return data.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function cacheEntries(data: unknown, env: NodeJS.ProcessEnv = process.env): EntriesResult {
  const entries: CacheEntry[] = [];
  const skipped: string[] = [];
  for (const [i, line] of dataLines(data).entries()) {
    const items = line.split('|').map((s) => s.trim());
    const [mainKey, subKey, url, dumpFile] = items;
    if (items.length < 3 || !mainKey || !url) {
      // Only the key is shown: the URL part may carry credentials.
      skipped.push(`[cacher] data line ${i + 1} (mainKey ${JSON.stringify(mainKey ?? '')}): expected mainKey|subKey|URL[|dumpFile]`);
      continue;
    }
    entries.push({ mainKey, subKey: subKey || null, url, dumpFile: dumpFile || null, origin: 'cacher.data' });
  }
  const envUrl = env[QUEUE_CONFIG_URL_ENV]?.trim();
  if (envUrl) {
    // The environment overrides the config file everywhere else, so it wins here too; a dumpFile from the data line is kept.
    const i = entries.findIndex((e) => e.mainKey === QUEUE_CONFIG_CACHE_KEY);
    const fromEnv: CacheEntry = { mainKey: QUEUE_CONFIG_CACHE_KEY, subKey: null, url: envUrl, dumpFile: entries[i]?.dumpFile ?? null, origin: QUEUE_CONFIG_URL_ENV };
    if (i >= 0) entries[i] = fromEnv;
    else entries.push(fromEnv);
  }
  return { entries, skipped };
}

/**
 * The original's rule: a URL containing `$VAR` or `${VAR}` is replaced as a
 * whole by that variable's value (the system config loader has usually
 * substituted it already; this covers values it left alone).
 */
export function expandUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const m = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(url);
  if (!m) return url;
  const name = m[1] as string;
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`undefined environment variable ${name} in the cacher URL`);
  return value;
}
