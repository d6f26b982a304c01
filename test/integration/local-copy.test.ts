import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adler32 } from '../../plugins/lib/chance';
import { outputFilesToReport } from '../../src/agents/stager/output-report';
import { PluginFactory } from '../../src/plugins';
import type { Preparator, StageInResult } from '../../src/plugins/preparator';
import type { Stager, StageOutResult } from '../../src/plugins/stager';
import type { FileSpec, JobSpec } from '../../src/plugins/types';
import { makeFileSpec, makeJobSpec } from '../conformance/fixtures';

/**
 * The local-copy preparator and stager on real files and a real HTTP server
 * (node:http on 127.0.0.1, any free port). Checksums are compared with an
 * independent adler32 (plugins/lib/chance.ts) and node:crypto md5.
 */

const logLines: Array<Record<string, unknown>> = [];
const log = pino({ level: 'warn' }, new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    cb();
  },
}));
const factory = new PluginFactory({ log, harvesterID: 'test-harvester' });

let root: string;
let srcDir: string;
let server: http.Server;
let baseURL: string;
const served = new Map<string, Buffer>();
let flaky500 = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-local-copy-'));
  srcDir = path.join(root, 'src');
  fs.mkdirSync(srcDir, { recursive: true });
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/hang/')) {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x');
      return; // never ends: the idle timeout must fire
    }
    if (url.startsWith('/flaky/') && flaky500 > 0) {
      flaky500 -= 1;
      res.writeHead(500).end('try again');
      return;
    }
    const body = served.get(decodeURIComponent(url.replace(/^\/(data|flaky)\//, '')));
    if (!body) {
      res.writeHead(404).end('no such file');
      return;
    }
    res.writeHead(200, { 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await factory.clear();
  fs.rmSync(root, { recursive: true, force: true });
});

function preparator(attrs: Record<string, unknown> = {}): Promise<Preparator> {
  return factory.create({ category: 'preparator', queueName: 'LC_Q', config: { module: 'local_copy', name: 'LocalCopyPreparator', basePath: path.join(root, 'in', '${PandaID}'), ...attrs } });
}

function stager(attrs: Record<string, unknown> = {}): Promise<Stager> {
  return factory.create({ category: 'stager', queueName: 'LC_Q', config: { module: 'local_copy', name: 'LocalCopyStager', dstBase: path.join(root, 'out'), ...attrs } });
}

/** A job with the given inputs (PandaID fresh per call). */
function jobWithInputs(inputs: Array<Partial<FileSpec> & { lfn: string }>): JobSpec {
  const job = makeJobSpec({}, 0, 0);
  job.inFiles = inputs.map((f) => makeFileSpec({ PandaID: job.PandaID, fileType: 'input', status: 'to_prepare', chksum: null, fsize: null, ...f }));
  return job;
}

/** Trigger, then check until the copies settle. */
async function stageIn(p: Preparator, job: JobSpec): Promise<{ trigger: StageInResult; check?: StageInResult }> {
  const trigger = await p.triggerPreparation(job);
  if (trigger.status !== 'done') return { trigger };
  let check = await p.checkStageInStatus(job);
  for (let i = 0; check.status === 'pending' && i < 200; i++) {
    await sleep(10);
    check = await p.checkStageInStatus(job);
  }
  return { trigger, check };
}

async function stageOut(s: Stager, job: JobSpec): Promise<{ trigger: StageOutResult; check?: StageOutResult }> {
  const trigger = await s.triggerStageOut(job);
  if (trigger.status !== 'done') return { trigger };
  let check = await s.checkStageOutStatus(job);
  for (let i = 0; check.status === 'pending' && i < 200; i++) {
    await sleep(10);
    check = await s.checkStageOutStatus(job);
  }
  return { trigger, check };
}

function writeSource(rel: string, content: Buffer): Buffer {
  const p = path.join(srcDir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return content;
}

describe('LocalCopyPreparator from a directory', () => {
  it('copies inputs with correct adler32 and md5, looked up by lfn and by scope/lfn, and resolves their paths', async () => {
    const a = writeSource('a.root', randomBytes(3 * 1024 * 1024 + 17));
    const b = writeSource('mc23/b.root', Buffer.from('the b input'));
    const p = await preparator({ sourceDir: srcDir });
    const job = jobWithInputs([
      { lfn: 'a.root', scope: 'mc23', chksum: `ad:${adler32(a)}`, fsize: a.length },
      { lfn: 'b.root', scope: 'mc23', chksum: `md:${md5(b)}`, fsize: b.length },
    ]);
    const { trigger, check } = await stageIn(p, job);
    expect(trigger.status).toBe('done');
    expect(check).toMatchObject({ status: 'done' });
    const res = await p.resolveInputPaths(job);
    const dir = path.join(root, 'in', String(job.PandaID));
    expect(res).toEqual({ status: 'done', diag: '', paths: { 'a.root': path.join(dir, 'a.root'), 'b.root': path.join(dir, 'b.root') } });
    expect(fs.readFileSync(path.join(dir, 'a.root')).equals(a)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'b.root')).equals(b)).toBe(true);
    expect(fs.readdirSync(dir).sort(), 'no temp files left').toEqual(['a.root', 'b.root']);
  });

  it('understands unprefixed adler32 with lost leading zeros, and md5: prefixes', async () => {
    const c = writeSource('c.root', Buffer.from('c'.repeat(10)));
    const sum = adler32(c);
    const p = await preparator({ sourceDir: srcDir });
    const job = jobWithInputs([{ lfn: 'c.root', chksum: sum.replace(/^0+/, '') }, { lfn: 'a.root', chksum: `md5:${md5(fs.readFileSync(path.join(srcDir, 'a.root')))}` }]);
    expect((await stageIn(p, job)).check?.status).toBe('done');
  });

  it('a wrong checksum fails the job with expected and actual values', async () => {
    const d = writeSource('d.root', Buffer.from('payload input d'));
    const p = await preparator({ sourceDir: srcDir });
    const job = jobWithInputs([{ lfn: 'd.root', chksum: 'ad:deadbeef' }]);
    const { check } = await stageIn(p, job);
    expect(check?.status).toBe('failed');
    expect(check?.diag).toContain(`PandaID ${job.PandaID}`);
    expect(check?.diag).toContain('d.root');
    expect(check?.diag).toContain('deadbeef');
    expect(check?.diag).toContain(adler32(d));
    expect(check?.files).toEqual([{ fileID: job.inFiles[0].fileID, status: 'failed' }]);
    expect(fs.existsSync(path.join(root, 'in', String(job.PandaID), 'd.root')), 'a corrupt copy is not left in place').toBe(false);
  });

  it('a wrong size fails the job', async () => {
    writeSource('e.root', Buffer.from('12345'));
    const p = await preparator({ sourceDir: srcDir });
    const { check } = await stageIn(p, jobWithInputs([{ lfn: 'e.root', fsize: 6 }]));
    expect(check).toMatchObject({ status: 'failed' });
    expect(check?.diag).toMatch(/size mismatch: expected 6 bytes, got 5/);
  });

  it('a missing input fails the job naming the lfn and every place looked at', async () => {
    const p = await preparator({ sourceDir: srcDir });
    const job = jobWithInputs([{ lfn: 'missing.root', scope: 'mc23' }]);
    const { check } = await stageIn(p, job);
    expect(check?.status).toBe('failed');
    expect(check?.diag).toContain('lfn missing.root');
    expect(check?.diag).toContain('not found');
    expect(check?.diag).toContain(path.join(srcDir, 'missing.root'));
    expect(check?.diag).toContain(path.join(srcDir, 'mc23', 'missing.root'));
  });

  it('an lfn with ../ or a separator is refused at trigger and nothing is written outside basePath', async () => {
    writeSource('secret.txt', Buffer.from('secret'));
    const p = await preparator({ sourceDir: path.join(srcDir, 'mc23') });
    const job = jobWithInputs([{ lfn: '../secret.txt' }, { lfn: '..' }]);
    const trig = await p.triggerPreparation(job);
    expect(trig.status).toBe('failed');
    expect(trig.diag).toContain('"../secret.txt"');
    expect(trig.diag).toContain('path separator');
    expect((await p.resolveInputPaths(job)).status).toBe('failed');
    expect(fs.existsSync(path.join(root, 'in', 'secret.txt'))).toBe(false);
  });

  it('a symlink in sourceDir pointing outside it is refused', async () => {
    const outside = path.join(root, 'outside.txt');
    fs.writeFileSync(outside, 'not for jobs');
    fs.symlinkSync(outside, path.join(srcDir, 'link.root'));
    const p = await preparator({ sourceDir: srcDir });
    const { check } = await stageIn(p, jobWithInputs([{ lfn: 'link.root' }]));
    expect(check?.status).toBe('failed');
    expect(check?.diag).toMatch(/link\.root \(refused: .*symlink leads outside/);
  });

  it('a job without inputs is done and resolves to no paths', async () => {
    const p = await preparator({ sourceDir: srcDir });
    const job = jobWithInputs([]);
    expect((await stageIn(p, job)).check?.status).toBe('done');
    expect(await p.resolveInputPaths(job)).toEqual({ status: 'done', diag: '', paths: {} });
  });

  it('a check by a fresh instance (restart) reuses an intact copy or copies again', async () => {
    const f = writeSource('r.root', Buffer.from('restart me'));
    const job = jobWithInputs([{ lfn: 'r.root', chksum: `ad:${adler32(f)}` }]);
    expect((await stageIn(await preparator({ sourceDir: srcDir }), job)).check?.status).toBe('done');
    const fresh = await preparator({ sourceDir: srcDir });
    expect((await fresh.checkStageInStatus(job)).status).toBe('pending');
    let check = await fresh.checkStageInStatus(job);
    for (let i = 0; check.status === 'pending' && i < 100; i++) check = (await sleep(10), await fresh.checkStageInStatus(job));
    expect(check.status).toBe('done');
  });

  it('rejects bad configurations when the plugin is made', async () => {
    await expect(preparator({ basePath: '/x/${nope}' })).rejects.toThrow(/unknown placeholder.*nope/);
    await expect(preparator({ sourceURL: 'ftp://host/${lfn}' })).rejects.toThrow(/http/);
    const p = await preparator({});
    const { trigger } = await stageIn(p, jobWithInputs([{ lfn: 'x.root' }]));
    expect(trigger).toMatchObject({ status: 'failed' });
    expect(trigger.diag).toMatch(/x\.root.*no source/);
  });
});

describe('LocalCopyPreparator over http', () => {
  it('downloads from the sourceURL template with a verified checksum', async () => {
    const body = randomBytes(200_000);
    served.set('mc23/h.root', body);
    const p = await preparator({ sourceURL: `${baseURL}/data/\${scope}/\${lfn}` });
    const job = jobWithInputs([{ lfn: 'h.root', scope: 'mc23', chksum: `ad:${adler32(body)}`, fsize: body.length }]);
    const { check } = await stageIn(p, job);
    expect(check?.status).toBe('done');
    const res = await p.resolveInputPaths(job);
    expect(fs.readFileSync(res.paths?.['h.root'] ?? '').equals(body)).toBe(true);
  });

  it('falls back from sourceDir to the URL, and uses the file\'s own url', async () => {
    const body = Buffer.from('only on the web');
    served.set('w.root', body);
    const p = await preparator({ sourceDir: srcDir, sourceURL: `${baseURL}/data/\${lfn}` });
    expect((await stageIn(p, jobWithInputs([{ lfn: 'w.root', chksum: `md:${md5(body)}` }]))).check?.status).toBe('done');
    const q = await preparator({});
    expect((await stageIn(q, jobWithInputs([{ lfn: 'w2.root', url: `${baseURL}/data/w.root`, fsize: body.length }]))).check?.status).toBe('done');
  });

  it('a 404 is a missing input naming the URL; a wrong checksum names both values', async () => {
    const p = await preparator({ sourceURL: `${baseURL}/data/\${lfn}` });
    const { check } = await stageIn(p, jobWithInputs([{ lfn: 'nothere.root' }]));
    expect(check?.status).toBe('failed');
    expect(check?.diag).toContain('lfn nothere.root: not found');
    expect(check?.diag).toContain(`${baseURL}/data/nothere.root: HTTP 404`);

    served.set('bad.root', Buffer.from('abc'));
    const bad = await stageIn(p, jobWithInputs([{ lfn: 'bad.root', chksum: 'ad:00000001' }]));
    expect(bad.check?.diag).toContain(`expected adler32 00000001, got ${adler32('abc')}`);
  });

  it('retries a 500, and gives up on a server that stops sending', async () => {
    served.set('f.root', Buffer.from('flaky'));
    flaky500 = 1;
    const p = await preparator({ sourceURL: `${baseURL}/flaky/\${lfn}`, httpRetries: 1, retryDelay: 0 });
    expect((await stageIn(p, jobWithInputs([{ lfn: 'f.root' }]))).check?.status).toBe('done');

    const h = await preparator({ sourceURL: `${baseURL}/hang/\${lfn}`, httpTimeout: 0.2, httpRetries: 0 });
    const job = jobWithInputs([{ lfn: 'slow.root' }]);
    const { check } = await stageIn(h, job);
    expect(check?.status).toBe('failed');
    expect(check?.diag).toMatch(/hang\/slow\.root: no data for 0\.2s/);
    expect(fs.readdirSync(path.join(root, 'in', String(job.PandaID))), 'the partial download is removed').toEqual([]);
  });
});

describe('LocalCopyStager', () => {
  const apTemplate = () => path.join(root, 'workers', '${workerID}');

  function outputJob(workerID: number, files: Array<{ lfn: string; content?: Buffer; fileType?: FileSpec['fileType']; at?: string; chksum?: string }>): JobSpec {
    const job = makeJobSpec({ subStatus: 'to_transfer' }, 0, 0);
    const ap = path.join(root, 'workers', String(workerID), String(job.PandaID));
    job.outFiles = files.map((f) => {
      const p = f.at ?? path.join(ap, f.lfn);
      if (f.content) {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, f.content);
      }
      return makeFileSpec({ PandaID: job.PandaID, lfn: f.lfn, fileType: f.fileType ?? 'output', status: 'defined', path: p, workerID, fsize: null, chksum: f.chksum ?? null, fileAttributes: { guid: `guid-${f.lfn}` } });
    });
    return job;
  }

  it('copies outputs and the log tarball into <dstBase>/<PandaID>/<lfn> with size and adler32 recorded', async () => {
    const out = randomBytes(2 * 1024 * 1024 + 3);
    const logTgz = randomBytes(4096);
    const s = await stager({ accessPoint: apTemplate() });
    const job = outputJob(71, [{ lfn: 'out.root', content: out }, { lfn: 'job.log.tgz', content: logTgz, fileType: 'log' }]);
    const { trigger, check } = await stageOut(s, job);
    expect(trigger.status).toBe('done');
    expect(trigger.files?.map((f) => f.status)).toEqual(['transferring', 'transferring']);
    expect(check?.status).toBe('done');
    const dir = path.join(root, 'out', String(job.PandaID));
    expect(fs.readFileSync(path.join(dir, 'out.root')).equals(out)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'job.log.tgz')).equals(logTgz)).toBe(true);
    expect(check?.files).toEqual([
      { fileID: job.outFiles[0].fileID, status: 'finished', fsize: out.length, chksum: `ad:${adler32(out)}`, url: `file://${path.join(dir, 'out.root')}` },
      { fileID: job.outFiles[1].fileID, status: 'finished', fsize: logTgz.length, chksum: `ad:${adler32(logTgz)}`, url: `file://${path.join(dir, 'job.log.tgz')}` },
    ]);
    // What the stager agent reports upstream once these updates are applied to the file rows.
    const applied = job.outFiles.map((f) => ({ ...f, ...check?.files?.find((u) => u.fileID === f.fileID) }));
    expect(JSON.parse(outputFilesToReport(applied, null))).toEqual({
      'out.root': { guid: 'guid-out.root', fsize: out.length, adler32: adler32(out) },
      'job.log.tgz': { guid: 'guid-job.log.tgz', fsize: logTgz.length, adler32: adler32(logTgz) },
    });
  });

  it('a path escaping the access point is rejected, logged, and nothing is copied', async () => {
    const secret = path.join(root, 'workers', 'secret.txt');
    fs.mkdirSync(path.dirname(secret), { recursive: true });
    fs.writeFileSync(secret, 'keys');
    const s = await stager({ accessPoint: apTemplate() });
    const job = outputJob(72, [{ lfn: 'evil.root', at: path.join(root, 'workers', '72', '..', 'secret.txt') }]);
    logLines.length = 0;
    const { trigger } = await stageOut(s, job);
    expect(trigger.status).toBe('failed');
    expect(trigger.diag).toContain(`PandaID ${job.PandaID}`);
    expect(trigger.diag).toContain('"evil.root"');
    expect(trigger.diag).toContain('outside');
    expect(trigger.files).toEqual([{ fileID: job.outFiles[0].fileID, status: 'failed' }]);
    expect(logLines.some((l) => l.PandaID === job.PandaID && l.lfn === 'evil.root' && String(l.msg).includes('rejected'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'out', String(job.PandaID)))).toBe(false);
  });

  it('a symlink in the access point pointing outside it is rejected', async () => {
    const s = await stager({ accessPoint: apTemplate() });
    const job = outputJob(73, []);
    const link = path.join(root, 'workers', '73', 'sneaky.root');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(root, 'workers', 'secret.txt'), link);
    job.outFiles = [makeFileSpec({ PandaID: job.PandaID, lfn: 'sneaky.root', status: 'defined', path: link, workerID: 73, chksum: null, fsize: null })];
    const { trigger } = await stageOut(s, job);
    expect(trigger.status).toBe('failed');
    expect(trigger.diag).toMatch(/symlink leads outside \(real path .*secret\.txt\)/);
  });

  it('without an access point or allowed dir nothing is trusted; allowedSourceDirs opens a directory', async () => {
    const job = outputJob(74, [{ lfn: 'o.root', content: Buffer.from('o') }]);
    const none = await stageOut(await stager(), job);
    expect(none.trigger.status).toBe('failed');
    expect(none.trigger.diag).toContain('no allowed source directory');
    const ok = await stageOut(await stager({ allowedSourceDirs: [path.join(root, 'workers')] }), job);
    expect(ok.check?.status).toBe('done');
  });

  it('a missing output, a bad lfn, or a checksum differing from the reported one fail with context', async () => {
    const s = await stager({ accessPoint: apTemplate() });
    const missing = await stageOut(s, outputJob(75, [{ lfn: 'gone.root' }]));
    expect(missing.trigger.diag).toMatch(/gone\.root.*does not exist/);
    const badName = await stageOut(s, outputJob(75, [{ lfn: '../x.root', content: Buffer.from('x'), at: path.join(root, 'workers', '75', 'x.root') }]));
    expect(badName.trigger.diag).toContain('path separator');
    const corrupt = await stageOut(s, outputJob(75, [{ lfn: 'c.root', content: Buffer.from('changed'), chksum: 'ad:12345678' }]));
    expect(corrupt.check?.status).toBe('failed');
    expect(corrupt.check?.diag).toContain(`expected adler32 12345678, got ${adler32('changed')}`);
    expect(corrupt.check?.files?.[0]).toMatchObject({ status: 'failed' });
  });

  it('dstBase with placeholders is the directory itself', async () => {
    const s = await stager({ accessPoint: apTemplate(), dstBase: path.join(root, 'tree', '${taskID}', '${PandaID}') });
    const job = outputJob(76, [{ lfn: 't.root', content: Buffer.from('t') }]);
    expect((await stageOut(s, job)).check?.status).toBe('done');
    expect(fs.readFileSync(path.join(root, 'tree', '42', String(job.PandaID), 't.root'), 'utf8')).toBe('t');
  });
});
