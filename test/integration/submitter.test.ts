import { afterEach, describe, expect, it } from 'vitest';
import { Propagator } from '../../src/agents/propagator';
import { Submitter } from '../../src/agents/submitter';
import { fromSqlDateTime } from '../../src/db/dates';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv, type IniSections } from '../helpers/agent-context';
import { countActiveWorkers, jobsOf, relationsOf, seedPreparedJobs, workersOf } from '../helpers/submitter-fixtures';

/** Sites are looked at again at once and released jobs are due at once, so consecutive cycles act. */
const FAST: IniSections = { submitter: { lookupTime: 0, checkInterval: 0 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const past = (v: unknown, ms: number): boolean => (fromSqlDateTime(v)?.getTime() ?? Infinity) < Date.now() - ms;

let env: AgentTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function start(queues: Record<string, Record<string, unknown>>, sections: IniSections = FAST): Promise<AgentTestEnv> {
  const qc = Object.fromEntries(Object.entries(queues).map(([k, v]) => [k, dummyQueue(v)]));
  env = await createAgentTestEnv({ queueConfig: qc, sections });
  return env;
}

describe('submitter: mapTypes', () => {
  it('OneToOne: one job per worker up to nQueueLimitWorker; jobs submitted, relations written, both propagated', async () => {
    const e = await start({ Q1: { nQueueLimitWorker: 5, maxWorkers: 10, messenger: { accessPoint: '/tmp/ap/${workerID}' } } });
    await seedPreparedJobs(e.db.sql, 'Q1', [1, 2, 3, 4, 5, 6, 7, 8]);
    const r = await e.runCycle(new Submitter());
    expect(r).toMatchObject({ sites: 1, submitted: 5, missed: 0, jobsSubmitted: 5 });

    const workers = await workersOf(e.db.sql, 'Q1');
    expect(workers).toHaveLength(5);
    for (const w of workers) {
      expect(w).toMatchObject({ status: 'submitted', hasJob: 1, nJobs: 1, accessPoint: `/tmp/ap/${w.workerID}` });
      expect(w.batchID).toBeTruthy();
      expect(past(w.lastUpdate, 3_600_000), 'worker propagation triggered').toBe(true);
    }
    const rel = await relationsOf(e.db.sql);
    const jobs = await jobsOf(e.db.sql);
    const bound = workers.map((w) => rel.get(w.workerID));
    expect(bound.every((b) => b?.length === 1)).toBe(true);
    // Priority order: equal priority and task, so the lowest PandaIDs go first.
    expect(bound.flat().sort()).toEqual([1, 2, 3, 4, 5]);
    for (const id of [1, 2, 3, 4, 5]) {
      expect(jobs.get(id)).toMatchObject({ status: 'starting', subStatus: 'submitted', lockedBy: null, nWorkers: 1, nWorkersInTotal: 1 });
      expect(past(jobs.get(id)!.propagatorTime, 60_000), 'job propagation triggered').toBe(true);
    }
    for (const id of [6, 7, 8]) expect(jobs.get(id)).toMatchObject({ subStatus: 'prepared', lockedBy: null, nWorkers: 0, propagatorTime: null });

    // The queue is full: nothing more until workers leave the queued state.
    await sleep(5);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 0 });
    expect(await countActiveWorkers(e.db.sql, 'Q1')).toBe(5);
    await e.db.sql.run("UPDATE work_table SET status = 'running' WHERE workerID IN (SELECT workerID FROM work_table ORDER BY workerID LIMIT 2)");
    await sleep(5);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 2 });
    // maxWorkers 10 with 7 in the system: 3 more at most even though 5 may queue.
    await e.db.sql.run("UPDATE work_table SET status = 'running' WHERE status = 'submitted'");
    await seedPreparedJobs(e.db.sql, 'Q1', [9, 10, 11, 12, 13, 14]);
    await sleep(5);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 3 });
    expect(await countActiveWorkers(e.db.sql, 'Q1')).toBe(10);
  });

  it('NoJob: empty workers (hasJob 0), no job claimed, no relations', async () => {
    const e = await start({ P1: { mapType: 'NoJob', nQueueLimitWorker: 3 } });
    await seedPreparedJobs(e.db.sql, 'P1', [1, 2]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 3, jobsSubmitted: 0 });
    const workers = await workersOf(e.db.sql, 'P1');
    expect(workers.map((w) => [w.status, w.hasJob, w.nJobs])).toEqual([['submitted', 0, 0], ['submitted', 0, 0], ['submitted', 0, 0]]);
    expect(workers.every((w) => past(w.lastUpdate, 3_600_000))).toBe(true);
    expect((await relationsOf(e.db.sql)).size).toBe(0);
    const jobs = await jobsOf(e.db.sql);
    expect([...jobs.values()].map((j) => [j.subStatus, j.lockedBy, j.propagatorTime])).toEqual([['prepared', null, null], ['prepared', null, null]]);
    const sync = await e.db.sql.all('SELECT DISTINCT syncLevel FROM work_table');
    expect(sync.map((r) => Number(r.syncLevel))).toEqual([1]);
  });

  it('NoJob: pilots limited by the activated jobs PanDA reports', async () => {
    const e = await start({ P1: { mapType: 'NoJob', nQueueLimitWorker: 10 } });
    await e.db.sql.run('REPLACE INTO cache_table (mainKey, subKey, data, lastUpdate) VALUES (?, ?, ?, ?)', ['job_statistics.json', null, JSON.stringify({ P1: { activated: 4 } }), new Date()]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 4 });
  });

  it('ManyToOne: nJobsPerWorker jobs per worker, never mixing tasks', async () => {
    const e = await start({ M1: { mapType: 'ManyToOne', nQueueLimitWorker: 3, workerMaker: { nJobsPerWorker: 2 } } });
    await seedPreparedJobs(e.db.sql, 'M1', [
      { PandaID: 1, taskID: 10 }, { PandaID: 2, taskID: 20 }, { PandaID: 3, taskID: 10 }, { PandaID: 4, taskID: 20 }, { PandaID: 5, taskID: 10 },
      { PandaID: 6, taskID: 30 }, { PandaID: 7, taskID: 30 }, { PandaID: 8, taskID: 30 },
    ]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 3, jobsSubmitted: 5 });
    const workers = await workersOf(e.db.sql, 'M1');
    const rel = await relationsOf(e.db.sql);
    const jobs = await jobsOf(e.db.sql);
    // Claimed in order taskID, PandaID: 1,3,5 (task 10), 2,4 (task 20), 6 (task 30, left over).
    expect(workers.map((w) => rel.get(w.workerID))).toEqual([[1, 3], [5], [2, 4]]);
    expect(workers.map((w) => w.nJobs)).toEqual([2, 1, 2]);
    for (const w of workers) expect(new Set(rel.get(w.workerID)!.map((id) => jobs.get(id)!.taskID)).size).toBe(1);
    for (const id of [1, 2, 3, 4, 5]) expect(jobs.get(id)).toMatchObject({ subStatus: 'submitted', nWorkers: 1, lockedBy: null });
    for (const id of [6, 7, 8]) expect(jobs.get(id)).toMatchObject({ subStatus: 'prepared', lockedBy: null });
  });

  it('OneToMany: one job shared by nWorkersPerJob workers, counts on the job', async () => {
    const e = await start({ O1: { mapType: 'OneToMany', nQueueLimitWorker: 3, workerMaker: { nWorkersPerJob: 3, maxWorkersPerJobInTotal: 4 } } });
    await seedPreparedJobs(e.db.sql, 'O1', [1, 2]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 3, jobsSubmitted: 1 });
    const workers = await workersOf(e.db.sql, 'O1');
    const rel = await relationsOf(e.db.sql);
    expect(workers.map((w) => rel.get(w.workerID))).toEqual([[1], [1], [1]]);
    const jobs = await jobsOf(e.db.sql);
    expect(jobs.get(1)).toMatchObject({ subStatus: 'submitted', nWorkers: 3, nWorkersInTotal: 3, lockedBy: null });
    expect(past(jobs.get(1)!.propagatorTime, 60_000)).toBe(true);
    expect(jobs.get(2)).toMatchObject({ subStatus: 'prepared', nWorkers: 0 });

    // One worker ends: job 1 may take one more (limit 3 at a time, 4 in total), then job 2 the rest.
    await e.db.sql.run("UPDATE work_table SET status = 'finished' WHERE workerID = ?", [workers[0].workerID]);
    await e.db.sql.run('UPDATE job_table SET nWorkers = 2 WHERE PandaID = 1');
    await sleep(5);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 1 });
    const after = await jobsOf(e.db.sql);
    expect(after.get(1)).toMatchObject({ nWorkers: 3, nWorkersInTotal: 4 });
  });
});

