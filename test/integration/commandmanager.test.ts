/**
 * The command manager against the embedded WMS over HTTP: heartbeats,
 * commands fetched in bulks, carried out, acknowledged and deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommandManager } from '../../src/agents/commandmanager';
import { insertWorkers } from '../../src/db/repo/workers';
import type { WorkerStatus } from '../../src/plugins/types';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';

let env: AgentTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function setUp(bulk = 20): Promise<AgentTestEnv> {
  env = await createAgentTestEnv({
    queueConfig: { PUSH: dummyQueue({ nQueueLimitJob: 5 }), 'UPS/SCORE': dummyQueue({ runMode: 'slave', mapType: 'NoJob' }) },
    // sleepTime 0: the process lock (interval = sleepTime) lets back-to-back test cycles run.
    sections: { commandmanager: { sleepTime: 0, commands_bulk_size: bulk } },
  });
  return env;
}

async function addWorkers(e: AgentTestEnv, specs: Array<[number, WorkerStatus, string, string?]>): Promise<void> {
  const now = new Date();
  await insertWorkers(e.db.sql, specs.map(([workerID, status, computingSite, computingElement]) => ({
    workerID, status, computingSite, computingElement: computingElement ?? 'ce1', submissionHost: 'host1', creationTime: now, modificationTime: now,
  })));
}

async function killTimes(e: AgentTestEnv): Promise<Record<number, boolean>> {
  const rows = await e.db.sql.all<{ workerID: number; killTime: string | null }>('SELECT workerID, killTime FROM work_table ORDER BY workerID');
  return Object.fromEntries(rows.map((r) => [r.workerID, r.killTime !== null]));
}

const queue = (e: AgentTestEnv, command: string, params: unknown, ack = true): number =>
  e.wms.store.queueCommand({ harvester_id: 'test-harvester', command, params: params as never, ack_requested: ack }).command_id;

describe('command manager', () => {
  it('sends a startup heartbeat with its version and the slave queues\' commands, then one per 10 minutes', async () => {
    const e = await setUp();
    const cm = new CommandManager();
    expect(await e.runCycle(cm)).toMatchObject({ heartbeats: 1 });
    expect(await e.runCycle(cm)).toMatchObject({ heartbeats: 0 });
    expect(e.wms.store.heartbeats).toHaveLength(1);
    const data = e.wms.store.heartbeats[0].data;
    expect(data.sw_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(String(data.startTime)).toMatch(/^datetime\/\d{4}-/);
    expect(data.commands).toEqual([
      { command: 'REPORT_WORKER_STATS', computingSite: 'UPS' },
      { command: 'SET_N_WORKERS_JOBTYPE', computingSite: 'UPS/SCORE', resourceType: 'SCORE' },
    ]);
  });

  it('KILL_WORKERS marks the live workers matching the query; an empty constraint matches nothing', async () => {
    const e = await setUp();
    await addWorkers(e, [[1, 'running', 'PUSH'], [2, 'submitted', 'PUSH', 'ce2'], [3, 'finished', 'PUSH'], [4, 'running', 'UPS/SCORE']]);
    const good = queue(e, 'KILL_WORKERS', { status: ['running', 'submitted'], computingSite: ['PUSH'], computingElement: 'ALL', submissionHost: 'ALL' });
    const empty = queue(e, 'KILL_WORKERS', { status: [], computingSite: 'ALL', computingElement: 'ALL', submissionHost: 'ALL' });
    expect(await e.runCycle(new CommandManager())).toMatchObject({ fetched: 2, executed: 2, acked: 2 });
    expect(await killTimes(e)).toEqual({ 1: true, 2: true, 3: false, 4: false });
    const states = Object.fromEntries(e.wms.store.commands.map((c) => [c.command_id, c.state]));
    expect(states).toEqual({ [good]: 'acknowledged', [empty]: 'acknowledged' });
    expect(await e.db.sql.all('SELECT * FROM command_table')).toHaveLength(0);
  });

  it('SYNC_WORKERS_KILL marks the listed workers', async () => {
    const e = await setUp();
    await addWorkers(e, [[1, 'running', 'PUSH'], [2, 'running', 'PUSH'], [3, 'running', 'PUSH']]);
    queue(e, 'SYNC_WORKERS_KILL', [1, '3'], false);
    expect(await e.runCycle(new CommandManager())).toMatchObject({ executed: 1, acked: 0 });
    expect(await killTimes(e)).toEqual({ 1: true, 2: false, 3: true });
    expect(await e.db.sql.all('SELECT * FROM command_table')).toHaveLength(0);
  });

  it('SET_N_WORKERS_JOBTYPE resets the site\'s nNewWorkers and sets the given ones, adding rows for new types', async () => {
    const e = await setUp();
    await e.db.sql.run("UPDATE pq_table SET nNewWorkers = 9 WHERE siteName = 'UPS'");
    queue(e, 'SET_N_WORKERS_JOBTYPE:UPS', { managed: { SCORE: 5, MCORE: 2 } });
    expect(await e.runCycle(new CommandManager())).toMatchObject({ executed: 1, acked: 1 });
    const rows = await e.db.sql.all<{ jobType: string; resourceType: string; nNewWorkers: number }>(
      "SELECT jobType, resourceType, nNewWorkers FROM pq_table WHERE siteName = 'UPS' ORDER BY jobType, resourceType",
    );
    expect(rows).toEqual([
      { jobType: 'ANY', resourceType: 'SCORE', nNewWorkers: 0 },
      { jobType: 'managed', resourceType: 'MCORE', nNewWorkers: 2 },
      { jobType: 'managed', resourceType: 'SCORE', nNewWorkers: 5 },
    ]);
    // Other sites are untouched.
    expect(await e.db.sql.all("SELECT nNewWorkers FROM pq_table WHERE siteName = 'PUSH'")).toEqual([{ nNewWorkers: 0 }]);
  });

  it('REPORT_WORKER_STATS sends the statistics of the site at once', async () => {
    const e = await setUp();
    await addWorkers(e, [[1, 'running', 'PUSH']]);
    queue(e, 'REPORT_WORKER_STATS:PUSH', null);
    expect(await e.runCycle(new CommandManager())).toMatchObject({ executed: 1 });
    expect(e.wms.store.workerStats.map((s) => s.data)).toEqual([{ pandaQueue: 'PUSH', statistics: { ANY: { ANY: { running: 1, submitted: 0, finished: 0, to_submit: 0 } } } }]);
  });

  it('fetches while full bulks come back, and drops unknown commands without acknowledging them', async () => {
    const e = await setUp(2);
    await addWorkers(e, [[1, 'running', 'PUSH']]);
    for (let i = 0; i < 4; i++) queue(e, 'SYNC_WORKERS_KILL', [1]);
    const unknown = queue(e, 'REBOOT_EVERYTHING', null);
    expect(await e.runCycle(new CommandManager())).toMatchObject({ fetched: 4, unknown: 1, executed: 4, acked: 4 });
    expect(e.wms.store.requestCounts.get('harvester/acquire_commands')).toBe(3);
    expect(e.wms.store.commands.find((c) => c.command_id === unknown)?.state).toBe('retrieved');
  });

  it('keeps executed commands and acknowledges them once upstream is back', async () => {
    const e = await setUp();
    await addWorkers(e, [[1, 'running', 'PUSH']]);
    const id = queue(e, 'SYNC_WORKERS_KILL', [1]);
    // Serve the fetch, fail the acknowledgement: both attempts of the one call (TEST_RETRY: 1 retry).
    e.wms.injectFailures(2, 503, 'harvester/acknowledge_commands');
    const cm = new CommandManager();
    expect(await e.runCycle(cm)).toMatchObject({ executed: 1, acked: 0 });
    expect(await killTimes(e)).toEqual({ 1: true });
    expect(await e.db.sql.all('SELECT processed FROM command_table')).toEqual([{ processed: 1 }]);
    expect(e.wms.store.commands.find((c) => c.command_id === id)?.state).toBe('retrieved');
    // Next cycle: not executed again, only acknowledged.
    expect(await e.runCycle(cm)).toMatchObject({ executed: 0, acked: 1 });
    expect(e.wms.store.commands.find((c) => c.command_id === id)?.state).toBe('acknowledged');
    expect(await e.db.sql.all('SELECT * FROM command_table')).toHaveLength(0);
  });
});
