/**
 * The queue config of a Harvester process (master or `agent NAME --once`):
 * optionally the original's synchronous first cacher pass (forced, no lock),
 * then the mapper's first load — which throws QueueConfigError on a broken
 * local file, stopping startup — and a reload watcher the master starts.
 */
import { cacheEntries } from './cacher/entries';
import { refreshCache } from './cacher/refresh';
import type { HarvesterConfig } from './config/schema';
import type { Database } from './db/connect';
import { ownerId } from './db/owner';
import type { Logger } from './log';
import { collectQueueConfigSources, createQueueConfigMapper, usesRemoteQueueConfig } from './queue-config/bootstrap';
import type { QueueConfigMapper } from './queue-config/mapper';
import { QueueConfigReloadWatcher, readQueueConfigStamp } from './queue-config/reload-watcher';
import { qconfSettingsFrom } from './queue-config/settings';

export interface ProcessQueueConfigOptions {
  readonly db: Database;
  readonly config: HarvesterConfig;
  readonly configFile?: string;
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Refresh every cacher entry before the first load (the master's start, as the original). */
  readonly cacherFirst: boolean;
}

export interface ProcessQueueConfig {
  readonly mapper: QueueConfigMapper;
  /** Not started: the caller starts it when it runs continuously. */
  readonly watcher: QueueConfigReloadWatcher;
}

export async function setUpQueueConfig(opts: ProcessQueueConfigOptions): Promise<ProcessQueueConfig> {
  const env = opts.env ?? process.env;
  const { db, config, log } = opts;
  if (opts.cacherFirst && cacheEntries(config.cacher.data, env).entries.length > 0) {
    const cacherLog = log.child({ agent: 'cacher', thread: 'startup' });
    const report = await refreshCache({
      sql: db.sql, config, log: cacherLog, owner: ownerId('cacher', 'startup'), env, force: true, skipLock: true, systemConfigFile: opts.configFile,
    });
    cacherLog.info({ entries: report.entries.map(({ mainKey, outcome, error }) => ({ mainKey, outcome, ...(error ? { error } : {}) })) }, 'startup cache refresh done');
  }
  const settings = qconfSettingsFrom(config.qconf);
  const watchCache = usesRemoteQueueConfig(settings, env);
  const initialStamp = watchCache ? await readQueueConfigStamp(db.sql) : null;
  const { mapper } = await createQueueConfigMapper({
    qconf: config.qconf, sql: db.sql, log, env, systemConfigFile: opts.configFile,
  });
  const sourcesOpts = { settings, sql: db.sql, env, systemConfigFile: opts.configFile };
  const watcher = new QueueConfigReloadWatcher({
    mapper, sql: db.sql, log, watchCache, initialStamp,
    loadSources: () => collectQueueConfigSources(sourcesOpts),
    checkIntervalSec: settings.checkInterval,
    updateIntervalSec: settings.updateInterval,
  });
  const configIDs = Object.fromEntries([...mapper.getAllQueues()].map(([name, c]) => [name, c.configID]));
  log.info({ queues: mapper.getActiveQueues().size, configIDs, remote: watchCache }, 'queue config loaded at startup');
  return { mapper, watcher };
}
