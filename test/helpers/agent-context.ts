/**
 * A real AgentContext for agent tests: a migrated sqlite file in a temp dir,
 * the system config loaded from a real INI file, the real QueueConfigMapper
 * over a given queue config (object or file), one real PluginFactory, and a
 * PandaClient talking HTTP to a real embedded WMS on 127.0.0.1 (any free port).
 *
 *   const env = await createAgentTestEnv({ queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 10 }) } });
 *   env.wms.store.addJobs([...]);
 *   const result = await env.runCycle(new JobFetcher());
 *   ...
 *   await env.close();
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Agent, AgentContext, CycleResult } from '../../src/agents/agent';
import { createAgentServices, type ProcessServices } from '../../src/agents/services';
import { loadSystemConfig } from '../../src/config/load';
import type { HarvesterConfig } from '../../src/config/schema';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import { ownerId } from '../../src/db/owner';
import type { Logger } from '../../src/log';
import { createQueueConfigMapper } from '../../src/queue-config/bootstrap';
import type { QueueConfigMapper } from '../../src/queue-config/mapper';
import type { PandaClient } from '../../src/upstream/panda-client';
import type { RetryPolicy } from '../../src/upstream/retry';
import { startWms, type WmsHandle, type WmsOptions } from '../../src/wms/server';

/** INI sections → keys → values, as written into the test's system config file. */
export type IniSections = Record<string, Record<string, string | number | boolean>>;

/** Quick retries: an outage test should not wait for the production back-off. */
export const TEST_RETRY: RetryPolicy = { retries: 1, baseDelayMs: 10, maxDelayMs: 50 };

/** Queue attributes a test queue starts from: every mandatory plugin section set to the dummies. */
export const DUMMY_PLUGINS = {
  preparator: { module: 'dummy', name: 'DummyPreparator' },
  submitter: { module: 'dummy', name: 'DummySubmitter' },
  workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' },
  messenger: { module: 'dummy', name: 'DummyMessenger' },
  stager: { module: 'dummy', name: 'DummyStager' },
  monitor: { module: 'dummy', name: 'DummyMonitor' },
  sweeper: { module: 'dummy', name: 'DummySweeper' },
} as const;

/** One queue entry with the dummy plugins; `attrs` override or add attributes (plugin sections merge). */
export function dummyQueue(attrs: Record<string, unknown> = {}): Record<string, unknown> {
  const q: Record<string, unknown> = { prodSourceLabel: 'managed', mapType: 'OneToOne', ...JSON.parse(JSON.stringify(DUMMY_PLUGINS)) };
  for (const [k, v] of Object.entries(attrs)) {
    const base = q[k];
    q[k] = base && typeof base === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...base, ...v } : v;
  }
  return q;
}

export interface AgentTestEnvOptions {
  /** The queue config: `{queueName: attributes}` (written to a file) or the path of a JSON file. */
  queueConfig: Record<string, unknown> | string;
  /** System config sections/keys on top of the defaults (e.g. `{ jobfetcher: { maxJobs: 5 } }`). */
  sections?: IniSections;
  /** `[master] harvester_id`. @defaultValue 'test-harvester' */
  harvesterId?: string;
  /** Extra options for the embedded WMS (jobsFile, token, ...); host and port are always loopback/any. */
  wms?: Omit<WmsOptions, 'host' | 'port'>;
  /** Use this already running WMS instead of starting one (it is not closed by `close()`). */
  existingWms?: WmsHandle;
  /** Retry policy of the PanDA client. @defaultValue TEST_RETRY */
  retry?: Partial<RetryPolicy>;
  /** pino level of the context's logger. @defaultValue env HARVESTER_TEST_LOG_LEVEL or 'silent' */
  logLevel?: pino.LevelWithSilent;
  /** Directory for the DB, configs and access points. @defaultValue a new temp dir (removed by close()) */
  dir?: string;
}

export interface ContextOptions {
  thread?: number;
  /** `ctx.queue` (`agent NAME --once --queue Q`). */
  queue?: string;
  signal?: AbortSignal;
}