describe('submitter: late binding', () => {
  it('workers become ready and their jobs queued', async () => {
    const e = await start({ L1: { useJobLateBinding: true, nQueueLimitWorker: 2 } });
    await seedPreparedJobs(e.db.sql, 'L1', [1, 2, 3]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 2 });
    const workers = await workersOf(e.db.sql, 'L1');
    expect(workers.map((w) => w.status)).toEqual(['ready', 'ready']);
    const jobs = await jobsOf(e.db.sql);
    expect([1, 2].map((id) => jobs.get(id)!.subStatus)).toEqual(['queued', 'queued']);
    expect(jobs.get(3)!.subStatus).toBe('prepared');
    expect((await relationsOf(e.db.sql)).size).toBe(2);
  });
});

describe('submitter: failures', () => {
  it('a failing submitter plugin: workers missed, jobs retried, then failed_to_make after maxSubmissionAttempts', async () => {
    const e = await start({ F1: { nQueueLimitWorker: 2, maxSubmissionAttempts: 3, submitter: { failureRate: 1 } } });
    await seedPreparedJobs(e.db.sql, 'F1', [1, 2]);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 0, missed: 2, jobsRetried: 2, jobsFailed: 0 });
      const jobs = await jobsOf(e.db.sql);
      for (const id of [1, 2]) expect(jobs.get(id)).toMatchObject({ status: 'starting', subStatus: 'prepared', submissionAttempts: attempt, lockedBy: null, propagatorTime: null });
      await sleep(5);
    }
    expect(await e.runCycle(new Submitter())).toMatchObject({ missed: 2, jobsRetried: 0, jobsFailed: 2 });
    const workers = await workersOf(e.db.sql, 'F1');
    expect(workers).toHaveLength(6);
    expect(workers.every((w) => w.status === 'missed' && past(w.lastUpdate, 3_600_000))).toBe(true);
    const jobs = await jobsOf(e.db.sql);
    for (const id of [1, 2]) {
      const j = jobs.get(id)!;
      expect(j).toMatchObject({ status: 'failed', subStatus: 'failed_to_make', submissionAttempts: 3, lockedBy: null });
      expect(JSON.parse(j.jobAttributes!)).toMatchObject({ pilotErrorCode: 1110 });
      expect(past(j.propagatorTime, 60_000)).toBe(true);
    }
    // Each failed job is reported with the missed worker of its last attempt.
    const rel = await relationsOf(e.db.sql);
    expect([...rel.values()].flat().sort()).toEqual([1, 2]);
    expect([...rel.keys()].every((w) => workers.slice(4).some((x) => x.workerID === w))).toBe(true);
    const dialogs = await e.db.sql.all("SELECT diagMessage FROM diag_table WHERE moduleName = 'submitter'");
    expect(dialogs).toHaveLength(6);
    expect(String(dialogs[0].diagMessage)).toMatch(/queue F1: worker \d+ not submitted/);
  });

  it('a permanent failure fails the jobs at once', async () => {
    const e = await start({ F2: { nQueueLimitWorker: 1, submitter: { failureRate: 1, temporaryFailures: false } } });
    await seedPreparedJobs(e.db.sql, 'F2', [1]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ missed: 1, jobsFailed: 1 });
    expect((await jobsOf(e.db.sql)).get(1)).toMatchObject({ status: 'failed', subStatus: 'failed_to_make', submissionAttempts: 1 });
  });

  it('a failing worker maker: jobs failed_to_make, no worker row', async () => {
    const e = await start({ F3: { nQueueLimitWorker: 2, workerMaker: { failureRate: 1 } } });
    await seedPreparedJobs(e.db.sql, 'F3', [1, 2]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ makeFailed: 2, jobsFailed: 2, submitted: 0 });
    expect(await workersOf(e.db.sql, 'F3')).toHaveLength(0);
    const jobs = await jobsOf(e.db.sql);
    for (const id of [1, 2]) expect(jobs.get(id)).toMatchObject({ status: 'failed', subStatus: 'failed_to_make', lockedBy: null });
  });
});

