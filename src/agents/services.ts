import type { HarvesterConfig } from '../config/schema';
import type { Database } from '../db/connect';
import { addDialogMessage } from '../db/repo/dialogs';
import type { Logger } from '../log';
import type { Communicator } from '../plugins/communicator';
import type { PluginServices } from '../plugins/context';
import { PluginFactory } from '../plugins/factory';
import type { QueueConfigMapper } from '../queue-config/mapper';
import { PandaClient } from '../upstream/panda-client';
import type { RetryPolicy } from '../upstream/retry';

/** Whether the upstream (PanDA or the embedded WMS) answered the last call. */
export interface UpstreamHealth {
  reachable: boolean;
  /** Since when the current state holds. */
  since?: Date;
  lastError?: string;
}

/**
 * The long-lived services the master builds once per process and every agent
 * cycle uses through `ctx.services`: the queue configuration (reloaded in place
 * by the cacher/reload loop), the plugin factory (instances cached per queue and
 * configID) and the upstream communicator (PanDA client or the embedded WMS).
 */
export interface AgentServices {
  readonly queueConfig: QueueConfigMapper;
  readonly plugins: PluginFactory;
  readonly upstream: Communicator;
  /**
   * Health of the upstream as seen by the communicator. The job fetcher pauses
   * while it is unreachable; updates stay pending in the database meanwhile.
   */
  upstreamHealth(): UpstreamHealth;
}

export interface CreateAgentServicesOptions {
  readonly config: HarvesterConfig;
  readonly db: Database;
  readonly log: Logger;
  readonly queueConfig: QueueConfigMapper;
  /**
   * Overrides `[pandacon] server_api_url_ssl` (and the cache URL): the master
   * passes the embedded WMS's `apiUrl` here, whose port is only known once it listens.
   */
  readonly apiUrl?: string;
  /** Retry policy of the PanDA client (tests shorten it). */
  readonly retry?: Partial<RetryPolicy>;
}

/** AgentServices plus what the process must do with them at shutdown. */
export interface ProcessServices extends AgentServices {
  /** Closes the upstream client's connections and the cached plugin instances. */
  close(): Promise<void>;
}

/** What plugins may touch of harvester (the original's injected dbInterface), backed by the database. */
function pluginServices(db: Database): PluginServices {
  return {
    async addDialogMessage(m) {
      await addDialogMessage(db.sql, { moduleName: 'plugin', identifier: m.identifier ?? null, level: m.level, message: m.text });
    },
    async countWorkers(filter) {
      const conds: string[] = [];
      const params: Array<string | Date> = [];
      if (filter.status !== undefined) {
        const statuses = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
        if (statuses.length === 0) return 0;
        conds.push(`status IN (${statuses.map(() => '?').join(', ')})`);
        params.push(...statuses);
      }
      if (filter.computingSite !== undefined) { conds.push('computingSite = ?'); params.push(filter.computingSite); }
      if (filter.computingElement !== undefined) { conds.push('computingElement = ?'); params.push(filter.computingElement); }
      // work_table has no siteName: a queue's site is the part of computingSite before '/'.
      if (filter.siteName !== undefined) { conds.push('(computingSite = ? OR computingSite LIKE ?)'); params.push(filter.siteName, `${filter.siteName}/%`); }
      if (filter.since !== undefined) { conds.push('modificationTime >= ?'); params.push(filter.since); }
      const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
      const rows = await db.sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM work_table ${where}`, params);
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/**
 * Builds the process's services: one PluginFactory and one PandaClient from
 * `[pandacon]` + `master.harvester_id` (pointed at `apiUrl` when given).
 */
export function createAgentServices(opts: CreateAgentServicesOptions): ProcessServices {
  const { config, db, log, queueConfig } = opts;
  const harvesterId = config.master.harvester_id;
  const plugins = new PluginFactory({ harvesterID: harvesterId, log: log.child({ component: 'plugins' }), services: pluginServices(db) });
  const settings = opts.apiUrl !== undefined
    ? { ...config.pandacon, server_api_url_ssl: opts.apiUrl, cache_api_url_ssl: opts.apiUrl }
    : config.pandacon;
  const client = new PandaClient({ settings, harvesterId, log, ...(opts.retry ? { retry: opts.retry } : {}) });
  return {
    queueConfig,
    plugins,
    upstream: client,
    upstreamHealth: () => client.state(),
    async close() {
      client.close();
      await plugins.clear();
    },
  };
}

/**
 * Services for a runner built without them (runner unit tests, agents that use
 * none): touching any of them throws, naming what is missing, instead of
 * failing later on an undefined.
 */
export function servicesUnavailable(why = 'this runner was built without AgentServices'): AgentServices {
  const fail = (what: string): never => {
    throw new Error(`ctx.services.${what}: ${why}`);
  };
  return {
    get queueConfig(): QueueConfigMapper { return fail('queueConfig'); },
    get plugins(): PluginFactory { return fail('plugins'); },
    get upstream(): Communicator { return fail('upstream'); },
    upstreamHealth: () => fail('upstreamHealth()'),
  };
}

/**
 * Where a process that does not run the embedded WMS itself (`agent NAME
 * --once` next to a master) finds it: `[wms] host:port` when embedded with a
 * fixed port; undefined otherwise (then `[pandacon]` applies).
 */
export function embeddedWmsApiUrl(config: HarvesterConfig): string | undefined {
  const w = config.wms;
  if (!w.embedded || !w.port) return undefined;
  const host = w.host.includes(':') ? `[${w.host}]` : w.host;
  return `http://${host}:${w.port}/api/v1`;
}
