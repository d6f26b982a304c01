import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Stager } from '../../src/agents/stager';
import type { JobSpec } from '../../src/plugins/types';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';
import { filesOf, jobRow, pluginOf, seedStagingJobs, TestClock } from '../helpers/staging-fixtures';

const stager = (attrs: Record<string, unknown> = {}) => ({ stager: { module: 'dummy', name: 'DummyStager', destination: 'dummy://se', ...attrs } });

let env: AgentTestEnv;
let postZipEnv: AgentTestEnv;
const clock = new TestClock();
const agent = new Stager({ clock: clock.now });
const cycle = (queue: string, e: AgentTestEnv = env) => e.runCycle(agent, { queue });

const ZIPPER = { zipper: { module: 'dummy', name: 'DummyZipper', zipDir: '/zips' } };

beforeAll(async () => {
  // Default check/trigger/zip intervals (180 s); the test clock steps over them.
  env = await createAgentTestEnv({
    queueConfig: {
      Q_OK: dummyQueue(stager()),
      Q_BADFILES: dummyQueue(stager({ failureRate: 1 })),
      Q_FAILCALL: dummyQueue(stager()),
      Q_ZIP: dummyQueue({ ...stager(), ...ZIPPER }),
      Q_STEAL: dummyQueue(stager()),
      Q_PEND: dummyQueue(stager()),
      Q_ES: dummyQueue(stager()),
    },
  });
  postZipEnv = await createAgentTestEnv({ queueConfig: { Q_PZ: dummyQueue({ ...stager(), ...ZIPPER }) }, sections: { zipper: { usePostZipping: true } } });
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await env?.close();
  await postZipEnv?.close();
});

const outputs = () => [
  { lfn: 'out.root', status: 'defined' as const, fileType: 'output' as const, fsize: 1234, chksum: 'ad:0a1b2c3d', fileAttributes: { guid: 'guid-out' } },
  { lfn: 'log.tgz', status: 'defined' as const, fileType: 'log' as const, fsize: 99, chksum: 'ad:deadbeef' },
];

describe('stager: trigger → check → staged', () => {
  it('ships the outputs and reports them in outputFilesToReport', async () => {
    await seedStagingJobs(env, [{
      PandaID: 1, queue: 'Q_OK', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: outputs(),
      jobParamsExtForLog: { lfn: 'log.tgz', guid: 'guid-log' },
    }]);

    expect(await cycle('Q_OK')).toMatchObject({ check_claimed: 0, trigger_claimed: 1, trigger_done: 1, trigger_lost: 0 });
    let job = await jobRow(env, 1);
    expect(job).toMatchObject({ status: 'finished', subStatus: 'transferring', hasOutFile: 3, stagerLock: null });
    // Transfers in flight keep the claim time: checked after checkInterval, not at once.
    expect(job.stagerTime?.getTime()).toBe(clock.now().getTime());
    expect((await filesOf(env, 1)).map((f) => [f.status, f.attemptNr])).toEqual([['transferring', 1], ['transferring', 1]]);

    expect(await cycle('Q_OK')).toMatchObject({ check_claimed: 0 });
    clock.advance(181);
    expect(await cycle('Q_OK')).toMatchObject({ check_claimed: 1, check_done: 1, check_staged: 1 });
    job = await jobRow(env, 1);
    expect(job).toMatchObject({ status: 'finished', subStatus: 'staged', hasOutFile: 0, stagerLock: null, stagerTime: null });
    expect(JSON.parse(job.outputFilesToReport ?? 'null')).toEqual({
      'out.root': { guid: 'guid-out', fsize: 1234, adler32: '0a1b2c3d' },
      'log.tgz': { guid: 'guid-log', fsize: 99, adler32: 'deadbeef' },
    });
    expect(clock.now().getTime() - (job.propagatorTime?.getTime() ?? 0)).toBeGreaterThanOrEqual(3599_000);
    const files = await filesOf(env, 1);
    expect(files.map((f) => [f.status, f.attemptNr])).toEqual([['finished', 2], ['finished', 2]]);
    expect(files[0].url).toBe('dummy://se/mc23/out.root');
  });

  it('a pending answer writes nothing but releases the lock; due again after triggerInterval', async () => {
    await seedStagingJobs(env, [{ PandaID: 2, queue: 'Q_PEND', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: outputs() }]);
    const plugin = await pluginOf(env, 'stager', 'Q_PEND', 'stager', 'stager');
    const spy = vi.spyOn(plugin, 'triggerStageOut').mockResolvedValueOnce({ status: 'pending', diag: 'endpoint busy' });
    expect(await cycle('Q_PEND')).toMatchObject({ trigger_claimed: 1, trigger_pending: 1 });
    const job = await jobRow(env, 2);
    expect(job).toMatchObject({ subStatus: 'to_transfer', hasOutFile: 1, stagerLock: null });
    expect(job.stagerTime?.getTime()).toBe(clock.now().getTime());
    expect((await filesOf(env, 2)).map((f) => [f.status, f.attemptNr])).toEqual([['defined', 0], ['defined', 0]]);
    expect(await cycle('Q_PEND')).toMatchObject({ trigger_claimed: 0 });
    clock.advance(181);
    expect(await cycle('Q_PEND')).toMatchObject({ trigger_claimed: 1, trigger_done: 1 });
    spy.mockRestore();
  });
});