describe('submitter: crash safety', () => {
  it('workers are in the database as pending (jobs held) before the submitter plugin returns', async () => {
    const e = await start({ C1: { nQueueLimitWorker: 3, submitter: { submitDelay: 1500 } } });
    await seedPreparedJobs(e.db.sql, 'C1', [1, 2, 3]);
    const cycle = e.runCycle(new Submitter());
    let pending: Awaited<ReturnType<typeof workersOf>> = [];
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      await sleep(20);
      pending = (await workersOf(e.db.sql, 'C1')).filter((w) => w.status === 'pending');
    }
    expect(pending).toHaveLength(3);
    expect(pending.every((w) => w.batchID === null)).toBe(true);
    const held = await jobsOf(e.db.sql);
    expect([1, 2, 3].every((id) => held.get(id)!.lockedBy?.startsWith('submitter-'))).toBe(true);
    // The site is locked meanwhile: a second submitter finds nothing to do.
    expect(await e.runCycle(new Submitter(), { thread: 1 })).toMatchObject({ sites: 0 });
    expect(await cycle).toMatchObject({ submitted: 3 });
    expect((await workersOf(e.db.sql, 'C1')).map((w) => w.status)).toEqual(['submitted', 'submitted', 'submitted']);
  });

  it('pending workers left by a dead submitter are deleted after lockInterval and count until then', async () => {
    const e = await start({ C2: { nQueueLimitWorker: 2 } });
    const old = new Date(Date.now() - 700_000);
    await e.db.sql.run("INSERT INTO work_table (workerID, status, computingSite, modificationTime) VALUES (900001, 'pending', 'C2', ?)", [old]);
    await e.db.sql.run("INSERT INTO work_table (workerID, status, computingSite, modificationTime) VALUES (900002, 'pending', 'C2', ?)", [new Date()]);
    await seedPreparedJobs(e.db.sql, 'C2', [1, 2]);
    // The fresh pending worker still counts as queued: only one new worker fits.
    expect(await e.runCycle(new Submitter())).toMatchObject({ orphansDeleted: 1, submitted: 1 });
    const ids = (await workersOf(e.db.sql, 'C2')).map((w) => w.workerID);
    expect(ids).not.toContain(900001);
    expect(ids).toContain(900002);
  });
});

