import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Messenger } from '../../src/plugins/messenger';
import { PluginFactory } from '../../src/plugins/factory';
import type { JobSpec, WorkerSpec } from '../../src/plugins/types';
import { adler32 } from '../../plugins/lib/chance';
import { DUMP_SETTLE_MS, SharedFileMessenger } from '../../plugins/messenger/shared_file';
import { messengerConformance } from '../conformance';
import { makeFileSpec, makeJobSpec, makeWorkerSpec } from '../conformance/fixtures';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'messenger');
const tmpRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-sfm-')));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** Log lines the plugin wrote, parsed. */
const logLines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
    cb();
  },
});
const factory = new PluginFactory({ log: pino({ level: 'debug' }, sink), harvesterID: 'test-harvester' });

let n = 0;
let base: string;
let outside: string;

beforeEach(() => {
  n += 1;
  const dir = path.join(tmpRoot, `case-${n}`);
  base = path.join(dir, 'workdir');
  outside = path.join(dir, 'outside');
  fs.mkdirSync(base, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret'), 'top secret');
  logLines.length = 0;
});

async function messenger(attrs: Record<string, unknown> = {}): Promise<SharedFileMessenger> {
  const m = await factory.create({
    category: 'messenger', queueName: 'TEST_Q',
    config: Object.fromEntries(Object.entries({
      module: 'shared_file_messenger', name: 'SharedFileMessenger', accessPoint: `${base}/\${workerID}`, jobSpecFile: 'pandaJobData.out', ...attrs,
    }).filter(([, v]) => v !== undefined)) as { module: string; name: string },
  });
  return m as SharedFileMessenger;
}

function worker(over: Partial<WorkerSpec> = {}): WorkerSpec {
  const w = makeWorkerSpec({ status: 'running', ...over });
  return { accessPoint: path.join(base, String(w.workerID)), ...w, ...over };
}

function job(over: Partial<JobSpec> = {}): JobSpec {
  const j = makeJobSpec(over, 2, 0);
  j.jobParams = { ...j.jobParams, logFile: `log.${j.PandaID}.job.log.tgz`, logGUID: 'LOG-GUID-1', GUID: 'G1,G2', ...(over.jobParams ?? {}) };
  j.inFiles = j.inFiles.map((f, i) => ({ ...f, path: path.join(base, '..', 'inputs', `in${i}`) }));
  return j;
}

const ap = (w: WorkerSpec): string => w.accessPoint as string;
const read = (p: string): string => fs.readFileSync(p, 'utf8');
const write = (p: string, data: string): void => {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
};
const warnings = () => logLines.filter((l) => l.level === 40);

/** The outside file is exactly as created: never read into a report, never overwritten, never deleted. */
function expectOutsideUntouched(): void {
  expect(read(path.join(outside, 'secret'))).toBe('top secret');
  expect(fs.readdirSync(outside)).toEqual(['secret']);
}

describe('shared-file messenger: resolution and config', () => {
  it('resolves from the original module names', async () => {
    for (const module of ['shared_file_messenger', 'pandaharvester.harvestermessenger.shared_file_messenger', 'shared_file']) {
      const m = await factory.create({ category: 'messenger', queueName: 'Q', config: { module, name: 'SharedFileMessenger', accessPoint: `${base}/\${workerID}` } });
      expect(m).toBeInstanceOf(SharedFileMessenger);
    }
  });

  it('derives the base directory from the accessPoint template, or takes baseDir', async () => {
    expect((await messenger()).baseDir).toBe(base);
    expect((await messenger({ accessPoint: `${base}/w_\${workerID}` })).baseDir).toBe(base);
    expect((await messenger({ accessPoint: `${base}/\${_workerID_3.2}/\${workerID}` })).baseDir).toBe(base);
    expect((await messenger({ baseDir: outside })).baseDir).toBe(outside);
  });

  it.each([
    [{ jobSpecFile: '../escape.json' }, /jobSpecFile/],
    [{ killWorkerFile: '/etc/passwd' }, /killWorkerFile/],
    [{ heartbeatFile: 'a\0b' }, /heartbeatFile/],
    [{ accessPoint: '/${workerID}' }, /filesystem root/],
    [{ accessPoint: undefined }, /accessPoint .* or baseDir/],
    [{ jobSpecFileFormat: 'xml' }, /jobSpecFileFormat/],
    [{ subTarballName: '../../etc/shadow' }, /subTarballName/],
    [{ outputSubDir: '/data' }, /outputSubDir/],
    [{ leftOverPatterns: ['(unclosed'] }, /leftOverPatterns.*regular expression/],
  ])('rejects the config %j', async (attrs, msg) => {
    await expect(messenger(attrs)).rejects.toThrow(msg);
  });
});

describe('shared-file messenger: submitter side', () => {
  it('setupAccessPoints creates the access point and wipes leftovers of an earlier worker', async () => {
    const m = await messenger();
    const w = worker();
    write(path.join(ap(w), 'stale.json'), '{}');
    await m.setupAccessPoints([w]);
    expect(fs.statSync(ap(w)).isDirectory()).toBe(true);
    expect(fs.readdirSync(ap(w))).toEqual([]);
  });

  it('expands placeholders the worker row still carries, also the bare $workerID form', async () => {
    const m = await messenger();
    const w = worker({ accessPoint: `${base}/$workerID/x` });
    await m.setupAccessPoints([w]);
    expect(fs.existsSync(path.join(base, String(w.workerID), 'x'))).toBe(true);
  });

  it('ManyToOne: one sub-dir per PandaID, per-job files there', async () => {
    const m = await messenger();
    const [j1, j2] = [job(), job()];
    const w = worker({ mapType: 'ManyToOne', pandaIDs: [j1.PandaID, j2.PandaID] });
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j1, j2]);
    for (const j of [j1, j2]) {
      expect(JSON.parse(read(path.join(ap(w), String(j.PandaID), 'pandaJobData.out')))).toEqual({ [String(j.PandaID)]: j.jobParams });
    }
    expect(JSON.parse(read(path.join(ap(w), 'worker_pandaids.json')))).toEqual([j1.PandaID, j2.PandaID]);
    write(path.join(ap(w), String(j2.PandaID), 'worker_attributes.json'), '{"jobStatus":"finished"}');
    const attrs = await m.getWorkAttributes({ ...w, pandaIDs: undefined });
    expect(attrs).toEqual({ [String(j1.PandaID)]: {}, [String(j2.PandaID)]: { jobStatus: 'finished' } });
  });

  it('feedJobs writes the job spec, the PFC, the PandaIDs file, input links, and drops the job request', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    write(path.join(ap(w), 'worker_requestjob.json'), '{"nJobs": 1}');
    await m.feedJobs(w, [j]);
    expect(JSON.parse(read(path.join(ap(w), 'pandaJobData.out')))).toEqual({ [String(j.PandaID)]: j.jobParams });
    expect(JSON.parse(read(path.join(ap(w), 'worker_pandaids.json')))).toEqual([j.PandaID]);
    const pfc = read(path.join(ap(w), 'PoolFileCatalog_H.xml'));
    expect(pfc.startsWith('<?xml version="1.0" ?>\n<!DOCTYPE POOLFILECATALOG  SYSTEM "InMemory">\n<POOLFILECATALOG>')).toBe(true);
    expect(pfc).toContain(`<File ID="G1">\n    <physical>\n      <pfn filetype="ROOT_All" name="${j.inFiles[0].lfn}"/>`);
    for (const f of j.inFiles) expect(fs.readlinkSync(path.join(ap(w), f.lfn))).toBe(f.path);
    expect(fs.existsSync(path.join(ap(w), 'worker_requestjob.json'))).toBe(false);
  });

  it('uses the default [payload_interaction] name HPCJobs.json, and the cgi format like urlencode', async () => {
    const m = await messenger({ jobSpecFile: undefined, jobSpecFileFormat: 'cgi', stripJobParams: true });
    const w = worker();
    const j = job({ jobParams: { jobPars: 'a b&c=d/é', coreCount: 8, prodDBlocks: 'stripped', flag: true, none: null } });
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    const cgi = read(path.join(ap(w), 'HPCJobs.json'));
    expect(cgi).toContain('jobPars=a+b%26c%3Dd%2F%C3%A9');
    expect(cgi).toContain('coreCount=8');
    expect(cgi).toContain('flag=True');
    expect(cgi).toContain('none=None');
    expect(cgi).not.toContain('prodDBlocks');
  });

  it('feedJobs replaces a symlink the payload planted at the job spec file instead of writing through it', async () => {
    const m = await messenger();
    const w = worker();
    await m.setupAccessPoints([w]);
    fs.symlinkSync(path.join(outside, 'secret'), path.join(ap(w), 'pandaJobData.out'));
    await m.feedJobs(w, [job()]);
    expect(fs.lstatSync(path.join(ap(w), 'pandaJobData.out')).isSymbolicLink()).toBe(false);
    expectOutsideUntouched();
  });

  it('feedJobs refuses an input lfn that would place a link outside', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    j.inFiles = [makeFileSpec({ PandaID: j.PandaID, fileType: 'input', lfn: '../../outside/evil', path: '/etc/passwd' })];
    await m.setupAccessPoints([w]);
    await expect(m.feedJobs(w, [j])).rejects.toThrow(/PandaID=\d+/);
    expect(fs.existsSync(path.join(base, '..', 'outside', 'evil'))).toBe(false);
    expect(warnings().some((l) => l.workerID === w.workerID && l.path === '../../outside/evil')).toBe(true);
  });

  it('refuses an access point outside the base: nothing created there', async () => {
    const m = await messenger();
    for (const accessPoint of [path.join(base, '..', 'outside', 'ap'), '/tmp/harvester-elsewhere-ap', path.join(outside, 'x')]) {
      const w = worker({ accessPoint });
      await expect(m.setupAccessPoints([w])).rejects.toThrow(/outside the base directory/);
      expect(fs.existsSync(accessPoint)).toBe(false);
      expect(warnings().some((l) => l.workerID === w.workerID && l.file === 'accessPoint')).toBe(true);
    }
    expectOutsideUntouched();
  });

  it('refuses an access point reached through a symlink leading outside the base', async () => {
    const m = await messenger();
    fs.symlinkSync(outside, path.join(base, 'sneaky'));
    const w = worker({ accessPoint: path.join(base, 'sneaky', 'ap') });
    await expect(m.setupAccessPoints([w])).rejects.toThrow(/outside the base directory/);
    expectOutsideUntouched();
  });
});

