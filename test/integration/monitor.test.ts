import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/agents/monitor';
import { Sweeper } from '../../src/agents/sweeper';
import { dummyPayload } from '../../plugins/messenger/dummy';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';
import { ago, count, forceBatchStatus, jobRow, seedJobs, seedWorkers, setBatchClock, workerRow } from '../helpers/monitor-fixtures';

const monitor = (attrs: Record<string, unknown>) => ({ monitor: { module: 'dummy', name: 'DummyMonitor', ...attrs } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let env: AgentTestEnv;
const agent = new Monitor();
const cycle = (queue: string, thread = 0) => env.runCycle(agent, { queue, thread });

beforeAll(async () => {
  env = await createAgentTestEnv({
    queueConfig: {
      Q_FLOW: dummyQueue(monitor({ runAfter: 60, finishAfter: 60 })),
      Q_FAIL: dummyQueue(monitor({ failureRate: 1 })),
      Q_TIMEOUT: dummyQueue(monitor({ unknownRate: 1, checkTimeout: 5 })),
      Q_QLIMIT: dummyQueue(monitor({ runAfter: 100000 })),
      Q_MANY: dummyQueue({ mapType: 'OneToMany', ...monitor({ runAfter: 0, finishAfter: 100000 }) }),
      Q_M2O: dummyQueue({ mapType: 'ManyToOne', ...monitor({ runAfter: 0, finishAfter: 100000 }) }),
      Q_SLOW: dummyQueue(monitor({ runAfter: 0, finishAfter: 100000, checkDelay: 1000 })),
    },
    // checkInterval 0: every worker is due at every cycle, so each cycle below is one step.
    sections: { monitor: { checkInterval: 0, workerQueueTimeLimit: 30 }, sweeper: { checkInterval: 1 } },
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('monitor (DB mode) over sqlite with the dummy batch system', () => {
  it('submitted → running → finished: final status only after outputs and post-processing; jobs follow', async () => {
    await seedJobs(env, 'Q_FLOW', [{ PandaID: 101, outFiles: ['out101.root'], logFile: 'log101.tgz' }]);
    await seedWorkers(env, [{ workerID: 1, queue: 'Q_FLOW', jobs: [101] }]);

    expect(await cycle('Q_FLOW')).toMatchObject({ claimed: 1, written: 1 });
    expect((await workerRow(env, 1)).status).toBe('submitted');
    expect(await jobRow(env, 101)).toMatchObject({ status: 'starting', subStatus: 'submitted' });

    await setBatchClock(env, 1, 90); // the batch system started it
    await cycle('Q_FLOW');
    const running = await workerRow(env, 1);
    expect(running).toMatchObject({ status: 'running', nativeStatus: 'RUNNING', lockedBy: null });
    expect(running.startTime).toBeInstanceOf(Date);
    expect(running.lastUpdate).toBeInstanceOf(Date); // worker propagation triggered
    const jobRunning = await jobRow(env, 101);
    expect(jobRunning).toMatchObject({ status: 'running', subStatus: 'running' });
    expect(jobRunning.startTime).toBeInstanceOf(Date);
    expect(jobRunning.propagatorTime).toBeInstanceOf(Date);
    expect(jobRunning.jobAttributes?.batchID).toMatch(/^dummy-\d+-1-/); // set once, from the worker

    await setBatchClock(env, 1, 150);
    // The batch job finished: outputs are collected first, the worker is held as running.
    const r3 = await cycle('Q_FLOW');
    expect(r3.files).toBe(2);
    const held = await workerRow(env, 1);
    expect(held.status).toBe('running');
    expect(held.workParams?.finalMonStatus).toBe('finished');
    expect(held.postProcessed ?? 0).toBe(0);
    const withFiles = await jobRow(env, 101);
    expect(withFiles).toMatchObject({ status: 'running', subStatus: 'running', hasOutFile: 1 });
    expect(withFiles.outFiles.map((f) => [f.lfn, f.fileType, f.status, f.workerID]).sort()).toEqual([
      ['log101.tgz', 'log', 'defined', 1],
      ['out101.root', 'output', 'defined', 1],
    ]);

    // No more outputs: post-processing runs, still held.
    expect(dummyPayload('Q_FLOW').postProcessedJobs(1)).toBeUndefined();
    await cycle('Q_FLOW');
    expect(await workerRow(env, 1)).toMatchObject({ status: 'running', postProcessed: 1 });
    // Post-processing gets the full job — its files and the PanDA job dict — though status checks read slim rows.
    const [pp] = dummyPayload('Q_FLOW').postProcessedJobs(1) ?? [];
    expect(pp?.PandaID).toBe(101);
    expect(pp?.outFileLfns.sort()).toEqual(['log101.tgz', 'out101.root']);
    expect(pp?.jobParamsPandaID).toBe(101);
    expect((await jobRow(env, 101)).status).toBe('running');

    // Now the final status lands, for the worker and its job.
    await cycle('Q_FLOW');
    const done = await workerRow(env, 1);
    expect(done.status).toBe('finished');
    expect(done.endTime).toBeInstanceOf(Date);
    const jobDone = await jobRow(env, 101);
    expect(jobDone).toMatchObject({ status: 'finished', subStatus: 'to_transfer', hasOutFile: 1 });
    expect(jobDone.endTime).toBeInstanceOf(Date);
    expect(jobDone.jobAttributes?.pilotErrorCode).toBeUndefined();
    expect(await count(env, 'file_table', 'PandaID = 101')).toBe(2); // not inserted twice

    // A final worker is never claimed again.
    expect(await cycle('Q_FLOW')).toMatchObject({ claimed: 0 });
  });

  it('a failed worker fails its job with the error fields', async () => {
    await seedJobs(env, 'Q_FAIL', [{ PandaID: 201, outFiles: ['out201.root'], logFile: 'log201.tgz' }]);
    await seedWorkers(env, [{ workerID: 2, queue: 'Q_FAIL', jobs: [201] }]);
    for (let i = 0; i < 4; i++) await cycle('Q_FAIL');
    const w = await workerRow(env, 2);
    expect(w).toMatchObject({ status: 'failed', errorCode: 1008, errorDiag: 'dummy payload failure', nativeExitCode: 1 });
    expect(w.workAttributes).toMatchObject({ pilotErrorCode: 1008 });
    const j = await jobRow(env, 201);
    expect(j).toMatchObject({ status: 'failed', subStatus: 'to_transfer' });
    expect(j.jobAttributes).toMatchObject({ pilotErrorCode: 1008, pilotErrorDiag: 'dummy payload failure' });
    // a failed payload only leaves its log file
    expect(j.outFiles.map((f) => f.lfn)).toEqual(['log201.tgz']);
  });

  it('checkTimeout: checks failing for longer than checkTimeout kill the worker, cancelled with error 1236', async () => {
    await seedJobs(env, 'Q_TIMEOUT', [{ PandaID: 301 }, { PandaID: 302 }]);
    await seedWorkers(env, [
      { workerID: 3, queue: 'Q_TIMEOUT', jobs: [301], checkTime: ago(60) },
      { workerID: 4, queue: 'Q_TIMEOUT', jobs: [302], checkTime: ago(1) },
    ]);
    const r = await cycle('Q_TIMEOUT');
    expect(r.killed).toBe(1);
    const w3 = await workerRow(env, 3);
    expect(w3.killTime).toBeInstanceOf(Date);
    expect(w3.workParams?.finalMonStatus).toBe('cancelled');
    const w4 = await workerRow(env, 4);
    expect(w4).toMatchObject({ status: 'submitted', killTime: null });
    expect(w4.checkTime?.getTime()).toBeLessThan(Date.now() - 500); // a failed check does not move checkTime

    await cycle('Q_TIMEOUT');
    const dead = await workerRow(env, 3);
    expect(dead).toMatchObject({ status: 'cancelled', errorCode: 1236 });
    expect(String(dead.errorDiag)).toMatch(/consecutive worker check failures/);
    const j = await jobRow(env, 301);
    expect(j).toMatchObject({ status: 'cancelled', subStatus: 'to_transfer' });
    expect(j.jobAttributes?.pilotErrorCode).toBe(1236);
    expect((await workerRow(env, 4)).status).toBe('submitted');
    expect((await jobRow(env, 302)).status).toBe('starting');
  });

  it('workerQueueTimeLimit: a worker queued too long is killed (sweeper), then seen cancelled', async () => {
    await seedJobs(env, 'Q_QLIMIT', [{ PandaID: 401 }, { PandaID: 402 }]);
    await seedWorkers(env, [
      { workerID: 5, queue: 'Q_QLIMIT', jobs: [401], batchSubmittedAt: ago(60) },
      { workerID: 6, queue: 'Q_QLIMIT', jobs: [402], batchSubmittedAt: ago(5) },
    ]);
    expect(await cycle('Q_QLIMIT')).toMatchObject({ killed: 1 });
    const marked = await workerRow(env, 5);
    expect(marked.status).toBe('submitted'); // the monitor only asks for the kill
    expect(marked.killTime).toBeInstanceOf(Date);
    expect(marked.workAttributes?.pilotErrorCode).toBe(1236);
    expect((await workerRow(env, 6)).killTime).toBeNull();

    expect(await env.runCycle(new Sweeper(), { queue: 'Q_QLIMIT' })).toMatchObject({ toKill: 1, killed: 1 });
    for (let i = 0; i < 3; i++) await cycle('Q_QLIMIT');
    expect(await workerRow(env, 5)).toMatchObject({ status: 'cancelled', errorCode: 1236 });
    expect(await jobRow(env, 401)).toMatchObject({ status: 'cancelled', subStatus: 'to_transfer' });
    expect((await workerRow(env, 6)).status).toBe('submitted');
  });

  it('OneToMany: the job runs while any worker runs and ends finished if any of its workers finished', async () => {
    await seedJobs(env, 'Q_MANY', [{ PandaID: 501 }]);
    await seedWorkers(env, [
      { workerID: 51, queue: 'Q_MANY', jobs: [501], accessPoint: true },
      { workerID: 52, queue: 'Q_MANY', jobs: [501], accessPoint: true },
    ]);
    // Worker 52 alone is claimable, but its set belongs to the holder of 51 (the lowest workerID): deferred.
    await env.db.sql.run("UPDATE work_table SET lockedBy = 'monitor-other-0', modificationTime = ? WHERE workerID = 51", [new Date()]);
    expect(await cycle('Q_MANY')).toMatchObject({ claimed: 1, deferred: 1, written: 0 });
    expect(await workerRow(env, 52)).toMatchObject({ status: 'submitted', lockedBy: null });
    await env.db.sql.run('UPDATE work_table SET lockedBy = NULL, modificationTime = ? WHERE workerID = 51', [ago(3600)]);

    await cycle('Q_MANY');
    expect((await workerRow(env, 51)).status).toBe('running');
    expect((await workerRow(env, 52)).status).toBe('running');
    expect(await jobRow(env, 501)).toMatchObject({ status: 'running', subStatus: 'running' });

    forceBatchStatus(await workerRow(env, 51), 'finished');
    for (let i = 0; i < 3; i++) await cycle('Q_MANY');
    expect((await workerRow(env, 51)).status).toBe('finished');
    expect((await workerRow(env, 52)).status).toBe('running');
    expect(await jobRow(env, 501)).toMatchObject({ status: 'running', subStatus: 'running', nWorkers: 1 });

    forceBatchStatus(await workerRow(env, 52), 'failed');
    for (let i = 0; i < 3; i++) await cycle('Q_MANY');
    expect((await workerRow(env, 52)).status).toBe('failed');
    // one finished, one failed → finished (facts §5.1), and no more workers for it
    expect(await jobRow(env, 501)).toMatchObject({ status: 'finished', subStatus: 'to_transfer', moreWorkers: 0, nWorkers: 0 });
  });

  it('ManyToOne: every job of the worker follows it; a payload-reported jobStatus ends one job early', async () => {
    await seedJobs(env, 'Q_M2O', [{ PandaID: 601 }, { PandaID: 602 }, { PandaID: 603 }]);
    await seedWorkers(env, [{ workerID: 60, queue: 'Q_M2O', jobs: [601, 602, 603] }]);
    await cycle('Q_M2O');
    expect((await workerRow(env, 60)).status).toBe('running');
    for (const id of [601, 602, 603]) expect(await jobRow(env, id)).toMatchObject({ status: 'running', subStatus: 'running' });

    dummyPayload('Q_M2O').reportAttributes(60, 602, { jobStatus: 'finished', cpuConsumptionTime: 42 });
    await cycle('Q_M2O');
    expect((await workerRow(env, 60)).status).toBe('running');
    const j602 = await jobRow(env, 602);
    expect(j602).toMatchObject({ status: 'finished', subStatus: 'to_transfer' });
    expect(j602.jobAttributes).toMatchObject({ jobStatus: 'finished', cpuConsumptionTime: 42 });
    expect((await jobRow(env, 601)).status).toBe('running');
    expect((await jobRow(env, 603)).status).toBe('running');
  });

  it('a worker whose lock was taken over mid-cycle gets nothing written, nor do its jobs', async () => {
    await seedJobs(env, 'Q_SLOW', [{ PandaID: 701 }]);
    await seedWorkers(env, [{ workerID: 70, queue: 'Q_SLOW', jobs: [701] }]);
    const running = cycle('Q_SLOW');
    // Wait for the claim, then take the lock over while the plugin's 1 s check is under way.
    while ((await workerRow(env, 70)).lockedBy === null) await sleep(20);
    await env.db.sql.run("UPDATE work_table SET lockedBy = 'monitor-thief-9', modificationTime = ? WHERE workerID = 70", [new Date()]);
    expect(await running).toMatchObject({ claimed: 1, written: 0, lost: 1 });
    const w = await workerRow(env, 70);
    expect(w).toMatchObject({ status: 'submitted', lockedBy: 'monitor-thief-9', startTime: null, lastUpdate: null });
    expect(await jobRow(env, 701)).toMatchObject({ status: 'starting', subStatus: 'submitted', propagatorTime: null });

    // Once the lock is back with a live monitor, the result lands.
    await env.db.sql.run('UPDATE work_table SET lockedBy = NULL, modificationTime = ? WHERE workerID = 70', [ago(3600)]);
    expect(await cycle('Q_SLOW')).toMatchObject({ written: 1 });
    expect((await workerRow(env, 70)).status).toBe('running');
    expect((await jobRow(env, 701)).status).toBe('running');
  });
});
