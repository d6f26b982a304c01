import type { Command } from 'commander';
import { loadSystemConfig } from '../../config/load';
import { openDatabase, type Database } from '../../db/connect';
import { migrate } from '../../db/migrate';
import {
  QueueConfigError, QueueConfigMapper, collectQueueConfigSources, defaultPluginChecker, formatProblem, loadQueueConfigFiles,
  qconfSettingsFrom, type Origin, type Problem, type QueueConfig,
} from '../../queue-config';
import { cacheEntries } from '../../cacher/entries';
import { refreshCache } from '../../cacher/refresh';
import { cacheStatusView, type CacheEntryView } from '../../cacher/status-view';
import { ownerId } from '../../db/owner';
import { createLogger } from '../../log';
import { QUEUE_CONFIG_CACHE_KEY } from '../../queue-config/cache-source';
import { usesRemoteQueueConfig } from '../../queue-config/bootstrap';
import { withConfigAndDatabase } from '../cache-context';
import { EXIT_USAGE, globalOptions } from '../main';
import { renderReport } from './cache';

/**
 * `harvester qconf list|show|validate`: the queue configuration as the daemon
 * resolves it. list/show load the system config, the local queue config file
 * and (when configured) the cached remote copy, with configIDs from the
 * database unless --no-db; validate is a dry run of files, no database.
 */
