/**
 * Upstream outage: the embedded WMS stops answering (its outage switch) while
 * jobs and workers move on locally. Fetching pauses; nothing is lost: once the
 * WMS answers again every job and worker update reaches it, as its recorded
 * history shows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobFetcher } from '../../src/agents/jobfetcher';
import { Propagator } from '../../src/agents/propagator';
import { secondsBefore } from '../../src/db/dates';
import { addDialogMessage } from '../../src/db/repo/dialogs';
import { insertRelations } from '../../src/db/repo/relations';
import { insertWorkers } from '../../src/db/repo/workers';
import type { OutageMode } from '../../src/wms/server';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';

let env: AgentTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** What the monitor does when it sees a change: new job/worker status, both due for the propagator. */
async function progress(e: AgentTestEnv, pandaIDs: number[], job: [string, string], worker: string): Promise<void> {
  const now = new Date();
  for (const id of pandaIDs) {
    await e.db.sql.run('UPDATE job_table SET status = ?, subStatus = ?, propagatorTime = ? WHERE PandaID = ?', [job[0], job[1], secondsBefore(now, 3600), id]);
    await e.db.sql.run('UPDATE work_table SET status = ?, lastUpdate = ? WHERE workerID = ?', [worker, secondsBefore(now, 86400), id]);
  }
}

async function workerIDsDelivered(e: AgentTestEnv): Promise<Map<number, string[]>> {
  return new Map([...e.wms.store.workers.values()].map((w) => [w.workerID, w.history.map((h) => h.status)]));
}

describe.each<OutageMode>(['drop', '503'])('upstream outage (%s)', (mode) => {
  it('pauses fetching and delivers every job and worker update after the WMS is back', async () => {
    const e = (env = await createAgentTestEnv({
      queueConfig: { PUSH: dummyQueue({ nQueueLimitJob: 10 }) },
      sections: { jobfetcher: { lookupTime: 0 }, propagator: { nJobsInBulk: 4, nWorkersInBulk: 3 } },
    }));
    const served: number[] = [];
    const acquire = e.wms.store.acquireJobs.bind(e.wms.store);
    e.wms.store.acquireJobs = (req) => {
      served.push(req.n);
      return acquire(req);
    };
    e.wms.store.addJobs(Array.from({ length: 20 }, () => ({})), { site: 'PUSH' });
    const fetcher = new JobFetcher();
    const propagator = new Propagator();

    // Before the outage: 10 jobs fetched, reported starting, one submitted worker each (workerID = PandaID).
    expect((await e.runCycle(fetcher)).fetched).toBe(10);
    const ids = (await e.db.sql.all<{ PandaID: number }>('SELECT PandaID FROM job_table ORDER BY PandaID')).map((r) => r.PandaID);
    const now = new Date();
    await insertWorkers(e.db.sql, ids.map((id) => ({
      workerID: id, status: 'submitted' as const, computingSite: 'PUSH', mapType: 'OneToOne' as const, creationTime: now, submitTime: now,
      modificationTime: now, lastUpdate: secondsBefore(now, 86400), nCore: 1,
    })));
    await insertRelations(e.db.sql, ids.map((id) => ({ PandaID: id, workerID: id })));
    await e.runCycle(propagator);
    expect(ids.every((id) => e.wms.store.jobs.get(id)?.status === 'starting')).toBe(true);
    expect((await workerIDsDelivered(e)).size).toBe(10);

    // Outage: jobs start running, half of them finish; the fetcher and propagator keep cycling.
    e.wms.setAvailable(false, mode);
    await progress(e, ids, ['running', 'running'], 'running');
    await addDialogMessage(e.db.sql, { moduleName: 'monitor', identifier: 'PUSH', level: 'WARNING', message: 'said during the outage' });
    for (let i = 0; i < 3; i++) {
      const f = await e.runCycle(fetcher);
      expect(f.fetched).toBe(0);
      const p = await e.runCycle(propagator);
      expect(p.jobsDone).toBe(0);
    }
    await progress(e, ids.slice(0, 5), ['finished', 'staged'], 'finished');
    for (let i = 0; i < 2; i++) await e.runCycle(propagator);
    expect(served).toEqual([10]); // no job was handed out during the outage
    expect(ids.every((id) => e.wms.store.jobs.get(id)?.status === 'starting')).toBe(true);
    // Nothing closed locally, every row still due for the propagator, nobody holding a lock.
    const pending = await e.db.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM job_table WHERE propagatorTime IS NOT NULL AND propagatorLock IS NULL AND subStatus <> ?', ['done']);
    expect(pending[0].n).toBe(10);
    const workersPending = await e.db.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM work_table WHERE lastUpdate IS NOT NULL');
    expect(workersPending[0].n).toBe(10);

    // Back: the first propagator cycle delivers the current state of everything.
    e.wms.setAvailable(true);
    const back = await e.runCycle(propagator);
    expect(back).toMatchObject({ jobsReported: 10, jobsDone: 5, jobsPending: 0, workersSent: 10, workersFinalized: 5, dialogsSent: 1 });
    for (const id of ids.slice(0, 5)) expect(e.wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting', 'finished']);
    for (const id of ids.slice(5)) expect(e.wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting', 'running']);
    const delivered = await workerIDsDelivered(e);
    for (const id of ids.slice(0, 5)) expect(delivered.get(id)).toEqual(['submitted', 'finished']);
    for (const id of ids.slice(5)) expect(delivered.get(id)).toEqual(['submitted', 'running']);
    expect(e.wms.store.dialogs.map((d) => d.data.diagMessage)).toEqual(['said during the outage']);

    // The rest finish after the outage: delivered as usual.
    await progress(e, ids.slice(5), ['finished', 'staged'], 'finished');
    await e.runCycle(propagator);
    for (const id of ids.slice(5)) expect(e.wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting', 'running', 'finished']);
    for (const [id, h] of await workerIDsDelivered(e)) expect(h[h.length - 1], `worker ${id}`).toBe('finished');

    // Fetching resumed: the queue has room for 10 again.
    expect((await e.runCycle(fetcher)).fetched).toBe(10);
    expect(served).toEqual([10, 10]);
  });
});
