/**
 * The README's first command, as written, on a fresh clone: `npm start` in a
 * copy of the repository without var/ (node_modules linked, dist copied with
 * its timestamps so nothing recompiles) runs the demo to completion — every
 * sample job finished, its output where the README says (var/output/<PandaID>/)
 * — keeps running idle, and a Ctrl-C (SIGINT to the foreground process group,
 * as a terminal sends it) stops it gracefully with exit code 0. A second
 * `npm start` says the jobs were already done instead of failing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { repoRoot } from '../helpers/master-process';

const COPIED = ['src', 'plugins', 'etc', 'bin', 'scripts', 'dist', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md'];

interface NpmRun {
  child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` in its own process group, so a test can Ctrl-C it like a terminal does. */
function npmStart(cwd: string, extraEnv: Record<string, string> = {}): NpmRun {
  // A user's shell: none of the test runner's HARVESTER_* settings.
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARVESTER_'))), ...extraEnv };
  const child = spawn('npm', ['start'], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  // Polls the output, even after npm exited: harvester may still be writing its last lines.
  const waitFor = async (re: RegExp, ms: number): Promise<string> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const line = out.split('\n').find((l) => re.test(l));
      if (line) return line;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no line matching ${re} within ${ms} ms (npm exit ${child.exitCode ?? child.signalCode})\n${out.slice(-6000)}`);
  };
  return { child, output: () => out, waitFor, exited };
}

function groupAlive(run: NpmRun): boolean {
  try {
    process.kill(-(run.child.pid as number), 0);
    return true;
  } catch {
    return false;
  }
}

/** Ctrl-C: SIGINT to every process of the foreground group (npm, its shell, harvester). */
function ctrlC(run: NpmRun): void {
  process.kill(-(run.child.pid as number), 'SIGINT');
}

/** Waits for harvester's graceful stop and returns its exit code (logged with "master stopped"). */
async function masterExitCode(run: NpmRun): Promise<number> {
  const line = await run.waitFor(/"msg":"master stopped"/, 30_000);
  const end = Date.now() + 10_000;
  while (groupAlive(run) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(run), 'a process of `npm start` is still running').toBe(false);
  expect(run.output()).not.toMatch(/second stop request/);
  return Number((JSON.parse(line) as { exitCode?: number }).exitCode);
}

describe('npm start (the README quick start) on a fresh copy', () => {
  let dir: string;
  let run: NpmRun | undefined;

  beforeAll(() => {
    ensureBuilt(['dist/src/cli/main.js', 'dist/src/master.js', 'dist/plugins/submitter/local.js']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-npm-start-'));
    for (const f of COPIED) fs.cpSync(path.join(repoRoot, f), path.join(dir, f), { recursive: true, preserveTimestamps: true });
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  }, 60_000);

  afterAll(async () => {
    if (run && groupAlive(run)) process.kill(-(run.child.pid as number), 'SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the demo to completion, outputs in var/output/<PandaID>/, Ctrl-C stops it with exit 0', async () => {
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^npm start\b/m);
    expect(fs.existsSync(path.join(dir, 'var'))).toBe(false);
    run = npmStart(dir);
    const done = await run.waitFor(/all \d+ jobs done upstream/, 55_000);
    expect(done).toContain('20 finished; outputs in var/output/<PandaID>/');
    expect(run.output()).toMatch(/progress: jobs .* \| workers .* \| upstream finished \d+\/20/);

    const jobs = (JSON.parse(fs.readFileSync(path.join(dir, 'etc/demo/wms-jobs.json'), 'utf8')) as { jobs: unknown[] }).jobs;
    const outputs = fs.readdirSync(path.join(dir, 'var/output'));
    expect(outputs).toHaveLength(jobs.length);
    for (const id of outputs) {
      expect(fs.readFileSync(path.join(dir, 'var/output', id, `out.${id}.txt`), 'utf8')).toMatch(new RegExp(`^PandaID ${id} processed demo\\.input\\.\\d+\\.txt\\n`));
      expect(fs.statSync(path.join(dir, 'var/output', id, `log.${id}.tgz`)).size).toBeGreaterThan(0);
    }
    // Still running, idle, until Ctrl-C.
    await new Promise((r) => setTimeout(r, 1000));
    expect(run.child.exitCode).toBeNull();
    ctrlC(run);
    const npmExit = await run.exited;
    expect(await masterExitCode(run)).toBe(0);
    // With dash as /bin/sh, npm's `sh -c` dies of the SIGINT and npm re-raises it (a shell shows 130);
    // harvester itself drained and exited 0. With bash as /bin/sh, npm exits 0 (next test).
    expect(npmExit.code === 0 || npmExit.signal === 'SIGINT', JSON.stringify(npmExit)).toBe(true);
  }, 80_000);

  it('a second npm start says the demo jobs are already done; Ctrl-C exits 0 (bash as script shell)', async () => {
    // bash execs node, so npm forwards the Ctrl-C to harvester, which also got it from the terminal.
    run = npmStart(dir, { npm_config_script_shell: 'bash' });
    const line = await run.waitFor(/jobs of the embedded WMS had already finished/, 30_000);
    expect(line).toContain('rm -rf var');
    ctrlC(run);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(await masterExitCode(run)).toBe(0);
  }, 40_000);
});
