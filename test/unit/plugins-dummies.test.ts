import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginFactory, type PluginCategory, type PluginTypes, type WorkerSpec } from '../../src/plugins';
import { dummyPanda } from '../../plugins/communicator/dummy';
import { dummyPayload } from '../../plugins/messenger/dummy';
import { makeJobSpec, makeQueueInfo, makeWorkerSpec } from '../conformance/fixtures';

const factory = new PluginFactory({ services: { countWorkers: async (f) => (f.status === 'missed' && f.computingSite === 'BAD_Q' ? 5 : 0) } });
const NAMES: Record<PluginCategory, string> = {
  submitter: 'DummySubmitter', monitor: 'DummyMonitor', sweeper: 'DummySweeper', preparator: 'DummyPreparator',
  stager: 'DummyStager', messenger: 'DummyMessenger', workerMaker: 'DummyWorkerMaker', credManager: 'DummyCredManager',
  throttler: 'DummyThrottler', zipper: 'DummyZipper', communicator: 'DummyCommunicator', fifo: 'DummyFifo',
};
const make = <C extends PluginCategory>(category: C, attrs: Record<string, unknown> = {}): Promise<PluginTypes[C]> =>
  factory.create({ category, queueName: 'DUMMY_Q', config: { module: 'dummy', name: NAMES[category], ...attrs } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dummy batch system: submitter → monitor → sweeper', () => {
  it('a worker is submitted, runs after runAfter, finishes after finishAfter', async () => {
    const submitter = await make('submitter');
    const monitor = await make('monitor', { runAfter: 0.15, finishAfter: 0.15 });
    const [w] = [makeWorkerSpec()];
    const [r] = await submitter.submitWorkers([w]);
    expect(r.status).toBe('submitted');
    const live: WorkerSpec = { ...w, status: 'submitted', batchID: r.batchID };
    expect((await monitor.checkWorkers([live]))[0].status).toBe('submitted');
    await sleep(180);
    expect((await monitor.checkWorkers([live]))[0]).toMatchObject({ status: 'running', update: { nativeStatus: 'RUNNING' } });
    await sleep(150);
    expect((await monitor.checkWorkers([live]))[0]).toMatchObject({ status: 'finished', update: { nativeExitCode: 0 } });
    const updated = await monitor.reportUpdatedWorkers?.(60);
    expect(updated?.map((u) => u.workerID)).toEqual([w.workerID]);
  });

  it('a killed worker checks cancelled, also through status.txt in its access point', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-ap-'));
    const submitter = await make('submitter');
    const sweeper = await make('sweeper');
    const w = makeWorkerSpec({ accessPoint: dir });
    const [r] = await submitter.submitWorkers([w]);
    expect(fs.readFileSync(path.join(dir, 'status.txt'), 'utf8')).toBe('submitted');
    expect(r.logFiles?.stdOut).toBe(`${dir}/stdout.txt`);
    const live: WorkerSpec = { ...w, status: 'running', batchID: r.batchID };
    expect((await sweeper.killWorkers([live]))[0].status).toBe('killed');
    expect(fs.readFileSync(path.join(dir, 'status.txt'), 'utf8')).toBe('cancelled');
    const monitor = await make('monitor', { runAfter: 100 });
    expect((await monitor.checkWorkers([live]))[0].status).toBe('cancelled');
    expect((await sweeper.sweepWorkers([live]))[0].status).toBe('swept');
    expect(fs.existsSync(path.join(dir, 'status.txt'))).toBe(false);
  });

  it('a status forced into status.txt overrides the clock (like the original dummy monitor)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-ap-'));
    fs.writeFileSync(path.join(dir, 'status.txt'), 'failed');
    const monitor = await make('monitor', { runAfter: 100 });
    const w = makeWorkerSpec({ status: 'submitted', batchID: `dummy-${Date.now()}-1-1.1`, accessPoint: dir });
    expect((await monitor.checkWorkers([w]))[0].status).toBe('failed');
  });

  it('failures are deterministic per seed and close to the rate', async () => {
    const ws = Array.from({ length: 400 }, (_, i) => makeWorkerSpec({ workerID: i + 1 }));
    const failed = async (seed: number) => (await (await make('submitter', { failureRate: 0.25, seed })).submitWorkers(ws))
      .flatMap((r, i) => (r.status === 'failed' ? [ws[i].workerID] : []));
    const a = await failed(1);
    expect(await failed(1)).toEqual(a);
    expect(await failed(2)).not.toEqual(a);
    expect(a.length).toBeGreaterThan(60);
    expect(a.length).toBeLessThan(140);
  });

  it('a submit delay is real', async () => {
    const submitter = await make('submitter', { submitDelay: 60, submitDelayPerWorker: 20 });
    const t0 = Date.now();
    await submitter.submitWorkers([makeWorkerSpec(), makeWorkerSpec()]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
  });
});