describe('shared-file messenger: payload reports (original formats)', () => {
  async function ready(attrs: Record<string, unknown> = {}): Promise<{ m: SharedFileMessenger; w: WorkerSpec; j: JobSpec }> {
    const m = await messenger(attrs);
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    return { m, w, j };
  }

  it('round trip with a real shell payload: attributes, job report, outputs with computed adler32', async () => {
    const { m, w, j } = await ready();
    execFileSync('sh', [path.join(FIXTURES, 'payload.sh')], { cwd: ap(w) });
    const attrs = await m.getWorkAttributes(w);
    expect(attrs[String(j.PandaID)]).toMatchObject({ jobStatus: 'finished', cpuConsumptionTime: 12, node: 'testnode', metaData: { resource_usage: { wall: 3 } } });
    const files = await m.getFilesToStageOut({ ...w, status: 'finished' });
    const out = path.join(ap(w), `out.${j.PandaID}.root`);
    const content = fs.readFileSync(out);
    expect(files).toEqual({
      [String(j.PandaID)]: [{ lfn: `out.${j.PandaID}.root`, path: out, fileType: 'output', fsize: content.length, chksum: `ad:${adler32(content)}`, guid: expect.any(String), isZip: false }],
    });
    expect(fs.existsSync(path.join(ap(w), 'event_status.dump.json.read'))).toBe(true);
  });

  it('job report and attributes in the original format; post-processing attributes merged', async () => {
    const { m, w, j } = await ready();
    fs.copyFileSync(path.join(FIXTURES, 'worker_attributes.json'), path.join(ap(w), 'worker_attributes.json'));
    fs.copyFileSync(path.join(FIXTURES, 'jobReport.json'), path.join(ap(w), 'jobReport.json'));
    write(path.join(ap(w), 'post_process_job_attrs.json'), '{"skippedInputs": ["a"]}');
    const attrs = (await m.getWorkAttributes(w))[String(j.PandaID)];
    expect(attrs).toEqual({
      ...JSON.parse(read(path.join(FIXTURES, 'worker_attributes.json'))),
      metaData: JSON.parse(read(path.join(FIXTURES, 'jobReport.json'))),
      skippedInputs: ['a'],
    });
  });

  it('event status dump: given fsize/chksum/guid passed on, events derived, .read then acknowledged', async () => {
    const { m, w, j } = await ready();
    const id = String(j.PandaID);
    write(path.join(ap(w), 'out.root'), 'hello');
    write(path.join(ap(w), 'es', 'ev.1'), 'event one');
    write(path.join(ap(w), 'zipped.tar'), 'zip');
    write(path.join(ap(w), 'ckpt.dat'), 'checkpoint');
    write(path.join(ap(w), 'event_status.dump.json'), read(path.join(FIXTURES, 'event_status.dump.json')).replaceAll('@PANDAID@', id).replaceAll('@AP@', ap(w)));
    const files = (await m.getFilesToStageOut(w))[id];
    expect(files.map((f) => [f.lfn, f.fileType, f.isZip, f.eventRangeID])).toEqual([
      ['out.root', 'output', false, undefined],
      ['ev.1', 'es_output', undefined, `${id}-1-1-1-2`],
      ['zipped.tar', 'zip_output', true, `${id}-1-1-3-4`],
      ['ckpt.dat', 'checkpoint', false, undefined],
    ]);
    expect(files[0]).toMatchObject({ fsize: 5, chksum: '0a1b2c3d', guid: 'aaaaaaaa-0000-0000-0000-000000000001', path: path.join(ap(w), 'out.root') });
    expect(files[1]).toMatchObject({ path: path.join(ap(w), 'es', 'ev.1'), fsize: 9, chksum: `ad:${adler32('event one')}`, eventStatus: 'finished' });
    // The events derived from the dump wait in worker_updateevents.json, as in the original.
    expect(await m.eventsToUpdate(w)).toEqual({
      [id]: [
        { eventRangeID: `${id}-1-1-1-2`, eventStatus: 'finished' },
        { eventRangeID: `${id}-1-1-2-3`, eventStatus: 'failed' },
        { eventRangeID: `${id}-1-1-3-4`, eventStatus: 'finished' },
      ],
    });
    // Not acknowledged yet: reported again.
    expect((await m.getFilesToStageOut(w))[id]).toHaveLength(4);
    await m.acknowledgeEventsFiles([w]);
    expect(await m.getFilesToStageOut(w)).toEqual({});
    expect(await m.eventsToUpdate(w)).toEqual({});
    const names = fs.readdirSync(ap(w));
    expect(names.some((f) => /^event_status\.dump\.json\.read\.\d{4}-\d\d-\d\d_\d\d_\d\d_\d\d\.\d{6}$/.test(f))).toBe(true);
    expect(names.some((f) => /^worker_updateevents\.json\.read\.\d{4}-/.test(f))).toBe(true);
  });

  it('a new dump written while the previous one is unacknowledged waits its turn', async () => {
    const { m, w, j } = await ready();
    const id = String(j.PandaID);
    write(path.join(ap(w), 'a.root'), 'a');
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ [id]: [{ path: 'a.root', type: 'output' }] }));
    expect((await m.getFilesToStageOut(w))[id].map((f) => f.lfn)).toEqual(['a.root']);
    write(path.join(ap(w), 'b.root'), 'b');
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ [id]: [{ path: 'b.root', type: 'output' }] }));
    expect((await m.getFilesToStageOut(w))[id].map((f) => f.lfn)).toEqual(['a.root']);
    await m.acknowledgeEventsFiles([w]);
    expect((await m.getFilesToStageOut(w))[id].map((f) => f.lfn)).toEqual(['b.root']);
  });

  it('a dump caught half written is read again next cycle, not dropped', async () => {
    const { m, w, j } = await ready();
    const id = String(j.PandaID);
    write(path.join(ap(w), 'out.root'), 'hello');
    // The payload opened the dump and has written nothing yet (`cat > dump` before its first write).
    const fd = fs.openSync(path.join(ap(w), 'event_status.dump.json'), 'w');
    expect(await m.getFilesToStageOut(w)).toEqual({});
    // The monitor acknowledges what it read at the end of the cycle: the half-written dump must survive that.
    await m.acknowledgeEventsFiles([w]);
    // The writer goes on through its open descriptor.
    fs.writeSync(fd, JSON.stringify({ [id]: [{ path: 'out.root', type: 'output' }] }));
    fs.closeSync(fd);
    expect((await m.getFilesToStageOut(w))[id].map((f) => [f.lfn, f.fsize])).toEqual([['out.root', 5]]);
    expect(logLines.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it('a malformed dump is dropped and logged once its writer had time to finish, not retried forever', async () => {
    const { m, w } = await ready();
    const dump = path.join(ap(w), 'event_status.dump.json');
    write(dump, '[1, 2');
    const old = new Date(Date.now() - DUMP_SETTLE_MS - 1000);
    fs.utimesSync(dump, old, old);
    expect(await m.getFilesToStageOut(w)).toEqual({});
    expect(fs.existsSync(path.join(ap(w), 'event_status.dump.json.read'))).toBe(false);
    expect(logLines.some((l) => l.level === 50 && l.workerID === w.workerID)).toBe(true);
  });

  it('job request: absent 0, nJobs as written, unreadable 1', async () => {
    const m = await messenger();
    const w = worker({ hasJob: 0 });
    await m.setupAccessPoints([w]);
    expect(await m.jobRequested(w)).toBe(0);
    write(path.join(ap(w), 'worker_requestjob.json'), '{"nJobs": 3}');
    expect(await m.jobRequested(w)).toBe(3);
    write(path.join(ap(w), 'worker_requestjob.json'), 'garbage');
    expect(await m.jobRequested(w)).toBe(1);
  });

  it('event ranges: request read, ranges fed as {PandaID: [range]}, request dropped; updates read', async () => {
    const { m, w, j } = await ready();
    const id = String(j.PandaID);
    write(path.join(ap(w), 'worker_requestevents.json'), JSON.stringify({ [id]: { pandaID: j.PandaID, taskID: 42, jobsetID: 7, nRanges: 5 } }));
    expect(await m.eventsRequested(w)).toEqual({ [id]: { pandaID: j.PandaID, taskID: 42, jobsetID: 7, nRanges: 5 } });
    const ranges = { [id]: [{ eventRangeID: `${id}-1-1-1-2`, startEvent: 1, lastEvent: 2, LFN: 'EVNT.root', GUID: 'G', scope: 'mc' }] };
    await m.feedEvents(w, ranges);
    expect(JSON.parse(read(path.join(ap(w), 'JobsEventRanges.json')))).toEqual(ranges);
    expect(fs.existsSync(path.join(ap(w), 'worker_requestevents.json'))).toBe(false);
    write(path.join(ap(w), 'worker_updateevents.json'), JSON.stringify({ [id]: [{ eventRangeID: `${id}-1-1-1-2`, eventStatus: 'finished', cpuConsumptionTime: 3 }, { bogus: 1 }] }));
    expect(await m.eventsToUpdate(w)).toEqual({ [id]: [{ eventRangeID: `${id}-1-1-1-2`, eventStatus: 'finished', cpuConsumptionTime: 3 }] });
  });

  it('kill request and heartbeat', async () => {
    const m = await messenger();
    const w = worker({ startTime: new Date(Date.now() - 3 * 3600_000) });
    await m.setupAccessPoints([w]);
    expect(await m.killRequested(w)).toBe(false);
    expect(await m.isAlive({ ...w, startTime: null }, 10)).toBe(true);
    expect(await m.isAlive({ ...w, startTime: new Date() }, 10)).toBe(true);
    expect(await m.isAlive(w, 10), 'started long ago and never beat').toBe(false);
    write(path.join(ap(w), 'worker_heartbeat.json'), '{}');
    expect(await m.isAlive(w, 10)).toBe(true);
    const old = new Date(Date.now() - 20 * 60_000);
    fs.utimesSync(path.join(ap(w), 'worker_heartbeat.json'), old, old);
    expect(await m.isAlive(w, 10)).toBe(false);
    write(path.join(ap(w), 'kill_worker.json'), '');
    expect(await m.killRequested(w)).toBe(true);
  });

  it('pull mode: PandaIDs the worker wrote', async () => {
    const m = await messenger();
    const w = worker({ mapType: 'NoJob', hasJob: 0 });
    await m.setupAccessPoints([w]);
    expect(await m.getPandaIDs(w)).toEqual([]);
    write(path.join(ap(w), 'worker_pandaids.json'), '[123, "456", "x", -1]');
    expect(await m.getPandaIDs(w)).toEqual([123, 456]);
  });
});

describe('shared-file messenger: paths from worker files are confined', () => {
  async function dumpWith(entries: unknown[]): Promise<{ m: SharedFileMessenger; w: WorkerSpec; id: string; files: Awaited<ReturnType<Messenger['getFilesToStageOut']>> }> {
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    const id = String(j.PandaID);
    write(path.join(ap(w), 'good.root'), 'good');
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ [id]: [{ path: 'good.root', type: 'output' }, ...entries] }));
    const files = await m.getFilesToStageOut(w);
    return { m, w, id, files };
  }

  it.each([
    ['../x', 'a relative path climbing out'],
    ['../../outside/secret', 'a relative path to a real file outside'],
    ['/etc/passwd', 'an absolute path elsewhere'],
    ['<outside>/secret', 'an absolute path to a sibling dir'],
    ['<ap>/../../outside/secret', 'an absolute path through the access point that climbs out'],
  ])('rejects %j (%s), logs it, touches nothing', async (p) => {
    const raw = p.replace('<outside>', outside);
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    const id = String(j.PandaID);
    const entry = { path: raw.replace('<ap>', ap(w)), type: 'es_output', eventRangeID: 'r1', eventStatus: 'finished' };
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ [id]: [entry] }));
    const files = await m.getFilesToStageOut(w);
    expect(files).toEqual({});
    // The event of a rejected file is dropped with it: no "finished" without its output.
    expect(await m.eventsToUpdate(w)).toEqual({});
    const warn = warnings().find((l) => l.workerID === w.workerID && l.path === entry.path);
    expect(warn, `warning for ${entry.path}`).toMatchObject({ file: 'event_status.dump.json' });
    expectOutsideUntouched();
  });

  it('rejects a symlink inside the access point that points outside', async () => {
    const m = await messenger();
    const w = worker();
    await m.setupAccessPoints([w]);
    fs.symlinkSync(path.join(outside, 'secret'), path.join(ap(w), 'leak.root'));
    fs.symlinkSync(outside, path.join(ap(w), 'leakdir'));
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ 1: [{ path: 'leak.root', type: 'output' }, { path: 'leakdir/secret', type: 'log' }] }));
    expect(await m.getFilesToStageOut(w)).toEqual({});
    expect(warnings().filter((l) => l.workerID === w.workerID && /symlink/.test(String(l.reason)))).toHaveLength(2);
    expectOutsideUntouched();
  });

  it('keeps the good entries of a dump that also holds bad ones', async () => {
    const { id, files } = await dumpWith([{ path: '/etc/passwd', type: 'output' }]);
    expect(files[id].map((f) => f.lfn)).toEqual(['good.root']);
  });

  it('accepts outputs in a configured extra output dir', async () => {
    const m = await messenger({ extraOutputDirs: [outside] });
    const w = worker();
    await m.setupAccessPoints([w]);
    write(path.join(ap(w), 'event_status.dump.json'), JSON.stringify({ 1: [{ path: path.join(outside, 'secret'), type: 'output' }] }));
    expect((await m.getFilesToStageOut(w))['1'].map((f) => f.path)).toEqual([path.join(outside, 'secret')]);
  });

  it('well-known files replaced by symlinks to outside are not read', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    fs.writeFileSync(path.join(outside, 'attrs.json'), '{"stolen": true}');
    fs.symlinkSync(path.join(outside, 'attrs.json'), path.join(ap(w), 'worker_attributes.json'));
    fs.symlinkSync(path.join(outside, 'attrs.json'), path.join(ap(w), 'jobReport.json'));
    expect(await m.getWorkAttributes(w)).toEqual({ [String(j.PandaID)]: {} });
    expect(warnings().filter((l) => l.workerID === w.workerID && (l.file === 'worker_attributes.json' || l.file === 'jobReport.json'))).toHaveLength(2);
  });

  it('a task_workdir_path.txt pointing outside taskWorkBaseDir is rejected', async () => {
    const taskBase = path.join(base, '..', 'tasks');
    const m = await messenger({ taskWorkBaseDir: taskBase });
    const w = worker();
    const j = job({ jobParams: { onSiteMerging: true } });
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    expect(read(path.join(ap(w), 'task_workdir_path.txt'))).toBe(path.join(taskBase, '42'));
    write(path.join(taskBase, '42', 'state.json'), JSON.stringify({ merged: { [j.inFiles[0].lfn]: { 'merged.root': { path: 'merged.root' } } } }));
    write(path.join(taskBase, '42', 'merged.root'), 'merged');
    const res = await m.postProcessing({ ...w, status: 'finished' }, [j], 'OneToOne');
    expect(res.status).toBe('done');
    expect(JSON.parse(read(path.join(ap(w), 'post_process_job_attrs.json')))).toEqual({ skippedInputs: [j.inFiles[1].lfn] });
    const files = (await m.getFilesToStageOut(w))[String(j.PandaID)];
    expect(files.map((f) => [f.lfn, f.fileType])).toEqual(expect.arrayContaining([['merged.root', 'output'], [j.jobParams.logFile, 'log']]));
    await m.acknowledgeEventsFiles([w]);

    write(path.join(ap(w), 'task_workdir_path.txt'), outside);
    await m.postProcessing({ ...w, status: 'finished' }, [j], 'OneToOne');
    expect(warnings().some((l) => l.workerID === w.workerID && l.file === 'task_workdir_path.txt' && l.path === outside)).toBe(true);
    expectOutsideUntouched();
  });
});