describe('stager: zipping', () => {
  it('zip → defined → trigger → transferring → staged; members follow their zip', async () => {
    await seedStagingJobs(env, [{
      PandaID: 10, queue: 'Q_ZIP', status: 'finished', subStatus: 'to_transfer', hasOutFile: 2,
      files: [
        { lfn: 'panda.out.zip', status: 'zipping', fileType: 'zip_output', scope: 'panda', fsize: 0 },
        { lfn: 'a.root', status: 'zipped', fileType: 'output', fsize: 10, zipIndex: 0 },
        { lfn: 'b.root', status: 'zipped', fileType: 'output', fsize: 20, zipIndex: 0 },
      ],
    }]);
    const zipper = await pluginOf(env, 'stager', 'Q_ZIP', 'zipper', 'zipper');
    const zipCalls: string[][] = [];
    const original = zipper.zipOutput.bind(zipper);
    vi.spyOn(zipper, 'zipOutput').mockImplementation(async (job: JobSpec) => {
      zipCalls.push(job.outFiles.flatMap((f) => [f.lfn, ...(f.associatedFiles ?? []).map((m) => m.lfn)]));
      return original(job);
    });

    // The trigger pass skips a job with zips to make (hasOutFile 2); the zip pass of the same cycle takes it.
    expect(await cycle('Q_ZIP')).toMatchObject({ trigger_claimed: 0, zip_claimed: 1, zip_done: 1 });
    expect(zipCalls).toEqual([['panda.out.zip', 'a.root', 'b.root']]);
    let job = await jobRow(env, 10);
    expect(job).toMatchObject({ subStatus: 'to_transfer', hasOutFile: 1, stagerLock: null, stagerTime: null });
    let [zip, a, b] = await filesOf(env, 10);
    expect(zip).toMatchObject({ status: 'defined', fsize: 30, path: '/zips/panda.out.zip' });
    expect(zip.chksum).toMatch(/^ad:[0-9a-f]{8}$/);
    expect([a.status, b.status]).toEqual(['zipped', 'zipped']);

    // Zipped → due for the trigger at once (stagerTime NULL).
    expect(await cycle('Q_ZIP')).toMatchObject({ trigger_claimed: 1, trigger_done: 1 });
    expect(await jobRow(env, 10)).toMatchObject({ subStatus: 'transferring', hasOutFile: 3 });
    clock.advance(181);
    expect(await cycle('Q_ZIP')).toMatchObject({ check_claimed: 1, check_staged: 1 });
    job = await jobRow(env, 10);
    expect(job).toMatchObject({ subStatus: 'staged', hasOutFile: 0 });
    [zip, a, b] = await filesOf(env, 10);
    expect([zip.status, a.status, b.status]).toEqual(['finished', 'finished', 'finished']);
    expect(Object.keys(JSON.parse(job.outputFilesToReport ?? '{}')).sort()).toEqual(['a.root', 'b.root']);
  });

  it('pending outputs (zipPerMB) are grouped into a zip by the zip pass, then shipped', async () => {
    await seedStagingJobs(env, [{
      PandaID: 12, queue: 'Q_ZIP', status: 'finished', subStatus: 'to_transfer', hasOutFile: 2,
      files: [
        { lfn: 'p1.root', status: 'pending', fileType: 'output', fsize: 7 },
        { lfn: 'p2.root', status: 'pending', fileType: 'output', fsize: 8 },
      ],
    }]);
    expect(await cycle('Q_ZIP')).toMatchObject({ zip_claimed: 1, zip_done: 1 });
    const files = await filesOf(env, 12);
    expect(files.map((f) => [f.lfn, f.status, f.fileType])).toEqual([
      ['p1.root', 'zipped', 'output'], ['p2.root', 'zipped', 'output'], ['panda.p1.root.zip', 'defined', 'zip_output'],
    ]);
    expect(files[0].zipFileID).toBe(files[2].fileID);
    expect(files[2]).toMatchObject({ fsize: 15, scope: 'panda', isZip: 1 });
    expect(await jobRow(env, 12)).toMatchObject({ subStatus: 'to_transfer', hasOutFile: 1 });
    expect(await cycle('Q_ZIP')).toMatchObject({ trigger_done: 1 });
    clock.advance(181);
    expect(await cycle('Q_ZIP')).toMatchObject({ check_staged: 1 });
    expect(Object.keys(JSON.parse((await jobRow(env, 12)).outputFilesToReport ?? '{}')).sort()).toEqual(['p1.root', 'p2.root']);
  });

  it('the zip pass groups each job\'s pending outputs by that job\'s zipPerMB, never mixing jobs', async () => {
    const MB = 1024 * 1024;
    const pending = (tag: string) => [1, 2].map((n) => ({ lfn: `${tag}.${n}.root`, status: 'pending' as const, fileType: 'output' as const, fsize: 2 * MB }));
    await seedStagingJobs(env, [
      { PandaID: 15, queue: 'Q_ZIP', status: 'finished', subStatus: 'to_transfer', hasOutFile: 2, zipPerMB: 1, files: pending('j15') },
      { PandaID: 16, queue: 'Q_ZIP', status: 'finished', subStatus: 'to_transfer', hasOutFile: 2, files: pending('j16') },
    ]);
    expect(await cycle('Q_ZIP')).toMatchObject({ zip_claimed: 2, zip_done: 2 });
    for (const [id, nZips] of [[15, 2], [16, 1]] as const) {
      const files = await filesOf(env, id);
      const zips = files.filter((f) => f.fileType === 'zip_output');
      expect(zips).toHaveLength(nZips);
      const members = files.filter((f) => f.fileType === 'output');
      expect(members.map((f) => f.status)).toEqual(['zipped', 'zipped']);
      // Every member's zip is one of its own job's zips.
      for (const f of members) expect(zips.map((z) => z.fileID)).toContain(f.zipFileID);
    }
  });

  it('with usePostZipping: async zip → post_zipping → post-zip → defined', async () => {
    const e = postZipEnv;
    await seedStagingJobs(e, [{
      PandaID: 11, queue: 'Q_PZ', status: 'finished', subStatus: 'to_transfer', hasOutFile: 2,
      files: [
        { lfn: 'panda.pz.zip', status: 'zipping', fileType: 'zip_output', scope: 'panda', fsize: 0 },
        { lfn: 'c.root', status: 'zipped', fileType: 'output', fsize: 5, zipIndex: 0 },
      ],
    }]);
    const zipper = await pluginOf(e, 'stager', 'Q_PZ', 'zipper', 'zipper');
    const asyncZip = vi.spyOn(zipper, 'asyncZipOutput');
    expect(await cycle('Q_PZ', e)).toMatchObject({ zip_claimed: 1, zip_done: 1, postZip_claimed: 1, postZip_done: 1 });
    expect(asyncZip).toHaveBeenCalledTimes(1);
    // Zip pass → post_zipping (hasOutFile 4, due at once) → post-zip pass of the same cycle → defined.
    expect(await jobRow(e, 11)).toMatchObject({ subStatus: 'to_transfer', hasOutFile: 1 });
    expect((await filesOf(e, 11))[0].status).toBe('defined');
  });
});