describe('dummy data movement', () => {
  it('preparator: pending until stageInTime, then done with Rucio-style paths', async () => {
    const p = await make('preparator', { stageInTime: 0.1, basePath: '/data' });
    const job = makeJobSpec();
    expect((await p.triggerPreparation(job)).status).toBe('done');
    expect((await p.checkStageInStatus(job)).status).toBe('pending');
    await sleep(120);
    expect((await p.checkStageInStatus(job)).status).toBe('done');
    const paths = await p.resolveInputPaths(job);
    for (const f of job.inFiles) expect(paths.paths?.[f.lfn]).toMatch(new RegExp(`^/data/mc_test/[0-9a-f]{2}/[0-9a-f]{2}/${f.lfn.replace(/\./g, '\\.')}$`));
  });

  it('stager: files go transferring, then finished with a URL', async () => {
    const s = await make('stager', { transferTime: 0.05 });
    const job = makeJobSpec({}, 0, 2);
    expect((await s.triggerStageOut(job)).files?.map((f) => f.status)).toEqual(['transferring', 'transferring']);
    expect((await s.checkStageOutStatus(job)).status).toBe('pending');
    await sleep(70);
    const done = await s.checkStageOutStatus(job);
    expect(done.status).toBe('done');
    expect(done.files?.map((f) => f.status)).toEqual(['finished', 'finished']);
  });

  it('zipper with writeFiles writes a real archive and checksums it', async () => {
    const zipDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-zip-'));
    const member = path.join(zipDir, 'm1');
    fs.writeFileSync(member, 'hello');
    const z = await make('zipper', { zipDir, writeFiles: true });
    const job = makeJobSpec({}, 0, 0);
    const zip = { fileID: 99, PandaID: job.PandaID, lfn: 'panda.z.zip', status: 'zipping' as const, fileType: 'zip_output' as const, associatedFiles: [{ fileID: 98, PandaID: job.PandaID, lfn: 'm1', path: member, status: 'zipped' as const, fileType: 'output' as const }] };
    const r = await z.zipOutput({ ...job, outFiles: [zip] });
    expect(r.files).toEqual([{ fileID: 99, path: path.join(zipDir, 'panda.z.zip'), fsize: 5, chksum: 'ad:062c0215' }]);
  });
});