export function register(program: Command): void {
  const qconf = program.command('qconf').description('queue configuration (panda_queueconfig.json)');

  qconf
    .command('list')
    .description('list queues with status (active, offline, not-listed, broken + why) and configID')
    .option('--no-db', 'do not open the database (no configIDs, no remote copy from the cache)')
    .option('--no-plugins', 'skip the plugin factory checks')
    .option('--json', 'print JSON')
    .action(async (opts: { db: boolean; plugins: boolean; json?: boolean }, cmd: Command) => {
      await withMapper(cmd, opts, async (mapper, remote) => {
        const status = mapper.status();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ sources: status.sources, queues: status.queues.map(({ problems: _p, ...q }) => q), remote: remote ?? null }, null, 2)}\n`);
          return 0;
        }
        const rows = status.queues.map((q) => [q.queueName, q.state, q.configID === null ? '-' : String(q.configID), q.reason ?? '']);
        process.stdout.write(table([['QUEUE', 'STATUS', 'CONFIGID', 'WHY'], ...rows]));
        for (const s of status.sources) if (!s.ok) process.stdout.write(`source ${s.label}: ${s.error}\n`);
        if (remote) process.stdout.write(remoteLine(remote));
        return 0;
      });
    });

  qconf
    .command('show')
    .argument('<queue>', 'queue name')
    .description('show the resolved config of a queue with the origin of each value (default, template, common, file, remote, derived)')
    .option('--no-db', 'do not open the database (no configID, no remote copy from the cache)')
    .option('--no-plugins', 'skip the plugin factory checks')
    .option('--json', 'print JSON: {config, origins}')
    .action(async (queue: string, opts: { db: boolean; plugins: boolean; json?: boolean }, cmd: Command) => {
      await withMapper(cmd, opts, async (mapper) => {
        const entry = mapper.status().queues.find((q) => q.queueName === queue);
        if (!entry) {
          const known = mapper.status().queues.map((q) => q.queueName);
          process.stderr.write(`harvester: no queue "${queue}" in the queue config (queues: ${known.join(', ') || 'none'})\n`);
          return EXIT_USAGE;
        }
        const config = mapper.getQueue(queue);
        if (!config) {
          process.stdout.write(`${queue}: broken\n${entry.problems.map((p) => `  - ${formatProblem(p)}\n`).join('')}`);
          return EXIT_USAGE;
        }
        const origins = mapper.getOrigins(queue) ?? new Map<string, Origin>();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ status: entry.state, reason: entry.reason, config, origins: Object.fromEntries(origins) }, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(renderShow(config, origins, entry.state, entry.reason, entry.problems));
        return 0;
      });
    });

  qconf
    .command('refresh')
    .description('fetch the remote queue config now in this process (forced cacher pass for queues_config_file, no lock), '
      + 'validate and store it, and show what changed; running processes reload within [qconf] checkInterval. Exit 1 when the fetch or check failed')
    .option('--no-plugins', 'skip the plugin factory checks')
    .action(async (opts: { plugins: boolean }, cmd: Command) => {
      await withConfigAndDatabase(cmd, async ({ config, file }, db) => {
        if (!cacheEntries(config.cacher.data).entries.some((e) => e.mainKey === QUEUE_CONFIG_CACHE_KEY)) {
          process.stdout.write(`no remote queue config configured (set HARVESTER_QUEUE_CONFIG_URL or a [cacher] data line ${QUEUE_CONFIG_CACHE_KEY}||URL); nothing to refresh\n`);
          return 0;
        }
        const settings = qconfSettingsFrom(config.qconf);
        const checkPlugin = opts.plugins ? defaultPluginChecker() : undefined;
        const sourcesOpts = { settings, systemConfigFile: file, sql: db.sql };
        // The config as processes serve it now, to report what the refresh changes.
        const mapper = new QueueConfigMapper({ settings, sql: db.sql, checkPlugin });
        await mapper.load([]);
        await mapper.load(await collectQueueConfigSources(sourcesOpts));
        // The report below carries every outcome and error; log lines would only interleave with it.
        const log = createLogger({ level: 'silent', name: 'harvester' });
        const report = await refreshCache({
          sql: db.sql, config, systemConfigFile: file, log, owner: ownerId('cacher', 'cli'), force: true, skipLock: true,
          only: [QUEUE_CONFIG_CACHE_KEY], ...(checkPlugin ? { checkPlugin } : {}),
        });
        await new Promise<void>((resolve) => log.flush(() => resolve()));
        process.stdout.write(renderReport(report.entries));
        if (!usesRemoteQueueConfig(settings)) {
          process.stdout.write('note: [qconf] configFromCacher is False and HARVESTER_QUEUE_CONFIG_URL is unset: processes do not use the cached copy\n');
        }
        const after = await mapper.load(await collectQueueConfigSources(sourcesOpts));
        const ids = (names: readonly string[]): string => names.map((n) => `${n} (configID ${mapper.getQueue(n)?.configID ?? '-'})`).join(', ') || 'none';
        process.stdout.write(`queues added: ${ids(after.added)}; changed: ${ids(after.changed)}; removed: ${after.removed.join(', ') || 'none'}; broken: ${after.broken.join(', ') || 'none'}\n`);
        process.stdout.write(`running processes reload within ${settings.checkInterval} s ([qconf] checkInterval)\n`);
        return report.entries.some((e) => e.outcome === 'failed') ? 1 : 0;
      });
    });

  qconf
    .command('validate')
    .argument('<file>', 'queue config file (panda_queueconfig.json layout)')
    .description('dry-run a queue config file before deploying it (no database): exit 0 when good, 2 with every problem')
    .option('--remote <file>', 'also apply this file as the remote config (remote wins where both set a value)')
    .option('--no-plugins', 'skip the plugin factory checks (module lookup, constructor attributes)')
    .action(async (file: string, opts: { remote?: string; plugins: boolean }) => {
      const files: { path: string; kind: 'file' | 'remote' }[] = [{ path: file, kind: 'file' }];
      if (opts.remote) files.push({ path: opts.remote, kind: 'remote' });
      const result = await loadQueueConfigFiles(files, { checkPlugin: opts.plugins ? defaultPluginChecker() : undefined });
      const errors = result.problems.filter((p) => p.severity === 'error');
      for (const p of result.problems) process.stderr.write(`${formatProblem(p)}\n`);
      const queues = [...result.queues.values()];
      const good = queues.filter((q) => q.ok).map((q) => q.queueName);
      const broken = queues.filter((q) => !q.ok).map((q) => q.queueName);
      if (errors.length) {
        process.stderr.write(`${file}: ${errors.length} error(s); broken queues: ${broken.join(', ') || 'none'}; good: ${good.join(', ') || 'none'}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      process.stdout.write(`${file}: OK — ${good.length} queue(s) (${good.join(', ')}), ${result.templates.length} template(s)${opts.plugins ? '' : ', plugins not checked'}\n`);
    });
}

