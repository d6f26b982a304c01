/**
 * The job fetcher against the embedded WMS over HTTP on 127.0.0.1: what it
 * asks for (recorded on the server), what it stores, and how it pauses while
 * the WMS does not answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobFetcher } from '../../src/agents/jobfetcher';
import { jobsToFetch, type JobLimits } from '../../src/agents/jobfetcher/limits';
import { insertJobs, type NewJob } from '../../src/db/repo/jobs';
import type { JsonObject } from '../../src/upstream/json';
import type { WmsHandle } from '../../src/wms/server';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv, type IniSections } from '../helpers/agent-context';

interface AcquireCall {
  site: string;
  n: number;
  prodSourceLabel?: string;
  got: number;
}

/** Records every acquire_jobs request the WMS serves (its n_jobs is what the fetcher asked for). */
function recordAcquires(wms: WmsHandle): AcquireCall[] {
  const calls: AcquireCall[] = [];
  const store = wms.store;
  const original = store.acquireJobs.bind(store);
  store.acquireJobs = (req) => {
    const jobs = original(req);
    calls.push({ site: req.site, n: req.n, prodSourceLabel: req.prodSourceLabel, got: jobs.length });
    return jobs;
  };
  return calls;
}

/** Local jobs of a queue in a status (as if fetched earlier and moved on). */
function localJobs(queue: string, status: 'starting' | 'running', ids: number[]): NewJob[] {
  const now = new Date();
  return ids.map((PandaID) => ({
    PandaID, status, subStatus: status === 'starting' ? 'prepared' : 'running', computingSite: queue, nCore: 1,
    creationTime: now, modificationTime: now, jobParams: {}, files: [],
  }));
}

const FAST: IniSections = { jobfetcher: { lookupTime: 0, maxJobs: 500, nQueues: 5 } };