describe('dummy messenger emulates a payload', () => {
  it('feeds jobs, reports outputs once the worker finished, processes events, honours kill and heartbeat', async () => {
    const m = await make('messenger', { stateKey: 'payload-test' });
    const payload = dummyPayload('payload-test');
    const w = makeWorkerSpec({ status: 'running', startTime: new Date() });
    await m.setupAccessPoints([w]);
    const job = makeJobSpec();
    job.jobParams.logFile = 'log.tgz';
    job.jobParams.outFiles = `${job.jobParams.outFiles},log.tgz`;
    await m.feedJobs(w, [job]);
    expect(payload.fedJobs(w.workerID)).toEqual([job.PandaID]);
    expect(await m.getFilesToStageOut(w)).toEqual({});
    const outs = await m.getFilesToStageOut({ ...w, status: 'finished' });
    expect(outs[String(job.PandaID)].map((f) => [f.lfn, f.fileType])).toEqual([...job.outFiles.map((f) => [f.lfn, 'output']), ['log.tgz', 'log']]);
    await m.acknowledgeEventsFiles([w]);
    expect(await m.getFilesToStageOut({ ...w, status: 'finished' })).toEqual({});

    payload.requestEvents(w.workerID, { pandaID: job.PandaID, taskID: 1, jobsetID: 1, nRanges: 2 });
    expect(Object.keys(await m.eventsRequested(w))).toEqual([String(job.PandaID)]);
    await m.feedEvents(w, { [job.PandaID]: [{ eventRangeID: 'r1' }, { eventRangeID: 'r2' }] });
    expect(await m.eventsRequested(w)).toEqual({});
    expect(await m.eventsToUpdate(w)).toEqual({ [job.PandaID]: [{ eventRangeID: 'r1', eventStatus: 'finished' }, { eventRangeID: 'r2', eventStatus: 'finished' }] });

    expect(await m.killRequested(w)).toBe(false);
    payload.requestKill(w.workerID);
    expect(await m.killRequested(w)).toBe(true);
    payload.heartbeat(w.workerID, new Date(Date.now() - 10 * 60_000));
    expect(await m.isAlive(w, 5)).toBe(false);
    expect(await m.isAlive(w, 15)).toBe(true);
    payload.requestJobs(w.workerID, 3);
    expect(await m.jobRequested(w)).toBe(3);
  });

  it('writes job specs into the access point and cleanUp removes only its own directories', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-msgr-'));
    const w = makeWorkerSpec({ accessPoint: path.join(base, 'w1') });
    const m = await make('messenger', { stateKey: 'files-test', writeFiles: true });
    await m.setupAccessPoints([w]);
    const job = makeJobSpec();
    await m.feedJobs(w, [job]);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(base, 'w1', 'pandaJobData.out'), 'utf8')))).toEqual([String(job.PandaID)]);
    const foreign = makeWorkerSpec({ accessPoint: base });
    await m.cleanUp(foreign);
    expect(fs.existsSync(base), 'a directory without the marker is never removed').toBe(true);
    await m.cleanUp(w);
    expect(fs.existsSync(path.join(base, 'w1'))).toBe(false);
  });

  it('outputDir: outputs land in the one shared directory, an escaping lfn is refused, cleanUp deletes only that worker\'s files', async () => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-out-'));
    const m = await make('messenger', { stateKey: 'outdir-test', outputDir });
    const [a, b] = [makeWorkerSpec({ status: 'finished' }), makeWorkerSpec({ status: 'finished' })];
    const [ja, jb] = [makeJobSpec(), makeJobSpec()];
    ja.jobParams = { ...ja.jobParams, outFiles: `out.${ja.PandaID}.root`, logFile: '' };
    jb.jobParams = { ...jb.jobParams, outFiles: `out.${jb.PandaID}.root`, logFile: '' };
    await m.setupAccessPoints([a, b]);
    await m.feedJobs(a, [ja]);
    await m.feedJobs(b, [jb]);
    const [fa] = (await m.getFilesToStageOut(a))[String(ja.PandaID)];
    await m.getFilesToStageOut(b);
    expect(fa.path).toBe(path.join(outputDir, `out.${ja.PandaID}.root`));
    expect(fs.statSync(fa.path).size).toBe(fa.fsize);
    expect(fs.readdirSync(outputDir).sort()).toEqual([`out.${ja.PandaID}.root`, `out.${jb.PandaID}.root`].sort());
    await m.cleanUp(a);
    expect(fs.readdirSync(outputDir)).toEqual([`out.${jb.PandaID}.root`]);

    const evil = makeWorkerSpec({ status: 'finished' });
    const je = makeJobSpec();
    je.jobParams = { ...je.jobParams, outFiles: '../escaped.root', logFile: '' };
    await m.setupAccessPoints([evil]);
    await m.feedJobs(evil, [je]);
    await expect(m.getFilesToStageOut(evil)).rejects.toThrow(/escaped\.root/);
    expect(fs.existsSync(path.join(outputDir, '..', 'escaped.root'))).toBe(false);

    // An lfn with a directory part: the directory is created on first use; the report is a copy the caller may change.
    const nested = makeWorkerSpec({ status: 'finished' });
    const jn = makeJobSpec();
    jn.jobParams = { ...jn.jobParams, outFiles: `sub/dir/out.${jn.PandaID}.root`, logFile: '' };
    await m.setupAccessPoints([nested]);
    await m.feedJobs(nested, [jn]);
    const first = await m.getFilesToStageOut(nested);
    expect(fs.statSync(path.join(outputDir, 'sub', 'dir', `out.${jn.PandaID}.root`)).isFile()).toBe(true);
    first[String(jn.PandaID)][0].lfn = 'changed';
    expect((await m.getFilesToStageOut(nested))[String(jn.PandaID)][0].lfn).toBe(`sub/dir/out.${jn.PandaID}.root`);
  });
});

