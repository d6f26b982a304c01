import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Preparator } from '../../src/agents/preparator';
import type { JobSpec } from '../../src/plugins/types';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';
import { filesOf, jobRow, pluginOf, seedStagingJobs, TestClock } from '../helpers/staging-fixtures';

const preparator = (attrs: Record<string, unknown>) => ({ preparator: { module: 'dummy', name: 'DummyPreparator', ...attrs } });
const input = (lfn: string, status: 'to_prepare' | 'preparing' = 'to_prepare') => ({ lfn, status });

let env: AgentTestEnv;
let partialEnv: AgentTestEnv;
const clock = new TestClock();
const agent = new Preparator({ clock: clock.now });
const cycle = (queue: string, e: AgentTestEnv = env) => e.runCycle(agent, { queue });

const QUEUES = {
  Q_OK: dummyQueue(preparator({ basePath: '/data/in' })),
  Q_FAIL: dummyQueue(preparator({ basePath: '/data/in', failureRate: 1 })),
  Q_SHARED: dummyQueue(preparator({ basePath: '/data/shared' })),
  Q_SHARED2: dummyQueue(preparator({ basePath: '/data/shared2' })),
  Q_STEAL: dummyQueue(preparator({ basePath: '/data/in' })),
  Q_CAP: dummyQueue(preparator({ basePath: '/data/in' })),
  Q_AUX: dummyQueue({ ...preparator({ basePath: '/data/in' }), aux_preparator: { module: 'dummy', name: 'DummyPreparator', basePath: '/data/aux' } }),
};

beforeAll(async () => {
  // Default intervals (check/trigger 180 s): the test clock steps over them, so "not due yet" is testable.
  env = await createAgentTestEnv({ queueConfig: QUEUES, sections: { preparator: { maxJobsToTrigger: 2 } } });
  partialEnv = await createAgentTestEnv({
    queueConfig: { Q_PART: dummyQueue(preparator({ basePath: '/data/in' })) },
    sections: { preparator: { maxFilesPerJobToPrepare: 2, maxFilesPerJobToCheck: 2 } },
  });
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await env?.close();
  await partialEnv?.close();
});

/** Records which LFNs each triggerPreparation call of the queue's (cached) dummy plugin got. */
async function recordTriggers(e: AgentTestEnv, queue: string): Promise<string[][]> {
  const plugin = await pluginOf(e, 'preparator', queue, 'preparator', 'preparator');
  const original = plugin.triggerPreparation.bind(plugin);
  const calls: string[][] = [];
  vi.spyOn(plugin, 'triggerPreparation').mockImplementation(async (job: JobSpec) => {
    calls.push(job.inFiles.map((f) => f.lfn));
    return original(job);
  });
  return calls;
}