describe('stager: failures and lost locks', () => {
  it('files the stager reports failed end the job as failed/failed_to_stage_out (1137), propagation triggered', async () => {
    await seedStagingJobs(env, [{ PandaID: 20, queue: 'Q_BADFILES', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: outputs() }]);
    expect(await cycle('Q_BADFILES')).toMatchObject({ trigger_done: 1 });
    clock.advance(181);
    expect(await cycle('Q_BADFILES')).toMatchObject({ check_claimed: 1, check_failedToStageOut: 1 });
    const job = await jobRow(env, 20);
    expect(job).toMatchObject({ status: 'failed', subStatus: 'failed_to_stage_out', hasOutFile: 0, stagerLock: null });
    expect(job.jobAttributes).toMatchObject({ pilotErrorCode: 1137 });
    expect(job.outputFilesToReport ?? null).toBeNull();
    expect(clock.now().getTime() - (job.propagatorTime?.getTime() ?? 0)).toBeGreaterThanOrEqual(3599_000);
    expect((await filesOf(env, 20)).map((f) => f.status)).toEqual(['failed', 'failed']);
  });

  it('a failed trigger fails the job at once with the plugin diag in the pilot error', async () => {
    await seedStagingJobs(env, [{ PandaID: 21, queue: 'Q_FAILCALL', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: outputs() }]);
    const plugin = await pluginOf(env, 'stager', 'Q_FAILCALL', 'stager', 'stager');
    const spy = vi.spyOn(plugin, 'triggerStageOut').mockResolvedValueOnce({ status: 'failed', diag: 'no space left on SE' });
    expect(await cycle('Q_FAILCALL')).toMatchObject({ trigger_failed: 1, trigger_failedToStageOut: 1 });
    const job = await jobRow(env, 21);
    expect(job).toMatchObject({ status: 'failed', subStatus: 'failed_to_stage_out' });
    expect(job.jobAttributes).toMatchObject({ pilotErrorCode: 1137, pilotErrorDiag: 'stage-out failed with no space left on SE' });
    expect((await filesOf(env, 21)).map((f) => [f.status, f.attemptNr])).toEqual([['failed', 1], ['failed', 1]]);
    spy.mockRestore();
  });

  it('event outputs of a running job: events follow their file, the job only gets the flag', async () => {
    await seedStagingJobs(env, [{
      PandaID: 30, queue: 'Q_ES', status: 'running', subStatus: 'running', hasOutFile: 1,
      files: [{ lfn: 'es1.root', status: 'defined', fileType: 'es_output', eventRangeID: '30-1' }],
    }]);
    await env.db.sql.run("INSERT INTO event_table (eventRangeID, PandaID, eventStatus, subStatus) VALUES ('30-1', 30, 'finished', 'running')");
    expect(await cycle('Q_ES')).toMatchObject({ trigger_claimed: 1, trigger_done: 1 });
    expect(await jobRow(env, 30)).toMatchObject({ status: 'running', subStatus: 'running', hasOutFile: 3 });
    const [ev] = await env.db.sql.all("SELECT subStatus FROM event_table WHERE eventRangeID = '30-1'");
    expect(ev.subStatus).toBe('transferring');
    clock.advance(181);
    expect(await cycle('Q_ES')).toMatchObject({ check_claimed: 1, check_done: 1 });
    expect(await jobRow(env, 30)).toMatchObject({ subStatus: 'running', hasOutFile: 0 });
    const [ev2] = await env.db.sql.all("SELECT subStatus FROM event_table WHERE eventRangeID = '30-1'");
    expect(ev2.subStatus).toBe('finished');
  });

  it('a release by a former owner writes nothing (lock taken over during the plugin call)', async () => {
    await seedStagingJobs(env, [{ PandaID: 40, queue: 'Q_STEAL', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: outputs() }]);
    const plugin = await pluginOf(env, 'stager', 'Q_STEAL', 'stager', 'stager');
    const original = plugin.triggerStageOut.bind(plugin);
    const spy = vi.spyOn(plugin, 'triggerStageOut').mockImplementationOnce(async (job: JobSpec) => {
      await env.db.sql.run("UPDATE job_table SET stagerLock = 'thief', stagerTime = ? WHERE PandaID = ?", [clock.now(), job.PandaID]);
      return original(job);
    });
    expect(await cycle('Q_STEAL')).toMatchObject({ trigger_claimed: 1, trigger_done: 1, trigger_lost: 1 });
    expect(await jobRow(env, 40)).toMatchObject({ subStatus: 'to_transfer', hasOutFile: 1, stagerLock: 'thief' });
    expect((await filesOf(env, 40)).map((f) => [f.status, f.attemptNr])).toEqual([['defined', 0], ['defined', 0]]);
    spy.mockRestore();
  });
});
