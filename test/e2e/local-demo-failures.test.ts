/**
 * What a person running payloads locally must be told clearly: a payload that
 * exits 3 fails its job upstream with 3 in the error fields; a job whose input
 * does not exist fails in stage-in with a diag naming it; a payload that
 * reports an output outside its access point (`../x`) gets that entry
 * rejected and logged, and nothing outside the access point is touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/upstream/json';
import type { WmsJob } from '../../src/wms/store';
import { ensureBuilt } from '../helpers/master-build';
import { makeLocalDemo, poll, type LocalDemo } from '../helpers/local-demo';
import { exitWithin, repoRoot, type HarvesterProcess } from '../helpers/master-process';

const ESCAPE_PAYLOAD = path.join(repoRoot, 'test/fixtures/local-demo/escape.sh');
const MISSING_INPUT = 'demo.input.missing.txt';

describe('local payloads: failures and a worker file escaping its access point', () => {
  let demo: LocalDemo;
  let master: HarvesterProcess;
  let outside: string;
  const byIndex: WmsJob[] = [];

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js', 'dist/plugins/submitter/local.js', 'dist/plugins/messenger/shared_file.js']);
    demo = await makeLocalDemo({
      nJobs: 4,
      seconds: '1',
      keepHours: 1,
      editJobs: (jobs: JsonObject[]) => {
        // 0: exit 3; 1: input that exists nowhere; 2: reports ../x; 3: a good job.
        jobs[0].jobPars = `${String(jobs[0].inFiles)} out.\${PandaID}.txt 1 3`;
        jobs[1].inFiles = MISSING_INPUT;
        jobs[1].jobPars = `${MISSING_INPUT} out.\${PandaID}.txt 1`;
        jobs[2].transformation = ESCAPE_PAYLOAD;
      },
    });
    // What ../x names from an access point (<dir>/workers/<workerID>): it must stay as it is.
    outside = path.join(demo.workersDir, 'x');
    fs.mkdirSync(demo.workersDir, { recursive: true });
    fs.writeFileSync(outside, 'not yours\n');
    byIndex.push(...[...demo.wms.store.jobs.values()].sort((a, b) => a.PandaID - b.PandaID));
    master = demo.start();
    await poll('every job final upstream', 50_000, () => {
      const c = demo.wms.store.jobCountsByStatus();
      return (c.finished ?? 0) + (c.failed ?? 0) === 4 ? true : undefined;
    }, () => JSON.stringify(demo.wms.store.jobCountsByStatus()));
  }, 60_000);

  afterAll(async () => {
    await demo?.close();
  });

  it('a payload exiting 3 fails its job upstream with exit code 3 in the error fields', () => {
    const job = byIndex[0];
    expect(job.status).toBe('failed');
    const r = job.lastReport ?? {};
    expect(r, JSON.stringify(r)).toMatchObject({ job_status: 'failed', pilot_error_code: 3 });
    expect(String(r.pilot_error_diag)).toMatch(/exited with code 3/);
  });

  it('a missing input fails the job in stage-in with a diag naming the file and where it looked', () => {
    const job = byIndex[1];
    expect(job.status).toBe('failed');
    const r = job.lastReport ?? {};
    expect(r, JSON.stringify(r)).toMatchObject({ job_status: 'failed', pilot_error_code: 1099 });
    expect(String(r.pilot_error_diag)).toContain(MISSING_INPUT);
    expect(String(r.pilot_error_diag)).toContain('not found');
  });

  it('an event_status.dump.json entry with ../x is rejected and logged; nothing outside is touched', async () => {
    const job = byIndex[2];
    // Its real output is fine: the job finishes with it, without the rejected entry.
    expect(job.status, JSON.stringify(job.lastReport)).toBe('finished');
    expect(Object.keys(JSON.parse(String(job.lastReport?.job_output_report)) as object).sort()).toEqual([`log.${job.PandaID}.tgz`, `out.${job.PandaID}.txt`]);
    const warning = await poll('the rejection in the master log', 5_000, () => master.logs().find((l) => l.level === 40 && l.path === '../x'), () => '');
    expect(warning).toMatchObject({ workerID: expect.any(Number) });
    expect(String(warning.reason ?? warning.msg)).toMatch(/outside|escape|\.\./i);
    expect(fs.readFileSync(outside, 'utf8')).toBe('not yours\n');
    expect(fs.existsSync(path.join(demo.outputDir, String(job.PandaID), 'x'))).toBe(false);
    expect(fs.existsSync(path.join(demo.outputDir, 'x'))).toBe(false);
  });

  it('the good job finishes and the master stops cleanly', async () => {
    expect(byIndex[3].status).toBe('finished');
    master.child.kill('SIGINT');
    expect((await exitWithin(master, 30_000)).code).toBe(0);
  }, 40_000);
});
