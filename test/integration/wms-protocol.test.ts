import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobReport } from '../../src/plugins/communicator';
import type { PandaClient } from '../../src/upstream/panda-client';
import type { WmsHandle } from '../../src/wms/server';
import { clientFor, startTestWms } from '../helpers/wms-fixture';

/**
 * The PanDA client against the real embedded WMS over HTTP on loopback: the
 * same code path the agents use against PanDA.
 */

let wms: WmsHandle;
let client: PandaClient;

beforeEach(async () => {
  wms = await startTestWms();
  client = clientFor(wms);
});

afterEach(async () => {
  client.close();
  await wms.close();
});

function report(PandaID: number, jobStatus: string, jobSubStatus?: string): JobReport {
  return { PandaID, siteName: 'QUEUE_A', jobStatus, jobSubStatus, attemptNr: 1, coreCount: 1 };
}

describe('jobs', () => {
  it('hands out jobs respecting nJobs, site and prodSourceLabel, each job once', async () => {
    wms.store.addJobs(Array.from({ length: 5 }, () => ({})), { site: 'QUEUE_A' });
    wms.store.addJobs([{}, {}], { site: 'QUEUE_B' });
    wms.store.addJobs([{ prodSourceLabel: 'user' }], { site: 'QUEUE_A' });
    const req = { siteName: 'QUEUE_A', node: 'n1', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 3 };

    const first = await client.getJobs(req);
    expect(first.ok).toBe(true);
    expect(first.jobs).toHaveLength(3);
    const second = await client.getJobs(req);
    expect(second.jobs).toHaveLength(2);
    const third = await client.getJobs(req);
    expect(third.ok).toBe(true);
    expect(third.jobs).toHaveLength(0);

    const ids = [...first.jobs, ...second.jobs].map((j) => j.PandaID);
    expect(new Set(ids).size).toBe(5);
    for (const j of [...first.jobs, ...second.jobs]) {
      expect(j.computingSite).toBe('QUEUE_A');
      expect(j.prodSourceLabel).toBe('managed');
      expect(typeof j.jobPars).toBe('string');
    }
    // The user job is still there for a user request; QUEUE_B's jobs never went to QUEUE_A.
    const user = await client.getJobs({ ...req, prodSourceLabel: 'user' });
    expect(user.jobs).toHaveLength(1);
    expect(wms.store.jobCountsByStatus()).toEqual({ sent: 6, activated: 2 });
    // What PanDA would record about the request.
    expect(wms.store.jobs.get(ids[0]!)?.sentTo).toMatchObject({ site: 'QUEUE_A', node: 'n1', schedulerID: 'harvester-test-harvester' });
  });

  it('bulk-updates 250 jobs in 3 requests and records every status in order', async () => {
    const ids = wms.store.addJobs(Array.from({ length: 250 }, () => ({})));
    await client.getJobs({ siteName: 'Q', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 250 });
    const before = wms.store.requestCounts.get('pilot/update_jobs_bulk') ?? 0;

    for (const [status, sub] of [['starting', 'submitted'], ['running', 'running'], ['transferring', 'to_transfer'], ['finished', 'done']] as const) {
      const results = await client.updateJobs(ids.map((id) => report(id, status, sub)));
      expect(results).toHaveLength(250);
      expect(results.every((r) => r.ok && r.statusCode === 0 && r.delivered)).toBe(true);
    }
    expect((wms.store.requestCounts.get('pilot/update_jobs_bulk') ?? 0) - before).toBe(12);
    for (const id of [ids[0]!, ids[99]!, ids[100]!, ids[249]!]) {
      expect(wms.store.statusSequence(id)).toEqual(['activated', 'sent', 'starting', 'running', 'transferring', 'finished']);
    }
    // An update after the final status is recorded but does not change the job.
    await client.updateJobs([report(ids[0]!, 'running')]);
    expect(wms.store.jobs.get(ids[0]!)?.status).toBe('finished');
    expect(wms.store.history.get(ids[0]!)?.at(-1)).toMatchObject({ status: 'running', accepted: false });
  });

  it('sends cancelled/missed as failed, maps attributes, and passes a kill command back', async () => {
    const [a, b, c] = wms.store.addJobs([{}, {}, {}]);
    await client.getJobs({ siteName: 'Q', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 3 });
    expect(wms.store.killJob(c!)).toBe(true);
    const res = await client.updateJobs([
      { ...report(a!, 'cancelled', 'killed'), attributes: { pilotErrorCode: 1144, maxRSS: 10 } },
      report(b!, 'missed', 'missed'),
      report(c!, 'running', 'running'),
      report(987654321, 'running'),
    ]);
    expect(res.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(res[2]!.command).toBe('tobekilled');
    expect(res[3]!.delivered).toBe(true);
    expect(res[3]!.diag).toMatch(/unknown PandaID/);
    const lastA = wms.store.jobs.get(a!)!.lastReport!;
    expect(lastA).toMatchObject({ job_status: 'failed', job_sub_status: 'cancelled', pilot_error_code: 1144, max_rss: 10 });
    expect(wms.store.jobs.get(b!)!.lastReport).toMatchObject({ job_status: 'failed', job_sub_status: 'missed' });

    const checked = await client.checkJobs([a!, c!]);
    expect(checked).toEqual([
      { PandaID: a, status: 'failed', diag: '' },
      { PandaID: c, status: 'running', command: 'tobekilled', diag: '' },
    ]);
  });
});

describe('workers, heartbeat, stats, dialogs, metrics', () => {
  it('records worker updates and their status changes', async () => {
    const t = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    const w = (workerID: number, status: string) => ({ workerID, status, computingSite: 'QUEUE_A', batchID: `b${workerID}`, submitTime: t, pandaIDs: [1, 2] });
    expect(await client.updateWorkers([w(1, 'submitted'), w(2, 'submitted')])).toEqual([true, true]);
    expect(await client.updateWorkers([w(1, 'running')])).toEqual([true]);
    expect(await client.updateWorkers([w(1, 'finished')])).toEqual([true]);
    const w1 = wms.store.workers.get('test-harvester:1')!;
    expect(w1.history.map((h) => h.status)).toEqual(['submitted', 'running', 'finished']);
    expect(w1.record).toMatchObject({ submitTime: 'datetime/2025-01-02 03:04:05.006000', pandaid_list: [1, 2], batchID: 'b1' });
    expect(await client.getMaxWorkerID()).toBe(2);
  });

  it('heartbeat, worker stats, dialogs, service metrics, resource types, job stats', async () => {
    expect(await client.heartbeat({ startTime: 'datetime/2025-01-01 00:00:00.000000', sw_version: 'ts' })).toMatchObject({ ok: true });
    expect(wms.store.heartbeats.at(-1)).toMatchObject({ harvesterId: 'test-harvester', data: { sw_version: 'ts' } });

    const stats = { managed: { SCORE: { running: 3, submitted: 1, finished: 0, to_submit: 2 } } };
    expect((await client.updateWorkerStats('QUEUE_A', stats)).ok).toBe(true);
    expect(await client.getWorkerStats()).toEqual({ QUEUE_A: { 'test-harvester': stats } });

    const d = await client.sendDialogs([{ diagID: 7, moduleName: 'submitter', identifier: null, creationTime: new Date(), messageLevel: 'WARNING', diagMessage: 'disk almost full' }]);
    expect(d.ok).toBe(true);
    expect(wms.store.dialogs.at(-1)?.data).toMatchObject({ diagID: 7, diagMessage: 'disk almost full' });

    expect((await client.updateServiceMetrics([{ creationTime: new Date(), hostName: 'h', metrics: { cpu: 1 } }])).ok).toBe(true);
    expect(wms.store.serviceMetrics).toHaveLength(1);

    expect((await client.getResourceTypes()).map((r) => r.resource_name)).toContain('SCORE');
    wms.store.addJobs([{}], { site: 'QUEUE_A' });
    expect(await client.getJobStats()).toEqual({ QUEUE_A: { SCORE: { managed: { activated: 1 } } } });
    expect((await client.checkPanda()).ok).toBe(true);
    expect((await client.uploadFile('log.1.txt', Buffer.from('hello log'))).ok).toBe(true);
    expect(wms.store.uploads.at(-1)?.name).toBe('log.1.txt');
  });
});

describe('commands', () => {
  it('hands out queued commands once and records acks', async () => {
    const kill = wms.store.queueCommand({ harvester_id: 'test-harvester', command: 'KILL_WORKERS', params: { status: ['submitted'] } });
    wms.store.queueCommand({ harvester_id: 'other-harvester', command: 'KILL_WORKERS' });
    const noAck = wms.store.queueCommand({ harvester_id: 'test-harvester', command: 'REPORT_WORKER_STATS:QUEUE_A', ack_requested: false });

    const got = await client.getCommands(10);
    expect(got).toEqual([
      { command_id: kill.command_id, command: 'KILL_WORKERS', params: { status: ['submitted'] }, ack_requested: true },
      { command_id: noAck.command_id, command: 'REPORT_WORKER_STATS:QUEUE_A', params: null, ack_requested: false },
    ]);
    expect(await client.getCommands(10)).toEqual([]);
    expect(wms.store.commands.find((c) => c.command_id === kill.command_id)?.state).toBe('retrieved');
    expect((await client.ackCommands([kill.command_id])).ok).toBe(true);
    expect(wms.store.commands.find((c) => c.command_id === kill.command_id)?.state).toBe('acknowledged');
  });

  it('queues commands through the WMS API', async () => {
    const res = await fetch(`${wms.url}/wms/v1/commands`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ harvester_id: 'test-harvester', command: 'SET_N_WORKERS_JOBTYPE:QUEUE_A', params: { managed: { SCORE: 5 } } }),
    });
    expect(res.status).toBe(200);
    const got = await client.getCommands(5);
    expect(got.map((c) => c.command)).toEqual(['SET_N_WORKERS_JOBTYPE:QUEUE_A']);
  });
});