describe('shared-file messenger: post-processing log tarball', () => {
  it('tars the access point\'s logs (sub-dirs first), registers it as the job\'s log file', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    execFileSync('sh', [path.join(FIXTURES, 'payload.sh')], { cwd: ap(w) });
    fs.symlinkSync(path.join(outside, 'secret'), path.join(ap(w), 'evil.log'));
    // The payload's own outputs are collected and acknowledged first, as the monitor does.
    await m.getFilesToStageOut(w);
    await m.acknowledgeEventsFiles([w]);

    const res = await m.postProcessing({ ...w, status: 'finished' }, [j], 'OneToOne');
    expect(res).toMatchObject({ status: 'done' });
    const tarball = path.join(ap(w), String(j.jobParams.logFile));
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    // Matching names at the top (acknowledged dumps end in a timestamp, so they do not match), sub-dirs as sub-tarballs.
    expect(listed).toEqual(['./PoolFileCatalog_H.xml', './jobReport.json', './payload.log', './work.subdir.tar.gz', './worker_attributes.json', './worker_heartbeat.json', './worker_pandaids.json']);
    expect(listed).not.toContain('./pandaJobData.out');
    expect(listed).not.toContain('./evil.log');
    const sub = execFileSync('tar', ['-tzf', path.join(ap(w), 'work.subdir.tar.gz')], { encoding: 'utf8' }).trim().split('\n');
    expect(sub).toEqual(['./logs/athena.log']);
    const content = execFileSync('tar', ['-xzOf', tarball, './payload.log'], { encoding: 'utf8' });
    expect(content).toBe(`payload ran for ${j.PandaID}\n`);

    const files = (await m.getFilesToStageOut({ ...w, status: 'finished' }))[String(j.PandaID)];
    const bytes = fs.readFileSync(tarball);
    expect(files).toEqual([{
      lfn: j.jobParams.logFile, path: tarball, fileType: 'log', fsize: bytes.length, chksum: `ad:${adler32(bytes)}`, guid: 'LOG-GUID-1', isZip: false,
    }]);
    expectOutsideUntouched();
  });

  it('no tarball when the job already has a log file; OneToMany gets a ._<workerID> suffix', async () => {
    const m = await messenger();
    const w = worker({ mapType: 'OneToMany' });
    const j = job();
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    write(path.join(ap(w), 'x.log'), 'x');
    const withLog = { ...j, outFiles: [makeFileSpec({ PandaID: j.PandaID, fileType: 'log', lfn: String(j.jobParams.logFile) })] };
    await m.postProcessing(w, [withLog], 'OneToMany');
    expect(fs.existsSync(path.join(ap(w), String(j.jobParams.logFile)))).toBe(false);
    await m.postProcessing(w, [j], 'OneToMany');
    expect(fs.existsSync(path.join(ap(w), `${j.jobParams.logFile}._${w.workerID}`))).toBe(true);
  });

  it('long and unicode names survive the tar writer', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    const long = `${'x'.repeat(150)}é.log`;
    write(path.join(ap(w), long), 'long');
    write(path.join(ap(w), 'empty.log'), '');
    write(path.join(ap(w), 'big.log'), 'y'.repeat(3 << 20));
    await m.postProcessing(w, [j], 'OneToOne');
    const tarball = path.join(ap(w), String(j.jobParams.logFile));
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listed).toContain(`./${long}`);
    expect(execFileSync('tar', ['-xzOf', tarball, `./${long}`], { encoding: 'utf8' })).toBe('long');
    expect(execFileSync('tar', ['-xzOf', tarball, './empty.log'], { encoding: 'utf8' })).toBe('');
    expect(execFileSync('tar', ['-xzOf', tarball, './big.log'], { maxBuffer: 8 << 20 }).length).toBe(3 << 20);
  });

  it('scanInPostProcess reports left-over event outputs of the sub-dirs', async () => {
    const m = await messenger({ scanInPostProcess: true, leftOverPatterns: ['^EVNT\\.%PANDAID\\.'] });
    const w = worker();
    const j = job();
    await m.setupAccessPoints([w]);
    write(path.join(ap(w), 'rank0', `EVNT.${j.PandaID}.pool.root.r77`), 'ev');
    write(path.join(ap(w), 'rank0', 'other.txt'), 'x');
    await m.postProcessing(w, [j], 'OneToOne');
    const files = (await m.getFilesToStageOut(w))[String(j.PandaID)];
    expect(files.filter((f) => f.fileType === 'es_output').map((f) => [f.lfn, f.eventRangeID, f.eventStatus])).toEqual([[`EVNT.${j.PandaID}.pool.root.r77`, 'r77', 'finished']]);
  });

  it('a missing access point fails post-processing with a reason', async () => {
    const m = await messenger();
    const res = await m.postProcessing(worker(), [job()], 'OneToOne');
    expect(res.status).toBe('failed');
    expect(res.diag).toMatch(/does not exist/);
  });
});

