/**
 * The local setup end to end with real payloads: a master process running 50
 * shell payloads (etc/demo/payload.sh) through the local plugins. Every job
 * must end `finished` upstream, its output in `<dstBase>/<PandaID>/` with the
 * size and adler32 reported upstream (recomputed here), its log tarball next
 * to it, and every access point gone once the (short) keep time is over.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WmsJob } from '../../src/wms/store';
import { ensureBuilt } from '../helpers/master-build';
import { adler32Hex, makeLocalDemo, poll, type LocalDemo } from '../helpers/local-demo';
import { exitWithin, type HarvesterProcess } from '../helpers/master-process';

const N_JOBS = 50;

/** The final update's output report as the propagator sends it: `{lfn: {guid, fsize, adler32}}` (JSON-encoded). */
function outputReport(job: WmsJob): Record<string, { fsize?: number | string; adler32?: string; guid?: string }> {
  const r = job.lastReport?.job_output_report;
  return (typeof r === 'string' ? JSON.parse(r) : (r ?? {})) as Record<string, { fsize?: number | string; adler32?: string }>;
}

describe('local payloads end to end (50 jobs, real processes)', () => {
  let demo: LocalDemo;
  let master: HarvesterProcess;

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js', 'dist/plugins/submitter/local.js', 'dist/plugins/messenger/shared_file.js', 'dist/plugins/stager/local_copy.js']);
    demo = await makeLocalDemo({ nJobs: N_JOBS, seconds: '1', maxConcurrent: 6, keepHours: 0.002 });
    master = demo.start();
  }, 60_000);

  afterAll(async () => {
    await demo?.close();
  });

  it(`takes ${N_JOBS} jobs to finished upstream, outputs with correct checksums in the output tree`, async () => {
    const store = demo.wms.store;
    await poll('every job final upstream', 55_000, () => {
      const c = store.jobCountsByStatus();
      return (c.finished ?? 0) + (c.failed ?? 0) === N_JOBS ? true : undefined;
    }, () => JSON.stringify(store.jobCountsByStatus()));
    const failed = [...store.jobs.values()].filter((j) => j.status !== 'finished');
    expect(failed.map((j) => ({ id: j.PandaID, status: j.status, report: j.lastReport })), master.stderr()).toEqual([]);

    for (const job of store.jobs.values()) {
      const id = job.PandaID;
      const dir = path.join(demo.outputDir, String(id));
      const out = fs.readFileSync(path.join(dir, `out.${id}.txt`));
      // The payload really read its staged-in input: the upper-cased text of that input follows its header.
      const input = fs.readFileSync(path.join(demo.dir, 'inputs', String(job.dict.inFiles)), 'utf8');
      expect(out.toString()).toBe(`PandaID ${id} processed ${String(job.dict.inFiles)}\nwords: ${input.split(/\s+/).filter(Boolean).length}\n${input.toUpperCase()}`);
      const report = outputReport(job);
      expect(report[`out.${id}.txt`], `PandaID ${id}: ${JSON.stringify(job.lastReport)}`).toMatchObject({ fsize: out.length });
      expect(String(report[`out.${id}.txt`]?.adler32).replace(/^ad:/, '')).toBe(adler32Hex(out));
      // The log tarball: in the output tree, reported upstream, and with the payload's stdout inside.
      const logFile = path.join(dir, `log.${id}.tgz`);
      const log = fs.readFileSync(logFile);
      expect(String(report[`log.${id}.tgz`]?.adler32).replace(/^ad:/, '')).toBe(adler32Hex(log));
      const members = execFileSync('tar', ['-tzf', logFile], { encoding: 'utf8' }).split('\n');
      expect(members).toEqual(expect.arrayContaining(['./payload_stdout.txt', './jobReport.json']));
      // The job report the payload wrote reached upstream as the job's metaData.
      expect(JSON.parse(String(job.lastReport?.meta_data))).toMatchObject({ exitCode: 0, output: `out.${id}.txt` });
    }
  }, 60_000);

  it('removes every access point after the keep time and stops cleanly', async () => {
    await poll('access points swept', 45_000, () => (fs.readdirSync(demo.workersDir).length === 0 ? true : undefined),
      () => fs.readdirSync(demo.workersDir).join(','));
    // Outputs are the user's: the sweep leaves them.
    expect(fs.readdirSync(demo.outputDir)).toHaveLength(N_JOBS);
    expect(master.logs().some((l) => String(l.msg).startsWith('progress: jobs'))).toBe(true);
    master.child.kill('SIGINT');
    expect((await exitWithin(master, 30_000)).code).toBe(0);
    const errors = master.logs().filter((l) => (l.level ?? 0) >= 50);
    expect(errors.map((l) => `${String(l.agent ?? '')}: ${String(l.msg)}`)).toEqual([]);
  }, 60_000);
});