let env: AgentTestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('job fetcher: limits', () => {
  it('asks only for the jobs missing below nQueueLimitJob and stores them as starting/fetched', async () => {
    env = await createAgentTestEnv({ queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 10 }) }, sections: FAST });
    const calls = recordAcquires(env.wms);
    env.wms.store.addJobs(Array.from({ length: 30 }, () => ({ inFiles: 'in.${PandaID}.root', scopeIn: 'data', fsize: '1234', checksum: 'ad:0001' })));
    await insertJobs(env.db.sql, [...localJobs('Q1', 'starting', [1, 2, 3, 4]), ...localJobs('Q1', 'running', [5, 6, 7])]);

    const r = await env.runCycle(new JobFetcher());
    expect(calls).toEqual([{ site: 'Q1', n: 6, prodSourceLabel: 'managed', got: 6 }]);
    expect(r).toMatchObject({ queues: 1, asked: 6, fetched: 6 });

    const jobs = await env.db.sql.all<{ PandaID: number; status: string; subStatus: string; propagatorTime: string | null; jobAttributes: string; configID: number | null }>(
      "SELECT PandaID, status, subStatus, propagatorTime, jobAttributes, configID FROM job_table WHERE PandaID > 100 ORDER BY PandaID",
    );
    expect(jobs).toHaveLength(6);
    for (const j of jobs) {
      expect(j).toMatchObject({ status: 'starting', subStatus: 'fetched' });
      expect(j.propagatorTime).not.toBeNull();
      expect(JSON.parse(j.jobAttributes)).toEqual({ schedulerID: 'harvester-test-harvester' });
      expect(j.configID).toBe(env.mapper.getQueue('Q1')?.configID);
    }
    const files = await env.db.sql.all<{ PandaID: number; lfn: string; status: string; fileType: string; scope: string; fsize: number; chksum: string }>(
      'SELECT PandaID, lfn, status, fileType, scope, fsize, chksum FROM file_table ORDER BY PandaID',
    );
    expect(files).toHaveLength(6);
    expect(files[0]).toMatchObject({ lfn: `in.${files[0].PandaID}.root`, status: 'to_prepare', fileType: 'input', scope: 'data', fsize: 1234, chksum: 'ad:0001' });
    // WMS side: the six are handed out, nothing else.
    expect(env.wms.store.jobCountsByStatus()).toEqual({ sent: 6, activated: 24 });

    // At the limit now: the next cycle asks nothing at all.
    const r2 = await env.runCycle(new JobFetcher());
    expect(r2).toMatchObject({ queues: 1, full: 1, asked: 0 });
    expect(calls).toHaveLength(1);
  });

  it('does not ask a queue again within lookupTime', async () => {
    env = await createAgentTestEnv({ queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 3 }) }, sections: { jobfetcher: { lookupTime: 600 } } });
    const calls = recordAcquires(env.wms);
    const r1 = await env.runCycle(new JobFetcher());
    expect(r1).toMatchObject({ queues: 1, asked: 3, fetched: 0 });
    const r2 = await env.runCycle(new JobFetcher());
    expect(r2).toMatchObject({ queues: 0, asked: 0 });
    expect(calls).toHaveLength(1);
  });

  it('lowers the limit to running × nQueueLimitJobRatio %, bounded by Min and Max, and caps at maxJobs', async () => {
    env = await createAgentTestEnv({
      queueConfig: {
        RATIO: dummyQueue({ nQueueLimitJob: 100, nQueueLimitJobRatio: 50, nQueueLimitJobMin: 2, nQueueLimitJobMax: 4 }),
        RATIO_MIN: dummyQueue({ nQueueLimitJob: 100, nQueueLimitJobRatio: 50, nQueueLimitJobMin: 3 }),
        CAPPED: dummyQueue({ nQueueLimitJob: 50 }),
        PULL: dummyQueue({ mapType: 'NoJob', nQueueLimitJob: 50 }),
      },
      sections: { jobfetcher: { lookupTime: 0, maxJobs: 7 } },
    });
    const calls = recordAcquires(env.wms);
    // RATIO: 20 running → 50 % = 10, Max 4 → limit 4, 1 starting → ask 3.
    await insertJobs(env.db.sql, [...localJobs('RATIO', 'running', Array.from({ length: 20 }, (_, i) => i + 1)), ...localJobs('RATIO', 'starting', [21])]);
    // RATIO_MIN: 1 running → 0, Min 3 → ask 3.
    await insertJobs(env.db.sql, localJobs('RATIO_MIN', 'running', [31]));
    await env.runCycle(new JobFetcher());
    const asked = Object.fromEntries(calls.map((c) => [c.site, c.n]));
    expect(asked).toEqual({ RATIO: 3, RATIO_MIN: 3, CAPPED: 7 });
    expect(calls.some((c) => c.site === 'PULL')).toBe(false);
  });

  it('asks with a label drawn from prodSourceLabelRandomWeightsPermille', async () => {
    env = await createAgentTestEnv({
      queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 2, prodSourceLabelRandomWeightsPermille: { test: 300 } }) },
      sections: FAST,
    });
    const calls = recordAcquires(env.wms);
    // Slot 299 of 1000 is still in the 300 ‰ of "test"; slot 300 is the queue's own label.
    await env.runCycle(new JobFetcher({ random: () => 0.2999 }));
    await env.runCycle(new JobFetcher({ random: () => 0.3 }));
    expect(calls.map((c) => c.prodSourceLabel)).toEqual(['test', 'managed']);
  });

  it('starts a shared input file as preparing when another starting job brings it in', async () => {
    env = await createAgentTestEnv({ queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 5, ddmEndpointIn: 'SITE_DATADISK' }) }, sections: FAST });
    env.wms.store.addJobs([
      { inFiles: 'shared.root,own1.root' },
      { inFiles: 'shared.root,own2.root,NULL' },
    ]);
    await env.runCycle(new JobFetcher());
    const files = await env.db.sql.all<{ lfn: string; status: string; endpoint: string }>('SELECT lfn, status, endpoint FROM file_table ORDER BY fileID');
    expect(files).toEqual([
      { lfn: 'shared.root', status: 'to_prepare', endpoint: 'SITE_DATADISK' },
      { lfn: 'own1.root', status: 'to_prepare', endpoint: 'SITE_DATADISK' },
      { lfn: 'shared.root', status: 'preparing', endpoint: 'SITE_DATADISK' },
      { lfn: 'own2.root', status: 'to_prepare', endpoint: 'SITE_DATADISK' },
    ]);
  });
});

