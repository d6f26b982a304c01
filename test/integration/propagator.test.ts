/**
 * The propagator against the embedded WMS over HTTP on 127.0.0.1: the status
 * sequence PanDA records (facts §5, §8), heartbeats, bulk chunks, truePilot
 * suppression, kill commands, workers, dialogs and worker statistics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobFetcher } from '../../src/agents/jobfetcher';
import { Propagator } from '../../src/agents/propagator';
import { secondsBefore } from '../../src/db/dates';
import { addDialogMessage } from '../../src/db/repo/dialogs';
import { insertRelations } from '../../src/db/repo/relations';
import { insertWorkers } from '../../src/db/repo/workers';
import type { WorkerStatus } from '../../src/plugins/types';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';

let env: AgentTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const QUEUES = {
  PUSH: dummyQueue({ nQueueLimitJob: 50 }),
  TRUE_PILOT: dummyQueue({ nQueueLimitJob: 50, truePilot: true }),
};

async function setUp(sections: Record<string, Record<string, string | number>> = {}): Promise<AgentTestEnv> {
  env = await createAgentTestEnv({ queueConfig: QUEUES, sections: { jobfetcher: { lookupTime: 0 }, ...sections } });
  return env;
}

/** Fetch `n` jobs for `queue` from the WMS through the real job fetcher; returns their PandaIDs. */
async function fetchJobs(e: AgentTestEnv, queue: string, n: number): Promise<number[]> {
  const ids = e.wms.store.addJobs(Array.from({ length: n }, () => ({})), { site: queue });
  const r = await e.runCycle(new JobFetcher(), { queue });
  expect(r.fetched).toBe(n);
  return ids;
}

/** What another agent does when a job moves on: new status, due for the propagator. */
async function moveJob(e: AgentTestEnv, ids: number[], status: string, subStatus: string): Promise<void> {
  for (const id of ids) {
    await e.db.sql.run('UPDATE job_table SET status = ?, subStatus = ?, propagatorTime = ? WHERE PandaID = ?', [status, subStatus, secondsBefore(new Date(), 3600), id]);
  }
}

async function jobRow(e: AgentTestEnv, id: number): Promise<{ status: string; subStatus: string; propagatorTime: string | null; propagatorLock: string | null }> {
  const rows = await e.db.sql.all<{ status: string; subStatus: string; propagatorTime: string | null; propagatorLock: string | null }>(
    'SELECT status, subStatus, propagatorTime, propagatorLock FROM job_table WHERE PandaID = ?', [id],
  );
  return rows[0];
}

async function addWorker(e: AgentTestEnv, workerID: number, status: WorkerStatus, queue: string, pandaIDs: number[] = []): Promise<void> {
  const now = new Date();
  await insertWorkers(e.db.sql, [{
    workerID, status, computingSite: queue, mapType: 'OneToOne', batchID: `b${workerID}`, submitTime: now, creationTime: now,
    modificationTime: now, lastUpdate: secondsBefore(now, 86400), nCore: 1, workAttributes: { stdOut: `/logs/${workerID}.out` },
  }]);
  await insertRelations(e.db.sql, pandaIDs.map((PandaID) => ({ PandaID, workerID })));
}

