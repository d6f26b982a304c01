import type { Command } from 'commander';
import { refreshCache, type EntryReport } from '../../cacher/refresh';
import { cacheStatusView, type CacheEntryView } from '../../cacher/status-view';
import { ownerId } from '../../db/owner';
import { createLogger } from '../../log';
import { table, withConfigAndDatabase } from '../cache-context';

/**
 * `harvester cache status|refresh`: the cacher's entries (`[cacher] data`,
 * HARVESTER_QUEUE_CONFIG_URL) as stored in the database every process shares.
 */
export function register(program: Command): void {
  const cache = program.command('cache').description('cached external data (the cacher agent: [cacher] data, HARVESTER_QUEUE_CONFIG_URL)');

  cache
    .command('status')
    .description('per entry: source, last attempt, last success, consecutive failures and the last error')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withConfigAndDatabase(cmd, async ({ config }, db) => {
        const views = await cacheStatusView(db.sql, config);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(views, null, 2)}\n`);
          return 0;
        }
        if (views.length === 0) {
          process.stdout.write('no cache entries configured ([cacher] data is empty and HARVESTER_QUEUE_CONFIG_URL is unset)\n');
          return 0;
        }
        process.stdout.write(renderStatus(views));
        return 0;
      });
    });

  cache
    .command('refresh')
    .argument('[keys...]', 'mainKeys to refresh (default: every entry)')
    .description('fetch entries now in this process (forced, ignoring refreshInterval and the cacher lock); exit 1 if one failed')
    .action(async (keys: string[], _opts: unknown, cmd: Command) => {
      await withConfigAndDatabase(cmd, async ({ config, file }, db) => {
        // The report below carries every outcome and error; log lines would only interleave with it.
        const log = createLogger({ level: 'silent', name: 'harvester' });
        const report = await refreshCache({
          sql: db.sql, config, systemConfigFile: file, log, owner: ownerId('cacher', 'cli'), force: true, skipLock: true,
          ...(keys.length ? { only: keys } : {}),
        });
        await new Promise<void>((resolve) => log.flush(() => resolve()));
        if (report.entries.length === 0) {
          process.stdout.write(keys.length ? `no configured cache entry named ${keys.join(', ')}\n` : 'no cache entries configured\n');
          return keys.length ? 2 : 0;
        }
        process.stdout.write(renderReport(report.entries));
        return report.entries.some((e) => e.outcome === 'failed') ? 1 : 0;
      });
    });
}

export function renderReport(entries: readonly EntryReport[]): string {
  return table([
    ['KEY', 'OUTCOME', 'SOURCE', 'DETAIL'],
    ...entries.map((e) => [e.mainKey, e.outcome, e.source, e.error ?? (e.checksum ? `checksum ${e.checksum}` : '')]),
  ]);
}

function renderStatus(views: readonly CacheEntryView[]): string {
  const lines = table([
    ['KEY', 'STATE', 'LAST SUCCESS', 'LAST ATTEMPT', 'FAILURES', 'SOURCE'],
    ...views.map((v) => [
      v.mainKey + (v.configured ? '' : ' (not configured)'), v.state, v.lastSuccess ?? '-', v.lastAttempt ?? '-', String(v.consecutiveFailures), v.source,
    ]),
  ]);
  const errors = views.filter((v) => v.lastError).map((v) => `${v.mainKey}: last error ${v.lastErrorAt ?? ''}: ${v.lastError}\n`);
  return lines + errors.join('');
}