describe('job fetcher: upstream outage', () => {
  it('fetches nothing while the WMS does not answer and resumes at once when it does', async () => {
    env = await createAgentTestEnv({ queueConfig: { Q1: dummyQueue({ nQueueLimitJob: 4 }) }, sections: { jobfetcher: { lookupTime: 600 } } });
    const calls = recordAcquires(env.wms);
    env.wms.store.addJobs(Array.from({ length: 10 }, (): JsonObject => ({})));
    env.wms.setAvailable(false, 'drop');

    const r1 = await env.runCycle(new JobFetcher());
    expect(r1.fetched).toBe(0);
    expect(env.client.state().reachable).toBe(false);
    // The queue was given back (or never claimed): not waiting out lookupTime=600 s.
    const pq = await env.db.sql.all<{ jobFetchTime: string | null }>("SELECT jobFetchTime FROM pq_table WHERE queueName = 'Q1'");
    expect(pq[0].jobFetchTime).toBeNull();

    const r2 = await env.runCycle(new JobFetcher());
    expect(r2).toMatchObject({ paused: 1, fetched: 0 });
    expect(calls).toHaveLength(0);

    env.wms.setAvailable(true);
    const r3 = await env.runCycle(new JobFetcher());
    expect(r3).toMatchObject({ paused: 0, fetched: 4 });
    expect(calls).toEqual([{ site: 'Q1', n: 4, prodSourceLabel: 'managed', got: 4 }]);
  });
});

describe('job fetcher: limit arithmetic', () => {
  const none: JobLimits = {
    nQueueLimitJob: null, nQueueLimitJobRatio: null, nQueueLimitJobMin: null, nQueueLimitJobMax: null,
    nQueueLimitJobCores: null, nQueueLimitJobCoresRatio: null, nQueueLimitJobCoresMin: null,
  };
  const counts = (starting: number, running: number, startingCores = starting, runningCores = running) => ({ starting, running, startingCores, runningCores });

  it('skips pull queues and full queues, asks for the difference otherwise', () => {
    expect(jobsToFetch(none, counts(0, 0))).toMatchObject({ fetch: false, reason: 'pull' });
    expect(jobsToFetch({ ...none, nQueueLimitJob: 5 }, counts(5, 0))).toMatchObject({ fetch: false, reason: 'full' });
    expect(jobsToFetch({ ...none, nQueueLimitJob: 5 }, counts(2, 100))).toMatchObject({ fetch: true, nJobs: 3 });
  });

  it('lets an idle queue start with min(1, limit) when a ratio is set without Min', () => {
    expect(jobsToFetch({ ...none, nQueueLimitJob: 5, nQueueLimitJobRatio: 10 }, counts(0, 0))).toMatchObject({ fetch: true, nJobs: 1 });
    expect(jobsToFetch({ ...none, nQueueLimitJob: 5, nQueueLimitJobRatio: 10 }, counts(1, 0))).toMatchObject({ fetch: false, reason: 'full' });
  });

  it('stops at the core limit (ratio of running cores, bounded below by the cores Min)', () => {
    const limits = { ...none, nQueueLimitJob: 100, nQueueLimitJobCores: 64, nQueueLimitJobCoresRatio: 50, nQueueLimitJobCoresMin: 16 };
    // 40 running cores → 20 allowed queued cores; 8 jobs of 2 cores = 16 queued: room.
    expect(jobsToFetch(limits, counts(8, 20, 16, 40))).toMatchObject({ fetch: true, coreLimit: 20 });
    expect(jobsToFetch(limits, counts(10, 20, 20, 40))).toMatchObject({ fetch: false, reason: 'full', coreLimit: 20 });
    // Nothing running: the Min (16) applies.
    expect(jobsToFetch(limits, counts(8, 0, 16, 0))).toMatchObject({ fetch: false, reason: 'full', coreLimit: 16 });
  });
});