describe('propagator: jobs', () => {
  it('reports the original status sequence and closes a job once PanDA has its final status', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'PUSH', 1);
    const p = new Propagator();

    expect(await e.runCycle(p)).toMatchObject({ jobsReported: 1, jobsDone: 0 });
    expect(e.wms.store.jobs.get(id)?.status).toBe('starting');
    const afterStarting = await jobRow(e, id);
    expect(afterStarting.propagatorLock).toBeNull();
    expect(afterStarting.propagatorTime).not.toBeNull(); // live job: heartbeats go on

    await moveJob(e, [id], 'running', 'running');
    await e.runCycle(p);
    await moveJob(e, [id], 'finished', 'to_transfer');
    await e.runCycle(p);
    expect(e.wms.store.jobs.get(id)?.status).toBe('transferring');
    await moveJob(e, [id], 'finished', 'transferring');
    await e.runCycle(p);
    expect((await jobRow(e, id)).subStatus).toBe('transferring'); // outputs still moving: not done
    await moveJob(e, [id], 'finished', 'staged');
    expect(await e.runCycle(p)).toMatchObject({ jobsReported: 1, jobsDone: 1 });

    expect(e.wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting', 'running', 'transferring', 'finished']);
    expect(await jobRow(e, id)).toMatchObject({ status: 'finished', subStatus: 'done', propagatorTime: null, propagatorLock: null });
    // Nothing more is ever sent for it.
    const before = e.wms.store.history.get(id)?.length;
    await e.db.sql.run('UPDATE job_table SET modificationTime = ? WHERE PandaID = ?', [new Date(), id]);
    expect(await e.runCycle(p)).toMatchObject({ jobsClaimed: 0 });
    expect(e.wms.store.history.get(id)?.length).toBe(before);
  });

  it('marks the files of a fully reported job to delete', async () => {
    const e = await setUp();
    const ids = e.wms.store.addJobs([{ inFiles: 'a.root,b.root' }], { site: 'PUSH' });
    await e.runCycle(new JobFetcher(), { queue: 'PUSH' });
    await moveJob(e, ids, 'failed', 'failed');
    await e.runCycle(new Propagator());
    const files = await e.db.sql.all<{ todelete: number }>('SELECT todelete FROM file_table WHERE PandaID = ?', [ids[0]]);
    expect(files.map((f) => f.todelete)).toEqual([1, 1]);
  });

  it('sends a heartbeat for a live job again only after updateInterval', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'PUSH', 1);
    await moveJob(e, [id], 'running', 'running');
    const p = new Propagator();
    await e.runCycle(p);
    const n = e.wms.store.history.get(id)?.length ?? 0;
    expect(await e.runCycle(p)).toMatchObject({ jobsClaimed: 0 });
    // Age the last report past updateInterval (default 1800 s).
    await e.db.sql.run('UPDATE job_table SET propagatorTime = ? WHERE PandaID = ?', [secondsBefore(new Date(), 1801), id]);
    expect(await e.runCycle(p)).toMatchObject({ jobsClaimed: 1, jobsReported: 1 });
    expect(e.wms.store.history.get(id)?.length).toBe(n + 1);
  });

  it('reports cancelled jobs as failed with their sub status', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'PUSH', 1);
    await moveJob(e, [id], 'cancelled', 'killed');
    await e.runCycle(new Propagator());
    expect(e.wms.store.jobs.get(id)).toMatchObject({ status: 'failed', subStatus: 'cancelled' });
    expect((await jobRow(e, id)).subStatus).toBe('done');
  });

  it('sends in chunks of nJobsInBulk and at most maxJobs per cycle', async () => {
    const e = await setUp({ propagator: { nJobsInBulk: 2, maxJobs: 5 } });
    await fetchJobs(e, 'PUSH', 7);
    const r = await e.runCycle(new Propagator());
    expect(r).toMatchObject({ jobsClaimed: 5, jobsReported: 5 });
    expect(e.wms.store.requestCounts.get('pilot/update_jobs_bulk')).toBe(3);
    expect(await e.runCycle(new Propagator())).toMatchObject({ jobsClaimed: 2, jobsReported: 2 });
  });

  it('keeps a job the server refuses, unlocked and due again after updateInterval', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'PUSH', 1);
    e.wms.store.jobs.delete(id); // the server no longer knows it: StatusCode 30
    expect(await e.runCycle(new Propagator())).toMatchObject({ jobsRejected: 1, jobsDone: 0 });
    const row = await jobRow(e, id);
    expect(row.propagatorLock).toBeNull();
    expect(row.propagatorTime).not.toBeNull();
  });
});

describe('propagator: truePilot (noHeartbeat) suppression', () => {
  it('reports starting, only checks running jobs, and closes final jobs without reporting them', async () => {
    const e = await setUp();
    const ids = await fetchJobs(e, 'TRUE_PILOT', 2);
    const p = new Propagator();
    await e.runCycle(p);
    expect(ids.map((id) => e.wms.store.jobs.get(id)?.status)).toEqual(['starting', 'starting']);

    await moveJob(e, ids, 'running', 'running');
    expect(await e.runCycle(p)).toMatchObject({ jobsReported: 0, jobsChecked: 2 });
    expect(e.wms.store.requestCounts.get('job/get_status')).toBe(1);

    await moveJob(e, [ids[0]], 'finished', 'to_transfer');
    await moveJob(e, [ids[1]], 'finished', 'staged');
    expect(await e.runCycle(p)).toMatchObject({ jobsReported: 0, jobsSuppressed: 2, jobsDone: 1 });
    for (const id of ids) expect(e.wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting']);
    expect((await jobRow(e, ids[1])).subStatus).toBe('done');
    expect((await jobRow(e, ids[0])).subStatus).toBe('to_transfer');
  });

  it('never suppresses a missed job', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'TRUE_PILOT', 1);
    await moveJob(e, [id], 'missed', 'missed');
    expect(await e.runCycle(new Propagator())).toMatchObject({ jobsReported: 1 });
    expect(e.wms.store.jobs.get(id)).toMatchObject({ status: 'failed', subStatus: 'missed' });
  });
});