describe('shared-file messenger: cleanUp', () => {
  it('removes the access point recursively, leaving input link targets alone', async () => {
    const m = await messenger();
    const w = worker();
    const j = job();
    write(String(j.inFiles[0].path), 'input');
    await m.setupAccessPoints([w]);
    await m.feedJobs(w, [j]);
    write(path.join(ap(w), 'deep', 'er', 'f.log'), 'x');
    expect(await m.cleanUp(w)).toMatchObject({ status: 'done' });
    expect(fs.existsSync(ap(w))).toBe(false);
    expect(read(String(j.inFiles[0].path))).toBe('input');
    expect(await m.cleanUp(w)).toMatchObject({ status: 'done', diag: expect.stringMatching(/already gone/) });
  });

  it.each([
    ['<base>/../outside', 'a path climbing out of the base'],
    ['<outside>', 'a directory elsewhere'],
    ['<base>', 'the base itself'],
    ['/', 'the filesystem root'],
  ])('refuses %j (%s)', async (p) => {
    const m = await messenger();
    const accessPoint = p.replace('<base>', base).replace('<outside>', outside);
    const res = await m.cleanUp(worker({ accessPoint }));
    if (p === '<base>') expect(res).toMatchObject({ status: 'done', diag: expect.stringMatching(/shared by all workers: kept/) });
    else expect(res).toMatchObject({ status: 'failed', diag: expect.stringMatching(/outside the base directory/) });
    expect(fs.existsSync(base)).toBe(true);
    expectOutsideUntouched();
  });

  it('removes a symlinked access point as a link, never its target', async () => {
    const m = await messenger();
    const target = path.join(base, 'real');
    write(path.join(target, 'keep.txt'), 'keep');
    const w = worker();
    fs.symlinkSync(target, ap(w));
    expect(await m.cleanUp(w)).toMatchObject({ status: 'done' });
    expect(fs.existsSync(ap(w))).toBe(false);
    expect(read(path.join(target, 'keep.txt'))).toBe('keep');
  });

  it('refuses an access point that is a symlink leading outside the base', async () => {
    const m = await messenger();
    const w = worker();
    fs.symlinkSync(outside, ap(w));
    expect(await m.cleanUp(w)).toMatchObject({ status: 'failed' });
    expect(fs.lstatSync(ap(w)).isSymbolicLink()).toBe(true);
    expectOutsideUntouched();
  });
});

describe('shared-file messenger conformance', () => {
  // The suite puts access points under os.tmpdir(): that is the base here.
  messengerConformance(async () => factory.create({
    category: 'messenger', queueName: 'CONF_Q', config: { module: 'shared_file_messenger', name: 'SharedFileMessenger', baseDir: os.tmpdir() },
  }));
});