describe('preparator: trigger → check → prepared', () => {
  it('stages a job in over two cycles, resolving input paths', async () => {
    await seedStagingJobs(env, [{ PandaID: 1, queue: 'Q_OK', subStatus: 'fetched', files: [input('a.root'), input('b.root')] }]);

    expect(await cycle('Q_OK')).toMatchObject({ check_claimed: 0, trigger_claimed: 1, trigger_preparing: 1, trigger_lost: 0 });
    let job = await jobRow(env, 1);
    expect(job).toMatchObject({ status: 'starting', subStatus: 'preparing', lockedBy: null, preparatorTime: null });
    expect((await filesOf(env, 1)).map((f) => f.status)).toEqual(['triggered', 'triggered']);

    // preparatorTime NULL: checked at the very next cycle, no checkInterval wait.
    expect(await cycle('Q_OK')).toMatchObject({ check_claimed: 1, check_prepared: 1, trigger_claimed: 0 });
    job = await jobRow(env, 1);
    expect(job).toMatchObject({ subStatus: 'prepared', lockedBy: null, preparatorTime: null });
    const files = await filesOf(env, 1);
    expect(files.map((f) => f.status)).toEqual(['ready', 'ready']);
    for (const f of files) expect(f.path).toMatch(new RegExp(`^/data/in/mc23/[0-9a-f]{2}/[0-9a-f]{2}/${f.lfn}$`));
  });

  it('a job whose trigger is pending is released and not looked at again before triggerInterval', async () => {
    await seedStagingJobs(env, [{ PandaID: 2, queue: 'Q_OK', subStatus: 'fetched', files: [input('p.root')] }]);
    const plugin = await pluginOf(env, 'preparator', 'Q_OK', 'preparator', 'preparator');
    const spy = vi.spyOn(plugin, 'triggerPreparation').mockResolvedValueOnce({ status: 'pending', diag: 'storage busy' });

    expect(await cycle('Q_OK')).toMatchObject({ trigger_claimed: 1, trigger_pending: 1 });
    const job = await jobRow(env, 2);
    expect(job).toMatchObject({ subStatus: 'fetched', lockedBy: null });
    expect(job.preparatorTime?.getTime()).toBe(clock.now().getTime());
    expect(await cycle('Q_OK')).toMatchObject({ trigger_claimed: 0 });
    clock.advance(181);
    expect(await cycle('Q_OK')).toMatchObject({ trigger_claimed: 1, trigger_preparing: 1 });
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});

describe('preparator: partial batches', () => {
  it('maxFilesPerJobToPrepare/ToCheck split a job into batches, each looked up again at once', async () => {
    const e = partialEnv;
    await seedStagingJobs(e, [{ PandaID: 10, queue: 'Q_PART', subStatus: 'fetched', files: [input('f1'), input('f2'), input('f3')] }]);
    const calls = await recordTriggers(e, 'Q_PART');

    expect(await cycle('Q_PART', e)).toMatchObject({ trigger_claimed: 1, trigger_partial: 1 });
    expect(await jobRow(e, 10)).toMatchObject({ subStatus: 'fetched', lockedBy: null, preparatorTime: null });
    expect((await filesOf(e, 10)).map((f) => f.status)).toEqual(['triggered', 'triggered', 'to_prepare']);

    expect(await cycle('Q_PART', e)).toMatchObject({ trigger_claimed: 1, trigger_preparing: 1 });
    expect(calls).toEqual([['f1', 'f2'], ['f3']]);
    expect(await jobRow(e, 10)).toMatchObject({ subStatus: 'preparing' });

    expect(await cycle('Q_PART', e)).toMatchObject({ check_claimed: 1, check_partial: 1 });
    expect((await filesOf(e, 10)).map((f) => f.status)).toEqual(['ready', 'ready', 'triggered']);
    expect(await jobRow(e, 10)).toMatchObject({ subStatus: 'preparing', preparatorTime: null });

    expect(await cycle('Q_PART', e)).toMatchObject({ check_claimed: 1, check_prepared: 1 });
    expect((await filesOf(e, 10)).map((f) => f.status)).toEqual(['ready', 'ready', 'ready']);
    expect(await jobRow(e, 10)).toMatchObject({ subStatus: 'prepared' });
  });

  it('a bulk plugin that takes only some files leaves the rest to_prepare for an immediate next round', async () => {
    await seedStagingJobs(env, [{ PandaID: 11, queue: 'Q_OK', subStatus: 'fetched', files: [input('g1'), input('g2')] }]);
    const plugin = await pluginOf(env, 'preparator', 'Q_OK', 'preparator', 'preparator');
    const spy = vi.spyOn(plugin, 'triggerPreparation').mockImplementationOnce(async (job: JobSpec) => ({
      status: 'done', diag: 'one at a time', files: [{ fileID: job.inFiles[0].fileID, status: 'triggered' }],
    }));
    expect(await cycle('Q_OK')).toMatchObject({ trigger_claimed: 1, trigger_partial: 1 });
    expect((await filesOf(env, 11)).map((f) => f.status)).toEqual(['triggered', 'to_prepare']);
    expect(await jobRow(env, 11)).toMatchObject({ subStatus: 'fetched', preparatorTime: null });
    expect(await cycle('Q_OK')).toMatchObject({ trigger_claimed: 1, trigger_preparing: 1 });
    expect(spy.mock.calls.map(([j]) => j.inFiles.map((f) => f.lfn))).toEqual([['g1', 'g2'], ['g2']]);
    spy.mockRestore();
  });
});

describe('preparator: an LFN shared by two jobs is staged in once', () => {
  it('the second job waits, then reuses the ready copy (path included)', async () => {
    // As the job fetcher leaves them: the first job prepares X, the second marks it `preparing`.
    await seedStagingJobs(env, [
      { PandaID: 20, queue: 'Q_SHARED', subStatus: 'fetched', files: [input('X.root')] },
      { PandaID: 21, queue: 'Q_SHARED', subStatus: 'fetched', files: [input('X.root', 'preparing'), input('Y.root')] },
    ]);
    const calls = await recordTriggers(env, 'Q_SHARED');

    expect(await cycle('Q_SHARED')).toMatchObject({ trigger_claimed: 2, trigger_preparing: 1, trigger_waiting: 1 });
    expect(await jobRow(env, 20)).toMatchObject({ subStatus: 'preparing' });
    expect(await jobRow(env, 21)).toMatchObject({ subStatus: 'fetched', lockedBy: null });
    expect((await filesOf(env, 21)).map((f) => f.status)).toEqual(['preparing', 'to_prepare']);

    expect(await cycle('Q_SHARED')).toMatchObject({ check_prepared: 1, trigger_claimed: 0 });
    const path = (await filesOf(env, 20))[0].path;
    expect(path).toMatch(/^\/data\/shared\//);

    clock.advance(181);
    expect(await cycle('Q_SHARED')).toMatchObject({ trigger_claimed: 1, trigger_preparing: 1 });
    const second = await filesOf(env, 21);
    expect(second[0]).toMatchObject({ lfn: 'X.root', status: 'ready', path });
    expect(await cycle('Q_SHARED')).toMatchObject({ check_prepared: 1 });
    expect(await jobRow(env, 21)).toMatchObject({ subStatus: 'prepared' });
    expect((await filesOf(env, 21)).map((f) => f.status)).toEqual(['ready', 'ready']);

    expect(calls.flat().filter((l) => l === 'X.root')).toHaveLength(1);
    expect(calls.flat().filter((l) => l === 'Y.root')).toHaveLength(1);
  });

  it('two jobs claimed together that both list X as to_prepare: only one triggers it', async () => {
    await seedStagingJobs(env, [
      { PandaID: 22, queue: 'Q_SHARED2', subStatus: 'fetched', files: [input('Z.root')] },
      { PandaID: 23, queue: 'Q_SHARED2', subStatus: 'fetched', files: [input('Z.root')] },
    ]);
    const calls = await recordTriggers(env, 'Q_SHARED2');
    expect(await cycle('Q_SHARED2')).toMatchObject({ trigger_claimed: 2, trigger_preparing: 1, trigger_waiting: 1 });
    expect(calls.flat()).toEqual(['Z.root']);
    const subs = [(await jobRow(env, 22)).subStatus, (await jobRow(env, 23)).subStatus].sort();
    expect(subs).toEqual(['fetched', 'preparing']);
  });
});

describe('preparator: failures, caps, aux inputs, lost locks', () => {
  it('a failed stage-in fails the job (failed_to_prepare, pilot error 1099) and triggers its propagation', async () => {
    await seedStagingJobs(env, [{ PandaID: 30, queue: 'Q_FAIL', subStatus: 'fetched', files: [input('bad.root')] }]);
    expect(await cycle('Q_FAIL')).toMatchObject({ trigger_preparing: 1 });
    expect(await cycle('Q_FAIL')).toMatchObject({ check_claimed: 1, check_failed: 1 });
    const job = await jobRow(env, 30);
    expect(job).toMatchObject({ status: 'failed', subStatus: 'failed_to_prepare', lockedBy: null, preparatorTime: null });
    expect(job.jobAttributes).toMatchObject({ pilotErrorCode: 1099 });
    expect(String(job.jobAttributes?.pilotErrorDiag)).toContain('bad.root');
    // Propagation triggered: due for the propagator now (an hour in the past).
    expect(clock.now().getTime() - (job.propagatorTime?.getTime() ?? 0)).toBeGreaterThanOrEqual(3599_000);
    expect((await filesOf(env, 30))[0].status).toBe('failed');
  });

  it('maxJobsToTrigger caps preparations in flight, counting jobs already preparing', async () => {
    // maxJobsToTrigger = 2 in this env; one job already preparing leaves room for one.
    await seedStagingJobs(env, [
      { PandaID: 40, queue: 'Q_CAP', subStatus: 'preparing', files: [{ lfn: 'c0', status: 'triggered' }] },
      { PandaID: 41, queue: 'Q_CAP', subStatus: 'fetched', files: [input('c1')] },
      { PandaID: 42, queue: 'Q_CAP', subStatus: 'fetched', files: [input('c2')] },
    ]);
    // Park the preparing job behind a fresh lock of another thread so this cycle's check does not finish it.
    await env.db.sql.run('UPDATE job_table SET lockedBy = ?, preparatorTime = ? WHERE PandaID = 40', ['other-thread', clock.now()]);
    expect(await cycle('Q_CAP')).toMatchObject({ check_claimed: 0, trigger_inFlight: 1, trigger_claimed: 1 });
    const subs = [(await jobRow(env, 41)).subStatus, (await jobRow(env, 42)).subStatus].sort();
    expect(subs).toEqual(['fetched', 'preparing']);
  });

  it('aux inputs go through aux_preparator after the ordinary ones (auxInput 0 → 1 → 2 → 3 → 4)', async () => {
    await seedStagingJobs(env, [{
      PandaID: 50, queue: 'Q_AUX', subStatus: 'fetched', auxInput: 0,
      files: [input('main.root'), { lfn: 'image.sif', status: 'to_prepare', fileType: 'aux_input' }],
    }]);
    const steps: Array<[string | undefined, number | null | undefined]> = [];
    for (let i = 0; i < 4; i++) {
      await cycle('Q_AUX');
      const j = await jobRow(env, 50);
      steps.push([j.subStatus, j.auxInput]);
    }
    expect(steps).toEqual([['fetched', 1], ['preparing', 2], ['preparing', 3], ['prepared', 4]]);
    const [main, aux] = await filesOf(env, 50);
    expect(main).toMatchObject({ status: 'ready' });
    expect(main.path).toMatch(/^\/data\/in\//);
    expect(aux).toMatchObject({ status: 'ready' });
    expect(aux.path).toMatch(/^\/data\/aux\//);
  });

  it('a release by a former owner writes nothing (lock taken over during the plugin call)', async () => {
    await seedStagingJobs(env, [{ PandaID: 60, queue: 'Q_STEAL', subStatus: 'fetched', files: [input('s1'), input('s2')] }]);
    const plugin = await pluginOf(env, 'preparator', 'Q_STEAL', 'preparator', 'preparator');
    const original = plugin.triggerPreparation.bind(plugin);
    const spy = vi.spyOn(plugin, 'triggerPreparation').mockImplementationOnce(async (job: JobSpec) => {
      // Another thread took the job over (as after lockInterval) while the plugin worked.
      await env.db.sql.run("UPDATE job_table SET lockedBy = 'thief', preparatorTime = ? WHERE PandaID = ?", [clock.now(), job.PandaID]);
      return original(job);
    });
    expect(await cycle('Q_STEAL')).toMatchObject({ trigger_claimed: 1, trigger_preparing: 1, trigger_lost: 1 });
    expect(await jobRow(env, 60)).toMatchObject({ subStatus: 'fetched', lockedBy: 'thief' });
    expect((await filesOf(env, 60)).map((f) => f.status)).toEqual(['to_prepare', 'to_prepare']);
    spy.mockRestore();

    // Same in the check phase.
    await env.db.sql.run("UPDATE job_table SET subStatus = 'preparing', lockedBy = NULL, preparatorTime = NULL WHERE PandaID = 60");
    const check = vi.spyOn(plugin, 'checkStageInStatus').mockImplementationOnce(async (job: JobSpec) => {
      await env.db.sql.run("UPDATE job_table SET lockedBy = 'thief' WHERE PandaID = ?", [job.PandaID]);
      return { status: 'done', diag: '' };
    });
    expect(await cycle('Q_STEAL')).toMatchObject({ check_claimed: 1, check_prepared: 1, check_lost: 1 });
    expect(await jobRow(env, 60)).toMatchObject({ subStatus: 'preparing', lockedBy: 'thief' });
    expect((await filesOf(env, 60)).map((f) => f.status)).toEqual(['to_prepare', 'to_prepare']);
    check.mockRestore();
  });
});