describe('submitter: site lock and slave mode', () => {
  it('slave mode: submits what PanDA asked for and consumes nNewWorkers', async () => {
    const e = await start({ S1: { runMode: 'slave', mapType: 'NoJob', nQueueLimitWorker: 10 } });
    await e.db.sql.run("UPDATE pq_table SET nNewWorkers = 3 WHERE queueName = 'S1'");
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 3 });
    const pq = await e.db.sql.all("SELECT nNewWorkers, lockedBy FROM pq_table WHERE queueName = 'S1'");
    expect(pq.map((r) => [Number(r.nNewWorkers), r.lockedBy])).toEqual([[0, null]]);
    await sleep(5);
    expect(await e.runCycle(new Submitter())).toMatchObject({ submitted: 0 });
  });

  it('a site is skipped until lookupTime has passed since it was last submitted to', async () => {
    const e = await start({ Q1: { nQueueLimitWorker: 1 } }, { submitter: { lookupTime: 3600, checkInterval: 0 } });
    await seedPreparedJobs(e.db.sql, 'Q1', [1, 2]);
    expect(await e.runCycle(new Submitter())).toMatchObject({ sites: 1, submitted: 1 });
    await e.db.sql.run("UPDATE work_table SET status = 'running'");
    expect(await e.runCycle(new Submitter())).toMatchObject({ sites: 0 });
  });
});

describe('submitter: what reaches upstream (through the real propagator and the embedded WMS)', () => {
  it('submitted workers and their jobs, missed workers, failed jobs and dialogs are reported', async () => {
    const e = await start({
      Q1: { nQueueLimitWorker: 2 },
      F1: { nQueueLimitWorker: 1, submitter: { failureRate: 1, temporaryFailures: false } },
    });
    const ok = e.wms.store.addJobs([{}, {}], { site: 'Q1' });
    const bad = e.wms.store.addJobs([{}], { site: 'F1' });
    await seedPreparedJobs(e.db.sql, 'Q1', ok);
    await seedPreparedJobs(e.db.sql, 'F1', bad);
    expect(await e.runCycle(new Submitter())).toMatchObject({ sites: 2, submitted: 2, missed: 1, jobsFailed: 1 });
    await e.runCycle(new Propagator());

    const rel = await relationsOf(e.db.sql);
    const workers = await workersOf(e.db.sql);
    const upstream = new Map(e.wms.store.snapshot().workers.map((w) => [w.workerID, w]));
    for (const w of workers) {
      expect(upstream.get(w.workerID)?.status, `worker ${w.workerID} reported`).toBe(w.computingSite === 'Q1' ? 'submitted' : 'missed');
    }
    for (const id of ok) {
      expect(e.wms.store.jobStatus(id).status).toBe('starting');
      expect([...rel.values()].flat()).toContain(id);
    }
    expect(e.wms.store.jobStatus(bad[0]).status).toBe('failed');
    expect(e.wms.store.dialogs.length).toBeGreaterThan(0);
  });
});
