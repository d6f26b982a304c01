import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adler32 } from '../../plugins/lib/chance';
import { Preparator } from '../../src/agents/preparator';
import { Stager } from '../../src/agents/stager';
import type { JobRow } from '../../src/db/repo/jobs';
import { createAgentTestEnv, dummyQueue, type AgentTestEnv } from '../helpers/agent-context';
import { filesOf, jobRow, seedStagingJobs, TestClock } from '../helpers/staging-fixtures';

/**
 * The real preparator and stager agents (sqlite, queue config, plugin
 * factory) driving the local-copy plugins: inputs end `ready` at their local
 * path, a missing input fails the job with STAGEINFAILED and a diag naming
 * it, outputs land in the output tree and the staged job's
 * outputFilesToReport carries their true size and adler32.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-local-copy-agents-'));
const srcDir = path.join(root, 'src');
const inBase = path.join(root, 'in', '${PandaID}');
const outBase = path.join(root, 'out');
const apTemplate = path.join(root, 'workers', '${workerID}');

let env: AgentTestEnv;
const clock = new TestClock();
const preparator = new Preparator({ clock: clock.now });
const stager = new Stager({ clock: clock.now });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  env = await createAgentTestEnv({
    queueConfig: {
      Q_LC: dummyQueue({
        // accessPoint in `common`: the messenger and the stager read the same template.
        common: { accessPoint: apTemplate },
        preparator: { module: 'local_copy', name: 'LocalCopyPreparator', sourceDir: srcDir, basePath: inBase },
        stager: { module: 'local_copy', name: 'LocalCopyStager', dstBase: outBase },
      }),
    },
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Cycles the agent (stepping the clock over its intervals) until `done(job)` or 50 rounds. */
async function cycleUntil(agent: Preparator | Stager, pandaID: number, done: (j: JobRow) => boolean): Promise<JobRow> {
  let job = await jobRow(env, pandaID);
  for (let i = 0; i < 50 && !done(job); i++) {
    await env.runCycle(agent, { queue: 'Q_LC' });
    job = await jobRow(env, pandaID);
    if (done(job)) break;
    await sleep(20); // copies run in the background between cycles
    clock.advance(200);
  }
  return job;
}

describe('preparator agent with LocalCopyPreparator', () => {
  it('stages inputs in (adler32 and md5 verified) and records their local paths', async () => {
    const a = randomBytes(50_000);
    const b = Buffer.from('input b');
    fs.mkdirSync(path.join(srcDir, 'mc23'), { recursive: true });
    fs.writeFileSync(path.join(srcDir, 'a.root'), a);
    fs.writeFileSync(path.join(srcDir, 'mc23', 'b.root'), b);
    await seedStagingJobs(env, [{
      PandaID: 101, queue: 'Q_LC', subStatus: 'fetched',
      files: [
        { lfn: 'a.root', status: 'to_prepare', fsize: a.length, chksum: `ad:${adler32(a)}` },
        { lfn: 'b.root', status: 'to_prepare', scope: 'mc23', fsize: b.length, chksum: `md:${createHash('md5').update(b).digest('hex')}` },
      ],
    }]);
    const job = await cycleUntil(preparator, 101, (j) => j.subStatus !== 'fetched' && j.subStatus !== 'preparing');
    expect(job).toMatchObject({ status: 'starting', subStatus: 'prepared' });
    const files = await filesOf(env, 101);
    expect(files.map((f) => [f.lfn, f.status, f.path])).toEqual([
      ['a.root', 'ready', path.join(root, 'in', '101', 'a.root')],
      ['b.root', 'ready', path.join(root, 'in', '101', 'b.root')],
    ]);
    expect(fs.readFileSync(path.join(root, 'in', '101', 'a.root')).equals(a)).toBe(true);
  });

  it('a missing input fails the job (STAGEINFAILED) with a diag naming the lfn and where it looked', async () => {
    await seedStagingJobs(env, [{ PandaID: 102, queue: 'Q_LC', subStatus: 'fetched', files: [{ lfn: 'absent.root', status: 'to_prepare', fsize: 10 }] }]);
    const job = await cycleUntil(preparator, 102, (j) => j.status === 'failed');
    expect(job).toMatchObject({ status: 'failed', subStatus: 'failed_to_prepare' });
    expect(job.jobAttributes?.pilotErrorCode).toBe(1099);
    const diag = String(job.jobAttributes?.pilotErrorDiag);
    expect(diag).toContain('absent.root');
    expect(diag).toContain(path.join(srcDir, 'absent.root'));
    expect((await filesOf(env, 102))[0].status).toBe('failed');
  });
});