describe('event ranges', () => {
  it('hands out ranges in chunks, counts what is left, and records updates', async () => {
    const small = clientFor(wms, { settings: { getEventsChunkSize: 3 } });
    try {
      const [es] = wms.store.addJobs([{ eventService: 1, nEventRanges: 8, taskID: 42, jobsetID: 7 }]);
      const before = wms.store.requestCounts.get('event/acquire_event_ranges') ?? 0;
      const key = String(es);
      const r1 = await small.getEventRanges({ [key]: { pandaID: es!, taskID: 42, jobsetID: 7, nRanges: 5 } }, false);
      expect(r1.ok).toBe(true);
      expect(r1.ranges[key]).toHaveLength(5);
      // 5 ranges with chunk size 3 → two requests.
      expect((wms.store.requestCounts.get('event/acquire_event_ranges') ?? 0) - before).toBe(2);
      expect(r1.ranges[key]![0]!.eventRangeID).toBe(`42-${es}-1-1-1`);
      expect(await small.checkEventAvailability({ PandaID: es!, jobsetID: 7, taskID: 42 })).toBe(3);

      const r2 = await small.getEventRanges({ [key]: { pandaID: es!, taskID: 42, jobsetID: 7, nRanges: 10 } }, true);
      expect(r2.ranges[key]).toHaveLength(3);
      expect(await small.checkEventAvailability({ PandaID: es!, jobsetID: 7, taskID: 42 })).toBe(0);

      const ids = r1.ranges[key]!.map((r) => r.eventRangeID);
      const upd = await small.updateEventRanges([
        { eventRangeID: ids[0]!, eventStatus: 'finished' },
        { eventRangeID: ids[1]!, eventStatus: 'failed' },
        { eventRangeID: 'nonsense', eventStatus: 'finished' },
      ]);
      expect(upd).toMatchObject({ ok: true, statusCode: 0, returns: [true, true, false] });
      const job = wms.store.jobs.get(es!)!;
      expect(job.eventRanges!.slice(0, 3).map((r) => r.status)).toEqual(['finished', 'failed', 'sent']);
    } finally {
      small.close();
    }
  });
});

