/**
 * Wiring the mapper to a Harvester process: the `[qconf]` settings, the local
 * file, the cached remote copy, the database and the plugin factory. The
 * master calls `createQueueConfigMapper` at startup (it throws on a broken
 * local file); the reload loop calls `collectQueueConfigSources` + `mapper.load`.
 */
import type { Logger } from '../log';
import type { SqlExecutor } from '../db/sql';
import { redactUrl } from '../cacher/redact';
import { readCachedQueueConfig } from './cache-source';
import { QueueConfigMapper } from './mapper';
import { defaultPluginChecker } from './plugin-check';
import { qconfSettingsFrom, type QconfSettings } from './settings';
import { readSourceFile, resolveQueueConfigPath } from './sources';
import type { SourceInput } from './types';
import type { PluginChecker } from './validate';

/** Env var naming the remote queue config URL (the cacher stores its content). */
export const QUEUE_CONFIG_URL_ENV = 'HARVESTER_QUEUE_CONFIG_URL';

export interface QueueConfigSourcesOptions {
  readonly settings: QconfSettings;
  /** The system config file, to resolve a relative `[qconf] configFile` next to it. */
  readonly systemConfigFile?: string;
  /** Database holding the cacher's copy of the remote config. */
  readonly sql?: SqlExecutor;
  readonly env?: NodeJS.ProcessEnv;
}

/** True when a remote queue config is expected in the cache. */
export function usesRemoteQueueConfig(settings: QconfSettings, env: NodeJS.ProcessEnv = process.env): boolean {
  return settings.configFromCacher || Boolean(env[QUEUE_CONFIG_URL_ENV]);
}

/** Local file first, then the remote copy from cache_table (remote wins where both set a value). */
export async function collectQueueConfigSources(opts: QueueConfigSourcesOptions): Promise<SourceInput[]> {
  const env = opts.env ?? process.env;
  const sources: SourceInput[] = [];
  if (opts.settings.configFile) {
    const file = resolveQueueConfigPath(opts.settings.configFile, { systemConfigFile: opts.systemConfigFile, env });
    sources.push(await readSourceFile(file, 'file'));
  }
  if (opts.sql && usesRemoteQueueConfig(opts.settings, env)) {
    // The label shows up in logs and `qconf` output: never with credentials from the URL.
    const url = env[QUEUE_CONFIG_URL_ENV];
    const cached = await readCachedQueueConfig(opts.sql, url ? redactUrl(url) : 'remote queue config');
    if (cached) sources.push(cached.source);
  }
  return sources;
}

export interface CreateMapperOptions {
  /** The `[qconf]` section of the system config (HarvesterConfig['qconf']). */
  readonly qconf: object;
  readonly systemConfigFile?: string;
  readonly sql?: SqlExecutor;
  readonly log?: Logger;
  /** Default: the real plugin factory. */
  readonly checkPlugin?: PluginChecker;
  readonly env?: NodeJS.ProcessEnv;
}

/** A mapper with its first load done. @throws QueueConfigError when the local config is broken. */
export async function createQueueConfigMapper(opts: CreateMapperOptions): Promise<{ mapper: QueueConfigMapper; reload: () => Promise<void> }> {
  const settings = qconfSettingsFrom(opts.qconf);
  const mapper = new QueueConfigMapper({ settings, sql: opts.sql, log: opts.log, checkPlugin: opts.checkPlugin ?? defaultPluginChecker() });
  const sourcesOpts: QueueConfigSourcesOptions = { settings, systemConfigFile: opts.systemConfigFile, sql: opts.sql, env: opts.env };
  await mapper.load(await collectQueueConfigSources(sourcesOpts));
  const reload = async (): Promise<void> => {
    await mapper.load(await collectQueueConfigSources(sourcesOpts));
  };
  return { mapper, reload };
}