describe('stager agent with LocalCopyStager', () => {
  it('copies outputs and the log into <dstBase>/<PandaID>/ and reports their size and adler32 upstream', async () => {
    const workerID = 77;
    const ap = path.join(root, 'workers', String(workerID), '201');
    const out = randomBytes(123_457);
    const log = randomBytes(999);
    fs.mkdirSync(ap, { recursive: true });
    fs.writeFileSync(path.join(ap, 'out.root'), out);
    fs.writeFileSync(path.join(ap, 'log.tgz'), log);
    await seedStagingJobs(env, [{
      PandaID: 201, queue: 'Q_LC', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1,
      jobParamsExtForLog: { lfn: 'log.tgz', guid: 'guid-log' },
      files: [
        { lfn: 'out.root', status: 'defined', fileType: 'output', fileAttributes: { guid: 'guid-out' } },
        { lfn: 'log.tgz', status: 'defined', fileType: 'log' },
      ],
    }]);
    // The monitor records the path the payload reported and the worker; fsize/chksum left for the stager to compute.
    for (const f of await filesOf(env, 201)) {
      await env.db.sql.run('UPDATE file_table SET path = ?, workerID = ?, fsize = NULL, chksum = NULL WHERE fileID = ?', [path.join(ap, f.lfn), workerID, f.fileID]);
    }
    const job = await cycleUntil(stager, 201, (j) => j.subStatus === 'staged' || j.status === 'failed');
    expect(job).toMatchObject({ status: 'finished', subStatus: 'staged', hasOutFile: 0 });
    expect(JSON.parse(job.outputFilesToReport ?? '{}')).toEqual({
      'out.root': { guid: 'guid-out', fsize: out.length, adler32: adler32(out) },
      'log.tgz': { guid: 'guid-log', fsize: log.length, adler32: adler32(log) },
    });
    const files = await filesOf(env, 201);
    expect(files.map((f) => [f.status, f.fsize, f.chksum])).toEqual([
      ['finished', out.length, `ad:${adler32(out)}`], ['finished', log.length, `ad:${adler32(log)}`],
    ]);
    expect(adler32(fs.readFileSync(path.join(outBase, '201', 'out.root')))).toBe(adler32(out));
    expect(adler32(fs.readFileSync(path.join(outBase, '201', 'log.tgz')))).toBe(adler32(log));
  });

  it('an output outside the worker\'s access point fails the job (STAGEOUTFAILED) and is not copied', async () => {
    const elsewhere = path.join(root, 'elsewhere.root');
    fs.writeFileSync(elsewhere, 'not yours');
    await seedStagingJobs(env, [{ PandaID: 202, queue: 'Q_LC', status: 'finished', subStatus: 'to_transfer', hasOutFile: 1, files: [{ lfn: 'x.root', status: 'defined', fileType: 'output' }] }]);
    const [f] = await filesOf(env, 202);
    await env.db.sql.run('UPDATE file_table SET path = ?, workerID = ? WHERE fileID = ?', [elsewhere, 78, f.fileID]);
    const job = await cycleUntil(stager, 202, (j) => j.status === 'failed' || j.subStatus === 'staged');
    expect(job).toMatchObject({ status: 'failed', subStatus: 'failed_to_stage_out' });
    expect(job.jobAttributes?.pilotErrorCode).toBe(1137);
    expect(String(job.jobAttributes?.pilotErrorDiag)).toMatch(/x\.root.*outside/);
    expect(fs.existsSync(path.join(outBase, '202'))).toBe(false);
  });
});
