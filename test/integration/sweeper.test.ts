import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/agents/monitor';
import { Sweeper } from '../../src/agents/sweeper';
import { markWorkersToKill } from '../../src/db/claim';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';
import { ago, count, jobRow, seedJobs, seedWorkers, workerRow } from '../helpers/monitor-fixtures';

let env: AgentTestEnv;
const sweeper = new Sweeper();
const sweep = (queue: string) => env.runCycle(sweeper, { queue });

/** An ended, fully reported worker with one reported (done) job, files, an event and its access point. */
async function seedEnded(workerID: number, queue: string, status: 'finished' | 'failed', endedSecAgo: number, job: { propagatorTime?: Date | null } = {}): Promise<number> {
  const pandaID = workerID * 10;
  await seedJobs(env, queue, [{ PandaID: pandaID, status, subStatus: 'done', propagatorTime: job.propagatorTime ?? null }]);
  await seedWorkers(env, [{ workerID, queue, status, jobs: [pandaID], accessPoint: true, extra: { endTime: ago(endedSecAgo), lastUpdate: null } }]);
  await env.db.sql.run(
    "INSERT INTO file_table (PandaID, lfn, status, fileType, todelete) VALUES (?, ?, 'finished', 'output', 1), (?, ?, 'done', 'input', 1)",
    [pandaID, `out${pandaID}`, pandaID, `in${pandaID}`],
  );
  await env.db.sql.run("INSERT INTO event_table (eventRangeID, PandaID, eventStatus, subStatus) VALUES (?, ?, 'finished', 'done')", [`${pandaID}-1-1-1`, pandaID]);
  return pandaID;
}

async function rowsOf(workerID: number, pandaID: number): Promise<Record<string, number>> {
  return {
    work: await count(env, 'work_table', 'workerID = ?', [workerID]),
    job: await count(env, 'job_table', 'PandaID = ?', [pandaID]),
    file: await count(env, 'file_table', 'PandaID = ?', [pandaID]),
    event: await count(env, 'event_table', 'PandaID = ?', [pandaID]),
    jw: await count(env, 'jw_table', 'workerID = ? OR PandaID = ?', [workerID, pandaID]),
  };
}
const ALL = { work: 1, job: 1, file: 2, event: 1, jw: 1 };
const NONE = { work: 0, job: 0, file: 0, event: 0, jw: 0 };