describe('dummy PanDA, worker maker, cred manager, throttler', () => {
  it('communicator: job limit, kill command on update, command acks', async () => {
    const c = await make('communicator', { stateKey: 'panda-test', maxJobs: 3, inFilesPerJob: 2 });
    const panda = dummyPanda('panda-test');
    const req = { siteName: 'S', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 2 };
    const first = await c.getJobs(req);
    expect(first.jobs.map((j) => j.PandaID)).toEqual([1_000_000, 1_000_001]);
    expect(String(first.jobs[0].inFiles).split(',')).toHaveLength(2);
    expect((await c.getJobs(req)).jobs).toHaveLength(1);
    expect((await c.getJobs(req)).jobs).toHaveLength(0);
    panda.killJob(1_000_001);
    const res = await c.updateJobs([{ PandaID: 1_000_000, siteName: 'S', jobStatus: 'running' }, { PandaID: 1_000_001, siteName: 'S', jobStatus: 'running' }]);
    expect(res.map((r) => r.command)).toEqual([undefined, 'tobekilled']);
    const id = panda.addCommand('KILL_WORKERS', { status: ['submitted'] });
    const cmds = await c.getCommands(10);
    expect(cmds.map((x) => x.command_id)).toEqual([id]);
    await c.ackCommands([id]);
    expect(panda.state.acked).toEqual([id]);
    expect(panda.state.unacked.size).toBe(0);
  });

  it('worker maker sizes workers from their jobs', async () => {
    const wm = await make('workerMaker', { ramPerCore: 1000 });
    const jobs = [makeJobSpec(), makeJobSpec()];
    jobs[0].jobParams.coreCount = 8;
    jobs[1].jobParams.coreCount = 4;
    jobs[1].jobParams.maxWalltime = 7200;
    const r = await wm.makeWorker({ jobs, queue: makeQueueInfo({ mapType: 'ManyToOne' }), jobType: 'managed', resourceType: 'MCORE' });
    expect(r).toMatchObject({ status: 'made', worker: { nCore: 12, minRamCount: 12_000, maxWalltime: 7200, nJobs: 2, mapType: 'ManyToOne', resourceType: 'MCORE' } });
  });

  it('cred manager expires and renews, sharing state through outCertFile', async () => {
    const outCertFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-dummy-cred-')), 'proxy.json');
    const a = await make('credManager', { outCertFile, lifetimeHours: 48, minLifetimeHours: 24 });
    const b = await make('credManager', { outCertFile, lifetimeHours: 48, minLifetimeHours: 24 });
    expect(await a.checkCredential()).toBe(false);
    expect((await a.renewCredential()).status).toBe('done');
    expect(await b.checkCredential()).toBe(true);
    expect(Math.round((await b.checkCredentialLifetime?.()) ?? 0)).toBe(48);
    const short = await make('credManager', { lifetimeHours: 10, minLifetimeHours: 24 });
    await short.renewCredential();
    expect(await short.checkCredential(), 'below minLifetimeHours right after renewal').toBe(false);
  });

  it('throttler counts missed workers through the services', async () => {
    const t = await make('throttler', { maxMissed: 3 });
    expect(await t.toBeThrottled(makeQueueInfo({ queueName: 'BAD_Q' }))).toMatchObject({ throttled: true });
    expect(await t.toBeThrottled(makeQueueInfo({ queueName: 'GOOD_Q' }))).toMatchObject({ throttled: false });
  });
});