describe('failures', () => {
  it('retries 503 and then succeeds', async () => {
    wms.injectFailures(2, 503, 'harvester/heartbeat');
    const res = await client.heartbeat({});
    expect(res).toMatchObject({ ok: true, unreachable: false });
    expect(wms.store.requestCounts.get('harvester/heartbeat')).toBe(3);
  });

  it('gives up after the retry budget and reports unreachable', async () => {
    wms.injectFailures(10, 500, 'harvester/heartbeat');
    const res = await client.heartbeat({});
    expect(res).toMatchObject({ ok: false, unreachable: true });
    expect(res.diag).toMatch(/HTTP 500/);
    expect(wms.store.requestCounts.get('harvester/heartbeat')).toBe(4); // 1 + 3 retries
    expect(client.state().reachable).toBe(false);
  });

  it('never retries a 4xx and reports it as refused, not unreachable', async () => {
    wms.injectFailures(1, 400, 'harvester/heartbeat');
    const res = await client.heartbeat({});
    expect(res).toMatchObject({ ok: false, unreachable: false });
    expect(res.diag).toMatch(/HTTP 400/);
    expect(wms.store.requestCounts.get('harvester/heartbeat')).toBe(1);
  });

  it('does not retry acquire_jobs on a 500 (the server may have handed out jobs) but does on 503', async () => {
    wms.store.addJobs([{}]);
    const req = { siteName: 'Q', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 1 };
    wms.injectFailures(1, 500, 'pilot/acquire_jobs');
    const r1 = await client.getJobs(req);
    expect(r1).toMatchObject({ ok: false, unreachable: true, jobs: [] });
    expect(wms.store.requestCounts.get('pilot/acquire_jobs')).toBe(1);
    wms.injectFailures(1, 503, 'pilot/acquire_jobs');
    const r2 = await client.getJobs(req);
    expect(r2.jobs).toHaveLength(1);
    expect(wms.store.requestCounts.get('pilot/acquire_jobs')).toBe(3);
  });

  it('outage: calls report unreachable and updates are not delivered; after recovery they are', async () => {
    const ids = wms.store.addJobs(Array.from({ length: 120 }, () => ({})));
    await client.getJobs({ siteName: 'Q', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 120 });

    for (const mode of ['503', 'drop'] as const) {
      wms.setAvailable(false, mode);
      const fetched = await client.getJobs({ siteName: 'Q', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 1 });
      expect(fetched).toMatchObject({ ok: false, unreachable: true });
      const results = await client.updateJobs(ids.map((id) => report(id, 'running', 'running')));
      expect(results).toHaveLength(120);
      expect(results.every((r) => !r.ok && !r.delivered && r.unreachable && r.statusCode === 999)).toBe(true);
      expect(client.state()).toMatchObject({ reachable: false });
      expect(wms.store.jobs.get(ids[0]!)!.status).toBe('sent');
    }

    wms.setAvailable(true);
    const results = await client.updateJobs(ids.map((id) => report(id, 'running', 'running')));
    expect(results.every((r) => r.ok && r.delivered)).toBe(true);
    expect(client.state().reachable).toBe(true);
    expect(wms.store.statusSequence(ids[119]!)).toEqual(['activated', 'sent', 'running']);
  });

  it('a hanging server hits the client timeout and counts as unreachable', async () => {
    const impatient = clientFor(wms, { settings: { timeout: 0.3 }, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 10 } });
    try {
      wms.setAvailable(false, 'hang');
      const started = Date.now();
      const res = await impatient.heartbeat({});
      expect(res).toMatchObject({ ok: false, unreachable: true });
      expect(res.diag).toMatch(/ETIMEDOUT|no complete reply/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    } finally {
      impatient.close();
    }
  });

  it('a closed port is unreachable', async () => {
    const port = wms.port;
    await wms.close();
    const c = clientFor({ apiUrl: `http://127.0.0.1:${port}/api/v1` }, { retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 5 } });
    try {
      expect(await c.checkPanda()).toMatchObject({ ok: false, unreachable: true });
      expect((await c.checkPanda()).diag).toMatch(/ECONNREFUSED/);
    } finally {
      c.close();
      wms = await startTestWms(); // for afterEach
    }
  });
});