async function withMapper(
  cmd: Command,
  opts: { db: boolean; plugins: boolean },
  fn: (mapper: QueueConfigMapper, remote: CacheEntryView | undefined) => Promise<number>,
): Promise<void> {
  const g = globalOptions(cmd);
  let db: Database | undefined;
  try {
    const loaded = await loadSystemConfig({ file: g.config, overrides: g.set });
    const settings = qconfSettingsFrom(loaded.config.qconf);
    if (opts.db) {
      db = await openDatabase(loaded.config.db);
      await migrate(db);
    }
    const mapper = new QueueConfigMapper({ settings, sql: db?.sql, checkPlugin: opts.plugins ? defaultPluginChecker() : undefined });
    const sources = await collectQueueConfigSources({ settings, systemConfigFile: loaded.file, sql: db?.sql });
    if (sources.length === 0) throw new QueueConfigError('queue config: [qconf] configFile is not set and there is no remote copy', []);
    // A CLI view must show broken queues, not stop at them: load as a reload would (after an empty first load).
    await mapper.load([]);
    await mapper.load(sources);
    const remote = db ? (await cacheStatusView(db.sql, loaded.config)).find((v) => v.mainKey === QUEUE_CONFIG_CACHE_KEY) : undefined;
    process.exitCode = await fn(mapper, remote);
  } finally {
    await db?.close();
  }
}

function remoteLine(v: CacheEntryView): string {
  const last = v.lastSuccess ? `last success ${v.lastSuccess}` : 'never fetched successfully';
  const err = v.state === 'failing' && v.lastError ? `; FAILING since ${v.consecutiveFailures} attempt(s), last error ${v.lastErrorAt}: ${v.lastError} (serving the last good copy)` : '';
  return `remote ${v.source} (cache ${v.mainKey}): ${v.state}, ${last}${err}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

function originText(o: Origin | undefined): string {
  if (!o) return 'default';
  if (o.kind === 'template') return `template ${o.template} (${o.source})`;
  return o.source ? `${o.kind} ${o.source}` : o.kind;
}

function renderShow(config: QueueConfig, origins: ReadonlyMap<string, Origin>, state: string, reason: string | undefined, problems: readonly Problem[]): string {
  const lines: string[] = [`${config.queueName}  status: ${state}${reason ? ` (${reason})` : ''}  configID: ${config.configID ?? '-'}`];
  const scalar: [string, unknown][] = [];
  const sections: [string, Record<string, unknown>][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && key !== 'prodSourceLabelRandomWeightsPermille' && key !== 'getJobCriteria' && key !== 'resource') {
      sections.push([key, value as Record<string, unknown>]);
    } else if (Array.isArray(value) && (key === 'credmanagers' || key === 'file_syncer')) {
      value.forEach((item, i) => sections.push([`${key}[${i}]`, item as Record<string, unknown>]));
    } else {
      scalar.push([key, value]);
    }
  }
  const width = Math.max(...scalar.map(([k]) => k.length));
  for (const [key, value] of scalar) lines.push(`  ${key.padEnd(width)} = ${JSON.stringify(value)}  [${originText(origins.get(key))}]`);
  for (const [name, section] of sections) {
    const base = name.replace(/\[\d+\]$/, '');
    lines.push(`  ${name}:`);
    for (const [k, v] of Object.entries(section)) {
      lines.push(`    ${k} = ${JSON.stringify(v)}  [${originText(origins.get(`${base}.${k}`) ?? origins.get(base))}]`);
    }
  }
  const common = Object.keys(config.common);
  if (common.length) lines.push(`  (common keys ${common.join(', ')} apply to each plugin that declares them and does not set them)`);
  for (const p of problems) lines.push(`  ${formatProblem(p)}`);
  return `${lines.join('\n')}\n`;
}