describe('propagator: kill command (tobekilled)', () => {
  it('marks the workers of a killed job to kill, or cancels a job that has none', async () => {
    const e = await setUp();
    const [withWorker, withoutWorker] = await fetchJobs(e, 'PUSH', 2);
    await addWorker(e, 1, 'running', 'PUSH', [withWorker]);
    await e.db.sql.run('UPDATE work_table SET lastUpdate = NULL'); // this test is about the job side
    await moveJob(e, [withWorker], 'running', 'running');
    e.wms.store.killJob(withWorker);
    e.wms.store.killJob(withoutWorker);

    const p = new Propagator();
    expect(await e.runCycle(p)).toMatchObject({ jobsKillRequested: 2 });
    const w = await e.db.sql.all<{ killTime: string | null }>('SELECT killTime FROM work_table WHERE workerID = 1');
    expect(w[0].killTime).not.toBeNull();
    expect(await jobRow(e, withWorker)).toMatchObject({ status: 'running', subStatus: 'running' });
    expect(await jobRow(e, withoutWorker)).toMatchObject({ status: 'cancelled', subStatus: 'killed' });

    // The cancellation goes out with the next cycle, with PANDAKILL.
    await e.runCycle(p);
    expect(e.wms.store.jobs.get(withoutWorker)).toMatchObject({ status: 'failed', subStatus: 'cancelled', command: null });
    expect(e.wms.store.jobs.get(withoutWorker)?.lastReport?.pilot_error_code).toBe(1144);
    expect(await jobRow(e, withoutWorker)).toMatchObject({ subStatus: 'done', propagatorTime: null });
  });

  it('learns of a kill through check_jobs for a running truePilot job', async () => {
    const e = await setUp();
    const [id] = await fetchJobs(e, 'TRUE_PILOT', 1);
    await addWorker(e, 7, 'running', 'TRUE_PILOT', [id]);
    await moveJob(e, [id], 'running', 'running');
    e.wms.store.killJob(id);
    expect(await e.runCycle(new Propagator())).toMatchObject({ jobsChecked: 1, jobsKillRequested: 1 });
    const w = await e.db.sql.all<{ killTime: string | null }>('SELECT killTime FROM work_table WHERE workerID = 7');
    expect(w[0].killTime).not.toBeNull();
  });
});

describe('propagator: workers, dialogs, statistics', () => {
  it('reports workers in chunks; final ones never again, live ones after updateInterval', async () => {
    const e = await setUp({ propagator: { nWorkersInBulk: 2 } });
    const [id] = await fetchJobs(e, 'PUSH', 1);
    await e.db.sql.run('UPDATE job_table SET propagatorTime = NULL');
    await addWorker(e, 1, 'running', 'PUSH', [id]);
    await addWorker(e, 2, 'finished', 'PUSH');
    await addWorker(e, 3, 'failed', 'PUSH');
    await addWorker(e, 4, 'submitted', 'PUSH');
    await addWorker(e, 5, 'pending', 'PUSH');

    const p = new Propagator();
    expect(await e.runCycle(p)).toMatchObject({ workersClaimed: 5, workersSent: 4, workersFinalized: 2 });
    expect(e.wms.store.requestCounts.get('harvester/update_workers')).toBe(2);
    const reported = [...e.wms.store.workers.values()].map((w) => [w.workerID, w.status]).sort();
    expect(reported).toEqual([[1, 'running'], [2, 'finished'], [3, 'failed'], [4, 'submitted']]);
    const w1 = e.wms.store.workers.get('test-harvester:1')?.record;
    expect(w1).toMatchObject({ computingSite: 'PUSH', batchID: 'b1', pandaid_list: [id], stdOut: '/logs/1.out' });

    const rows = await e.db.sql.all<{ workerID: number; lastUpdate: string | null }>('SELECT workerID, lastUpdate FROM work_table ORDER BY workerID');
    expect(rows.map((r) => r.lastUpdate === null)).toEqual([false, true, true, false, false]);
    expect(await e.runCycle(p)).toMatchObject({ workersClaimed: 0 });

    // The monitor sees worker 1 finish: triggered, reported, closed.
    await e.db.sql.run("UPDATE work_table SET status = 'finished', lastUpdate = ? WHERE workerID = 1", [secondsBefore(new Date(), 86400)]);
    expect(await e.runCycle(p)).toMatchObject({ workersSent: 1, workersFinalized: 1 });
    expect(e.wms.store.workers.get('test-harvester:1')?.history.map((h) => h.status)).toEqual(['running', 'finished']);
  });

  it('ships dialog messages and deletes them', async () => {
    const e = await setUp();
    await addDialogMessage(e.db.sql, { moduleName: 'submitter', identifier: 'PUSH', level: 'ERROR', message: 'submission failed' });
    expect(await e.runCycle(new Propagator())).toMatchObject({ dialogsSent: 1 });
    expect(e.wms.store.dialogs.map((d) => d.data.diagMessage)).toEqual(['submission failed']);
    expect(await e.db.sql.all('SELECT * FROM diag_table')).toHaveLength(0);
  });

  it('sends worker statistics of every active queue once per period', async () => {
    const e = await setUp();
    await addWorker(e, 1, 'running', 'PUSH');
    await addWorker(e, 2, 'submitted', 'PUSH');
    await addWorker(e, 3, 'idle', 'PUSH');
    const p = new Propagator();
    expect(await e.runCycle(p)).toMatchObject({ statsSent: 2 });
    const push = e.wms.store.workerStats.find((s) => s.data.pandaQueue === 'PUSH');
    expect(push?.data.statistics).toEqual({ ANY: { ANY: { running: 2, submitted: 1, finished: 0, to_submit: 0 } } });
    expect(await e.runCycle(p)).toMatchObject({ statsSent: 0 });
    expect(e.wms.store.workerStats).toHaveLength(2);
  });
});