describe('input validation', () => {
  async function post(path: string, body: string): Promise<{ status: number; json: { success: boolean; message: string } }> {
    const res = await fetch(`${wms.apiUrl}/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return { status: res.status, json: (await res.json()) as { success: boolean; message: string } };
  }

  it('rejects bad JSON, wrong types and oversized lists with 400 and a message', async () => {
    const bad = await post('pilot/acquire_jobs', '{"site_name": ');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ success: false });
    expect(bad.json.message).toMatch(/not valid JSON/);

    const notObject = await post('pilot/acquire_jobs', '[1,2]');
    expect(notObject.status).toBe(400);
    expect(notObject.json.message).toMatch(/JSON object/);

    const wrongType = await post('pilot/acquire_jobs', JSON.stringify({ site_name: 'Q', n_jobs: 'many' }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.message).toMatch(/n_jobs: expected an integer/);

    const missing = await post('harvester/update_workers', JSON.stringify({ workers: [] }));
    expect(missing.status).toBe(400);
    expect(missing.json.message).toMatch(/harvester_id: required/);

    const tooMany = await post('pilot/update_jobs_bulk', JSON.stringify({ job_list: Array.from({ length: 1001 }, (_, i) => ({ job_id: i, job_status: 'running' })) }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toMatch(/at most 1000/);

    const badStatus = await post('pilot/update_jobs_bulk', JSON.stringify({ job_list: [{ job_id: 1, job_status: 'exploded' }] }));
    expect(badStatus.status).toBe(200);
    const unknownPath = await post('pilot/nope', '{}');
    expect(unknownPath.status).toBe(404);
    const wrongMethod = await fetch(`${wms.apiUrl}/pilot/acquire_jobs`);
    expect(wrongMethod.status).toBe(405);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const tiny = await startTestWms({ maxBodyBytes: 1024 });
    try {
      const res = await fetch(`${tiny.apiUrl}/harvester/heartbeat`, { method: 'POST', body: JSON.stringify({ harvester_id: 'x', data: { pad: 'x'.repeat(5000) } }) });
      expect(res.status).toBe(413);
    } finally {
      await tiny.close();
    }
  });
});

describe('token auth', () => {
  it('a token-protected WMS rejects a missing or wrong token and accepts the right one', async () => {
    const secured = await startTestWms({ token: 's3cret-token' });
    const none = clientFor(secured);
    const wrong = clientFor(secured, { settings: { auth_type: 'oidc', auth_token: 'wrong', auth_origin: 'atlas' } });
    const right = clientFor(secured, { settings: { auth_type: 'oidc', auth_token: 's3cret-token', auth_origin: 'atlas' } });
    try {
      const r1 = await none.heartbeat({});
      expect(r1).toMatchObject({ ok: false, unreachable: false });
      expect(r1.diag).toMatch(/HTTP 401/);
      expect(r1.diag).not.toMatch(/s3cret/);
      expect((await wrong.heartbeat({})).ok).toBe(false);
      expect((await right.heartbeat({})).ok).toBe(true);
      const admin = await fetch(`${secured.url}/wms/v1/jobs`);
      expect(admin.status).toBe(401);
    } finally {
      none.close();
      wrong.close();
      right.close();
      await secured.close();
    }
  });
});
