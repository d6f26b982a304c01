import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { repoRoot } from '../helpers/master-process';
import { clientFor, waitFor } from '../helpers/wms-fixture';

/** `harvester wms serve|submit|jobs` as operators run them: compiled JS in real processes. */

const run = promisify(execFile);
const BIN = path.join(repoRoot, 'bin/harvester.js');

interface Served { proc: ChildProcess; url: string; exited: Promise<number | null> }

async function serve(args: string[]): Promise<Served> {
  const proc = spawn(process.execPath, [BIN, 'wms', 'serve', '--port', '0', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  await waitFor(() => /WMS listening on (http\S+)/.test(out) || proc.exitCode !== null, 'wms serve to listen', 20_000);
  const m = /WMS listening on (http\S+)/.exec(out);
  if (!m) throw new Error(`wms serve did not start: ${err || out}`);
  return { proc, url: m[1]!, exited };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

let dir: string;

beforeAll(() => {
  ensureBuilt(['dist/src/cli/main.js', 'dist/src/cli/commands/wms.js', 'dist/src/wms/server.js']);
  dir = mkdtempSync(path.join(tmpdir(), 'wms-cli-'));
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('harvester wms', () => {
  it('serves the sample jobs, takes submissions, lists states, and keeps state across a restart', async () => {
    const state = path.join(dir, 'var', 'wms-state.json');
    const jobsFile = path.join(repoRoot, 'etc/wms-jobs.json');
    const s1 = await serve(['--jobs', jobsFile, '--state', state]);
    let s2: Served | undefined;
    try {
      const template = path.join(dir, 'template.json');
      writeFileSync(template, JSON.stringify({ transformation: 'echo', jobPars: 'job ${PandaID}', taskID: 77 }));
      const sub = await cli(['wms', 'submit', '--count', '3', '--site', 'QUEUE_X', '--template', template, '--url', s1.url]);
      expect(sub.code, sub.stderr).toBe(0);
      const submitted = JSON.parse(sub.stdout.trim().split('\n').at(-1)!) as { submitted: number; PandaIDs: number[] };
      expect(submitted.submitted).toBe(3);

      // The harvester side takes QUEUE_X's jobs and reports one running.
      const client = clientFor({ apiUrl: `${s1.url}/api/v1` });
      try {
        const got = await client.getJobs({ siteName: 'QUEUE_X', node: 'n', prodSourceLabel: 'managed', computingElement: 'ce', nJobs: 100 });
        // The sample file's jobs have no computingSite, so any queue may take them: 12 + 3.
        expect(got.jobs).toHaveLength(15);
        const mine = got.jobs.find((j) => j.PandaID === submitted.PandaIDs[0])!;
        expect(mine).toMatchObject({ transformation: 'echo', jobPars: `job ${submitted.PandaIDs[0]}`, taskID: 77, computingSite: 'QUEUE_X' });
        const upd = await client.updateJobs([{ PandaID: mine.PandaID, siteName: 'QUEUE_X', jobStatus: 'running', jobSubStatus: 'running' }]);
        expect(upd[0]!.ok).toBe(true);
      } finally {
        client.close();
      }

      const listed = await cli(['wms', 'jobs', '--json', '--url', s1.url]);
      expect(listed.code, listed.stderr).toBe(0);
      const data = JSON.parse(listed.stdout) as { counts: Record<string, number>; jobs: Array<{ PandaID: number; status: string }> };
      expect(data.counts).toEqual({ sent: 14, running: 1 });

      const table = await cli(['wms', 'jobs', '--status', 'running', '--url', s1.url]);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(String(submitted.PandaIDs[0]));
      expect(table.stdout).toMatch(/total 1;/);

      // Graceful stop writes the state; a restart restores it and does not load the jobs file again.
      s1.proc.kill('SIGTERM');
      expect(await s1.exited).toBe(0);
      expect(existsSync(state)).toBe(true);
      s2 = await serve(['--jobs', jobsFile, '--state', state]);
      const again = JSON.parse((await cli(['wms', 'jobs', '--json', '--url', s2.url])).stdout) as typeof data;
      expect(again.counts).toEqual({ sent: 14, running: 1 });
      const detail = (await (await fetch(`${s2.url}/wms/v1/jobs/${submitted.PandaIDs[0]}`)).json()) as { data: { sequence: string[] } };
      expect(detail.data.sequence).toEqual(['activated', 'sent', 'running']);
    } finally {
      if (s1.proc.exitCode === null) s1.proc.kill('SIGKILL');
      if (s2) {
        s2.proc.kill('SIGTERM');
        await s2.exited;
      }
    }
  });

  it('says why when the WMS is unreachable, the template is broken, or the token is missing', async () => {
    const down = await cli(['wms', 'jobs', '--url', 'http://127.0.0.1:1']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/cannot reach the WMS at http:\/\/127.0.0.1:1/);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const broken = await cli(['wms', 'submit', '--template', bad, '--url', 'http://127.0.0.1:1']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(`--template ${bad}`);

    const s = await serve(['--token', 'cli-secret']);
    try {
      const denied = await cli(['wms', 'submit', '--count', '1', '--url', s.url]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/HTTP 401/);
      const ok = await cli(['wms', 'submit', '--count', '2', '--url', s.url, '--token', 'cli-secret']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).submitted).toBe(2);
    } finally {
      s.proc.kill('SIGTERM');
      await s.exited;
    }
    expect(readFileSync(path.join(repoRoot, 'etc/wms-jobs.json'), 'utf8')).toContain('template');
  });
});
