/**
 * What the submitter race tests run, in the test process and in spawned
 * processes alike: a database (table prefix included), the queue config
 * mapper over the file named in the system config, a plugin factory, and
 * `threads` Submitter loops running cycles back to back until a deadline.
 * Must not import vitest (child processes run it under plain node).
 */
import pino from 'pino';
import type { AgentContext, CycleResult } from '../../src/agents/agent';
import { servicesUnavailable, type AgentServices } from '../../src/agents/services';
import { Submitter } from '../../src/agents/submitter';
import { loadSystemConfig } from '../../src/config/load';
import type { HarvesterConfig } from '../../src/config/schema';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import { ownerId } from '../../src/db/owner';
import type { DbSettings } from '../../src/db/settings';
import { PluginFactory } from '../../src/plugins/factory';
import { createQueueConfigMapper } from '../../src/queue-config/bootstrap';

export interface SubmitterRuntime {
  config: HarvesterConfig;
  db: Database;
  services: AgentServices;
  close(): Promise<void>;
}

export async function openSubmitterRuntime(settings: DbSettings, configFile: string): Promise<SubmitterRuntime> {
  const log = pino({ level: process.env.HARVESTER_TEST_LOG_LEVEL ?? 'silent' });
  const { config } = await loadSystemConfig({ file: configFile, env: {}, overrides: [], fetchRemote: false });
  const db = await openDatabase(settings, log);
  // Safe when several processes start at once (DB-level lock); a no-op once done.
  await migrate(db, log);
  const { mapper } = await createQueueConfigMapper({ qconf: config.qconf, sql: db.sql, log, env: {}, systemConfigFile: configFile });
  const plugins = new PluginFactory({ harvesterID: config.master.harvester_id, log });
  const none = servicesUnavailable('the submitter race runtime has no upstream');
  const services: AgentServices = { queueConfig: mapper, plugins, get upstream() { return none.upstream; }, upstreamHealth: () => none.upstreamHealth() };
  return {
    config, db, services,
    async close() {
      await plugins.clear();
      await db.close();
    },
  };
}

export interface ThreadsResult {
  totals: CycleResult;
  errors: string[];
}

/** `threads` Submitter loops (owners `submitter-<host>_<pid>-<threadBase+i>`) until `untilMs`. */
export async function runSubmitterThreads(rt: SubmitterRuntime, threads: number, untilMs: number, threadBase = 0): Promise<ThreadsResult> {
  const log = pino({ level: process.env.HARVESTER_TEST_LOG_LEVEL ?? 'silent' });
  const abort = new AbortController();
  const totals: CycleResult = {};
  const errors: string[] = [];
  await Promise.all(Array.from({ length: threads }, async (_, i) => {
    const thread = threadBase + i;
    const ctx: AgentContext = {
      db: rt.db, config: rt.config, log: log.child({ thread }), owner: ownerId('submitter', thread), thread, signal: abort.signal,
      queueConfig: rt.services.queueConfig, services: rt.services,
    };
    const agent = new Submitter();
    while (Date.now() < untilMs) {
      try {
        const r = await agent.cycle(ctx);
        for (const [k, v] of Object.entries(r)) totals[k] = (totals[k] ?? 0) + v;
      } catch (err) {
        errors.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
      }
      // Yield a little so threads interleave like the runner's loops.
      await new Promise((r) => setTimeout(r, 2));
    }
  }));
  return { totals, errors };
}