export interface AgentTestEnv {
  readonly dir: string;
  readonly configFile: string;
  readonly queueConfigFile: string;
  readonly config: HarvesterConfig;
  readonly db: Database;
  readonly wms: WmsHandle;
  readonly mapper: QueueConfigMapper;
  readonly services: ProcessServices;
  /** The upstream client (`services.upstream`), typed as the PandaClient it is (`state()`). */
  readonly client: PandaClient;
  readonly log: Logger;
  /** A context as the runner builds it for thread `thread` of `agent`. */
  context(agent: string, opts?: ContextOptions): AgentContext;
  /** One cycle of `agent` with a fresh context (thread 0 unless given). */
  runCycle(agent: Agent, opts?: ContextOptions): Promise<CycleResult>;
  /** Rewrites the queue config file (when given) and reloads the mapper (pq_table refreshed). */
  reloadQueueConfig(queueConfig?: Record<string, unknown>): Promise<void>;
  /** Closes client, plugins, WMS (unless existing) and DB; removes the temp dir it created. */
  close(): Promise<void>;
}

function iniText(sections: IniSections): string {
  return Object.entries(sections)
    .map(([name, keys]) => `[${name}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`).join('\n')}\n`)
    .join('\n');
}

export async function createAgentTestEnv(opts: AgentTestEnvOptions): Promise<AgentTestEnv> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-agent-'));
  fs.mkdirSync(dir, { recursive: true });
  const queueConfigFile = typeof opts.queueConfig === 'string' ? path.resolve(opts.queueConfig) : path.join(dir, 'panda_queueconfig.json');
  if (typeof opts.queueConfig !== 'string') fs.writeFileSync(queueConfigFile, JSON.stringify(opts.queueConfig, null, 2));

  const wms = opts.existingWms ?? (await startWms({ ...opts.wms, host: '127.0.0.1', port: 0 }));
  const sections: IniSections = {
    master: { harvester_id: opts.harvesterId ?? 'test-harvester', shutdownGraceTime: 5 },
    db: { engine: 'sqlite', database_filename: path.join(dir, 'harvester.db'), nConnections: 1 },
    pandacon: { server_api_url_ssl: wms.apiUrl, cache_api_url_ssl: wms.apiUrl, timeout: 5 },
    qconf: { configFile: queueConfigFile, queueList: 'ALL' },
  };
  for (const [name, keys] of Object.entries(opts.sections ?? {})) sections[name] = { ...sections[name], ...keys };
  const configFile = path.join(dir, 'harvester.cfg');
  fs.writeFileSync(configFile, iniText(sections));

  // An empty environment: the developer's HARVESTER_* variables must not leak into a test.
  const { config } = await loadSystemConfig({ file: configFile, env: {}, overrides: [], fetchRemote: false });
  const log = pino({ level: opts.logLevel ?? (process.env.HARVESTER_TEST_LOG_LEVEL as pino.LevelWithSilent | undefined) ?? 'silent' });
  const db = await openDatabase(config.db, log);
  await migrate(db, log);
  const { mapper, reload } = await createQueueConfigMapper({ qconf: config.qconf, sql: db.sql, log, env: {}, systemConfigFile: configFile });
  const services = createAgentServices({ config, db, log, queueConfig: mapper, apiUrl: wms.apiUrl, retry: opts.retry ?? TEST_RETRY });
  const abort = new AbortController();

  const context = (agent: string, o: ContextOptions = {}): AgentContext => {
    const thread = o.thread ?? 0;
    return {
      db,
      config,
      log: log.child({ agent, thread }),
      owner: ownerId(agent, thread),
      thread,
      signal: o.signal ?? abort.signal,
      queueConfig: mapper,
      configFile,
      services,
      ...(o.queue !== undefined ? { queue: o.queue } : {}),
    };
  };

  return {
    dir,
    configFile,
    queueConfigFile,
    config,
    db,
    wms,
    mapper,
    services,
    client: services.upstream as PandaClient,
    log,
    context,
    runCycle: (agent, o) => agent.cycle(context(agent.name, o)),
    async reloadQueueConfig(queueConfig) {
      if (queueConfig) fs.writeFileSync(queueConfigFile, JSON.stringify(queueConfig, null, 2));
      await reload();
    },
    async close() {
      abort.abort();
      await services.close();
      if (!opts.existingWms) await wms.close();
      await db.close();
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