beforeAll(async () => {
  env = await createAgentTestEnv({
    queueConfig: {
      Q_KILL: dummyQueue({ monitor: { module: 'dummy', name: 'DummyMonitor', runAfter: 0, finishAfter: 100000 } }),
      Q_CLEAN: dummyQueue(),
    },
    sections: { monitor: { checkInterval: 0 }, sweeper: { checkInterval: 1 } },
  });
  // The schema's keep* are integers (hours, as the original); the sweeper honours fractions, so seconds here.
  Object.assign(env.config.sweeper, { keepFinished: 3 / 3600, keepFailed: 1, keepCancelled: 1, keepMissed: 1, keepPending: 1 });
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('sweeper', () => {
  it('kills workers with a due kill request through the plugin; the monitor then sees them cancelled', async () => {
    await seedJobs(env, 'Q_KILL', [{ PandaID: 1001 }, { PandaID: 1002 }]);
    await seedWorkers(env, [
      { workerID: 100, queue: 'Q_KILL', jobs: [1001], status: 'running' },
      { workerID: 101, queue: 'Q_KILL', jobs: [1002], status: 'finished' },
    ]);
    expect(await markWorkersToKill(env.db.sql, [100])).toBe(1);
    // A kill request on a worker that ended meanwhile is withdrawn without a plugin call.
    await env.db.sql.run('UPDATE work_table SET killTime = ? WHERE workerID = 101', [ago(6 * 3600)]);

    expect(await sweep('Q_KILL')).toMatchObject({ toKill: 1, killed: 1, killFailed: 0 });
    const w = await workerRow(env, 100);
    expect(w.status).toBe('running'); // the sweeper never sets the status
    expect(w.killTime!.getTime()).toBeGreaterThan(Date.now() - 5000); // retry lock: killTime = now
    expect((await workerRow(env, 101)).killTime).toBeNull();
    // not retried before checkInterval
    expect(await sweep('Q_KILL')).toMatchObject({ toKill: 0 });

    const monitor = new Monitor();
    for (let i = 0; i < 3; i++) await env.runCycle(monitor, { queue: 'Q_KILL' });
    expect(await workerRow(env, 100)).toMatchObject({ status: 'cancelled', errorCode: 1144 });
    expect(await jobRow(env, 1001)).toMatchObject({ status: 'cancelled', subStatus: 'to_transfer' });
  });

  it('deletes an ended, reported worker with its job, files, events and relations after keepFinished, not before', async () => {
    const pandaID = await seedEnded(200, 'Q_CLEAN', 'finished', 1);
    const accessPoint = (await workerRow(env, 200)).accessPoint!;
    expect(fs.existsSync(accessPoint)).toBe(true);

    expect(await sweep('Q_CLEAN')).toMatchObject({ toSweep: 0 });
    expect(await rowsOf(200, pandaID)).toEqual(ALL);

    await env.db.sql.run('UPDATE work_table SET endTime = ? WHERE workerID = 200', [ago(4)]);
    expect(await sweep('Q_CLEAN')).toMatchObject({ toSweep: 1, swept: 1, deletedWorkers: 1, deletedJobs: 1 });
    expect(await rowsOf(200, pandaID)).toEqual(NONE);
    expect(fs.existsSync(accessPoint)).toBe(false); // messenger cleanUp
  });

  it('keeps workers with a job still to report, or not fully reported themselves, and per-status keep times', async () => {
    const pending = await seedEnded(300, 'Q_CLEAN', 'finished', 10, { propagatorTime: ago(10) });
    const unreported = await seedEnded(301, 'Q_CLEAN', 'finished', 10);
    await env.db.sql.run('UPDATE work_table SET lastUpdate = ? WHERE workerID = 301', [ago(10)]);
    const failed = await seedEnded(302, 'Q_CLEAN', 'failed', 10); // keepFailed is 1 h

    expect(await sweep('Q_CLEAN')).toMatchObject({ toSweep: 0, deletedWorkers: 0 });
    expect(await rowsOf(300, pending)).toEqual(ALL);
    expect(await rowsOf(301, unreported)).toEqual(ALL);
    expect(await rowsOf(302, failed)).toEqual(ALL);

    // Once reported, both go; the failed one waits for its own keep time.
    await env.db.sql.run('UPDATE job_table SET propagatorTime = NULL WHERE PandaID = ?', [pending]);
    await env.db.sql.run('UPDATE work_table SET lastUpdate = NULL WHERE workerID = 301');
    expect(await sweep('Q_CLEAN')).toMatchObject({ toSweep: 2, deletedWorkers: 2 });
    expect(await rowsOf(300, pending)).toEqual(NONE);
    expect(await rowsOf(301, unreported)).toEqual(NONE);
    expect(await rowsOf(302, failed)).toEqual(ALL);
  });

  it('a swept worker takes only its done jobs: a job still in flight on another worker stays', async () => {
    await seedJobs(env, 'Q_CLEAN', [{ PandaID: 4000, status: 'running', subStatus: 'running' }]);
    await seedWorkers(env, [
      { workerID: 400, queue: 'Q_CLEAN', status: 'finished', jobs: [4000], extra: { endTime: ago(10), lastUpdate: null } },
      { workerID: 401, queue: 'Q_CLEAN', status: 'running', jobs: [4000] },
    ]);
    expect(await sweep('Q_CLEAN')).toMatchObject({ deletedWorkers: 1, deletedJobs: 0 });
    expect(await count(env, 'work_table', 'workerID = 400')).toBe(0);
    expect(await count(env, 'job_table', 'PandaID = 4000')).toBe(1);
    expect(await count(env, 'jw_table', 'workerID = 401 AND PandaID = 4000')).toBe(1);
  });

  it('delete_old_jobs: reported jobs left without workers go after max(keep) + 1 h', async () => {
    await seedJobs(env, 'Q_CLEAN', [
      { PandaID: 5001, status: 'finished', subStatus: 'done', modificationTime: ago(3 * 3600) },
      { PandaID: 5002, status: 'finished', subStatus: 'done', modificationTime: ago(3600) },
      { PandaID: 5003, status: 'finished', subStatus: 'to_transfer', modificationTime: ago(3 * 3600) },
    ]);
    await env.db.sql.run("INSERT INTO file_table (PandaID, lfn, status, fileType) VALUES (5001, 'x', 'finished', 'output')");
    const res = await sweep('Q_CLEAN');
    expect(res.deletedOldJobs).toBe(1);
    expect(await count(env, 'job_table', 'PandaID IN (5001, 5002, 5003)')).toBe(2);
    expect(await count(env, 'file_table', 'PandaID = 5001')).toBe(0);
  });
});
