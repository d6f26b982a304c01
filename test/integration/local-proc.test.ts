/**
 * Local-process submitter/monitor/sweeper against real processes (issue 5,
 * "Local resources"): exit codes, group kill, the host-wide concurrency limit
 * and re-attaching after the submitting harvester process is gone.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Monitor, WorkerCheck } from '../../src/plugins/monitor';
import type { WorkerSpec } from '../../src/plugins/types';
import { asSubmitted, localPlugin, makeEnv, makeJobWorker, pidAlive, sleep, type LocalProcEnv } from '../fixtures/local-proc/harness';
import { ensureBuilt } from '../helpers/master-build';
import { repoRoot } from '../helpers/master-process';

const FINAL = new Set(['finished', 'failed', 'cancelled']);

let env: LocalProcEnv;
beforeAll(() => {
  env = makeEnv();
});
afterAll(() => {
  fs.rmSync(env.root, { recursive: true, force: true });
});

function attrs(extra: Record<string, unknown> = {}) {
  return { stateDir: env.stateDir, pumpInterval: 0, ...extra };
}

async function submit(ws: WorkerSpec[], extra: Record<string, unknown> = {}): Promise<WorkerSpec[]> {
  const submitter = await localPlugin('submitter', attrs({ maxConcurrent: 4, ...extra }));
  const results = await submitter.submitWorkers(ws);
  for (const r of results) expect(r.status, r.diag).toBe('submitted');
  return asSubmitted(ws, results.map((r) => r.batchID));
}

/**
 * Checks like the monitor agent would: applies status and update.batchID to
 * the worker, until every worker is final. Returns each worker's history.
 */
async function watch(monitor: Monitor, ws: WorkerSpec[], timeoutMs: number, onTick?: () => void): Promise<{ last: WorkerCheck[]; seen: string[][]; current: WorkerSpec[] }> {
  const current = ws.map((w) => ({ ...w }));
  const seen: string[][] = ws.map(() => []);
  const deadline = Date.now() + timeoutMs;
  let last: WorkerCheck[] = [];
  for (;;) {
    last = await monitor.checkWorkers(current);
    last.forEach((c, i) => {
      if (seen[i].at(-1) !== c.status) seen[i].push(c.status);
      if (c.update?.batchID) current[i].batchID = c.update.batchID;
      if (c.status !== 'unknown') current[i].status = c.status;
    });
    onTick?.();
    if (last.every((c) => FINAL.has(c.status))) return { last, seen, current };
    if (Date.now() > deadline) throw new Error(`not final after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await sleep(150);
  }
}

describe('local-process plugins with real payloads', () => {
  it('exit 0 → finished, output in the access point, PanDA variables set', async () => {
    const w = makeJobWorker(env, 'echo "hello $PandaID $HARVESTER_WORKER_ID"; pwd');
    const [sub] = await submit([w]);
    expect(sub.batchID).toMatch(/^\d+:\d+$/);
    const { last } = await watch(await localPlugin('monitor', attrs()), [sub], 10_000);
    expect(last[0]).toMatchObject({ status: 'finished', update: { nativeExitCode: 0 } });
    const out = fs.readFileSync(path.join(w.accessPoint as string, 'payload_stdout.txt'), 'utf8');
    expect(out).toContain(`hello ${w.pandaIDs?.[0]} ${w.workerID}`);
    expect(out).toContain(w.accessPoint as string);
    expect(fs.readFileSync(path.join(w.accessPoint as string, '.exitcode'), 'utf8').trim()).toBe('0');
  });

  it('exit 3 → failed with the exit code in nativeExitCode, errorCode and the diag', async () => {
    const w = makeJobWorker(env, 'echo failing >&2; exit 3');
    const [sub] = await submit([w]);
    const { last } = await watch(await localPlugin('monitor', attrs()), [sub], 10_000);
    expect(last[0].status).toBe('failed');
    expect(last[0].update).toMatchObject({ nativeExitCode: 3, errorCode: 3 });
    expect(last[0].diag).toMatch(/exited with code 3\b/);
    expect(last[0].update?.errorDiag).toMatch(/code 3\b/);
    expect(fs.readFileSync(path.join(w.accessPoint as string, 'payload_stderr.txt'), 'utf8')).toContain('failing');
  });

  it('a job without transformation is refused permanently, with the worker named', async () => {
    const w = makeJobWorker(env, 'true');
    fs.writeFileSync(path.join(w.accessPoint as string, 'HPCJobs.json'), JSON.stringify({ [String(w.pandaIDs?.[0])]: { jobPars: 'x' } }));
    const submitter = await localPlugin('submitter', attrs());
    const [r] = await submitter.submitWorkers([w]);
    expect(r).toMatchObject({ status: 'failed', temporary: false });
    expect(r.diag).toContain(`worker ${w.workerID}`);
    expect(r.diag).toContain('transformation');
  });

  it('kill → SIGTERM reaches the whole process group: the payload and its sleeping child die', async () => {
    const w = makeJobWorker(env, 'sleep 30 & echo $! > child.pid; wait');
    const [sub] = await submit([w]);
    const monitor = await localPlugin('monitor', attrs());
    const childFile = path.join(w.accessPoint as string, 'child.pid');
    for (let i = 0; i < 50 && !fs.existsSync(childFile); i++) await sleep(100);
    const childPid = Number(fs.readFileSync(childFile, 'utf8'));
    const leader = Number(String(sub.batchID).split(':')[0]);
    expect(pidAlive(childPid)).toBe(true);
    expect((await monitor.checkWorkers([sub]))[0].status).toBe('running');

    const sweeper = await localPlugin('sweeper', { stateDir: env.stateDir, killGracePeriod: 3 });
    const t0 = Date.now();
    const [k] = await sweeper.killWorkers([sub]);
    expect(k.status, k.diag).toBe('killed');
    expect(Date.now() - t0).toBeLessThan(3000); // SIGTERM sufficed: no SIGKILL grace wait
    for (let i = 0; i < 20 && (pidAlive(childPid) || pidAlive(leader)); i++) await sleep(100);
    expect(pidAlive(childPid)).toBe(false);
    expect(pidAlive(leader)).toBe(false);
    const { last } = await watch(monitor, [sub], 5000);
    expect(last[0].status).toBe('cancelled');
    // Killing again (the sweeper's safety kill) is harmless.
    expect((await sweeper.killWorkers([{ ...sub, status: 'cancelled' }]))[0].status).toBe('killed');
  });

  it('kill → SIGKILL after the grace period for a payload ignoring SIGTERM', async () => {
    const w = makeJobWorker(env, 'trap "" TERM; echo ready > ready; sleep 30');
    const [sub] = await submit([w]);
    for (let i = 0; i < 50 && !fs.existsSync(path.join(w.accessPoint as string, 'ready')); i++) await sleep(100);
    const sweeper = await localPlugin('sweeper', { stateDir: env.stateDir, killGracePeriod: 1 });
    const [k] = await sweeper.killWorkers([sub]);
    expect(k.status).toBe('killed');
    expect(k.diag).toContain('SIGKILL');
    const { last } = await watch(await localPlugin('monitor', attrs()), [sub], 5000);
    expect(last[0].status).toBe('cancelled');
  });

  it('a payload that vanishes without exit code (SIGKILL from outside) → failed with a clear diag', async () => {
    const w = makeJobWorker(env, 'sleep 30');
    const [sub] = await submit([w]);
    const pgid = Number(String(sub.batchID).split(':')[0]);
    await sleep(200);
    process.kill(-pgid, 'SIGKILL');
    const { last } = await watch(await localPlugin('monitor', attrs()), [sub], 5000);
    expect(last[0].status).toBe('failed');
    expect(last[0].diag).toContain('without writing .exitcode');
    expect(last[0].diag).toContain(String(sub.batchID));
  });

  it('maxConcurrent: never more than N payloads alive at once; the rest queue and start as slots free', async () => {
    const stateDir = path.join(env.root, 'state-max');
    const log = path.join(env.root, 'max.log');
    const cmd = `echo "start $(date +%s%N)" >> ${log}; sleep 1; echo "end $(date +%s%N)" >> ${log}`;
    const ws = Array.from({ length: 5 }, () => makeJobWorker(env, cmd));
    const subs = await submit(ws, { stateDir, maxConcurrent: 2 });
    expect(subs.filter((w) => String(w.batchID).startsWith('queued:'))).toHaveLength(3);

    // Sampled from /proc while the monitor works: wrappers alive right now.
    let maxAlive = 0;
    const sample = () => {
      const alive = fs.readdirSync(env.base).map((d) => path.join(env.base, d, '.batchid'))
        .filter((f) => ws.some((w) => f.startsWith(`${w.accessPoint}/`)) && fs.existsSync(f))
        .filter((f) => pidAlive(Number(fs.readFileSync(f, 'utf8').split(':')[0]))).length;
      maxAlive = Math.max(maxAlive, alive);
    };
    const { last, seen } = await watch(await localPlugin('monitor', { stateDir, maxConcurrent: 2, pumpInterval: 0 }), subs, 20_000, sample);
    expect(last.map((c) => c.status)).toEqual(Array(5).fill('finished'));
    expect(seen.filter((s) => s[0] === 'submitted')).toHaveLength(3); // queued ones were seen waiting
    expect(maxAlive).toBeLessThanOrEqual(2);

    // And from the payloads' own timestamps: the overlap never exceeded 2, and did reach it.
    const events = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' '))
      .map(([kind, t]) => ({ kind, t: BigInt(t) })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    let now = 0;
    let peak = 0;
    for (const e of events) {
      now += e.kind === 'start' ? 1 : -1;
      peak = Math.max(peak, now);
    }
    expect(events.filter((e) => e.kind === 'start')).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('a queued worker killed before it starts never runs and is cancelled', async () => {
    const stateDir = path.join(env.root, 'state-kill-queued');
    const first = makeJobWorker(env, 'sleep 1');
    const second = makeJobWorker(env, 'echo ran > ran');
    const [a, b] = await submit([first, second], { stateDir, maxConcurrent: 1 });
    expect(b.batchID).toMatch(/^queued:/);
    const [k] = await (await localPlugin('sweeper', { stateDir })).killWorkers([b]);
    expect(k.status).toBe('killed');
    const { last } = await watch(await localPlugin('monitor', { stateDir, maxConcurrent: 1, pumpInterval: 0 }), [a, b], 10_000);
    expect(last.map((c) => c.status)).toEqual(['finished', 'cancelled']);
    expect(fs.existsSync(path.join(second.accessPoint as string, 'ran'))).toBe(false);
  });

  it('the background pump starts queued payloads without waiting for a monitor check', async () => {
    const stateDir = path.join(env.root, 'state-timer');
    const ws = [makeJobWorker(env, 'sleep 0.3'), makeJobWorker(env, 'sleep 0.3')];
    const [, b] = await submit(ws, { stateDir, maxConcurrent: 1, pumpInterval: 0.2 });
    expect(b.batchID).toMatch(/^queued:/);
    const exit = path.join(ws[1].accessPoint as string, '.exitcode');
    for (let i = 0; i < 40 && !fs.existsSync(exit); i++) await sleep(100);
    expect(fs.readFileSync(exit, 'utf8').trim()).toBe('0');
  });

  it('re-attach: payloads submitted by a process that exited are watched to the end and run exactly once', async () => {
    ensureBuilt(['dist/src/plugins/factory.js', 'dist/plugins/submitter/local.js', 'dist/plugins/lib/local-proc/pump.js']);
    const stateDir = path.join(env.root, 'state-reattach');
    const marker = path.join(env.root, 'reattach.marker');
    // maxConcurrent 1: the second worker is still queued when its submitter dies; the queue must survive too.
    const ws = [
      makeJobWorker(env, `echo "one $$" >> ${marker}; sleep 2; exit 0`),
      makeJobWorker(env, `echo "two $$" >> ${marker}; sleep 1; exit 7`),
    ];
    const out = execFileSync(process.execPath, [
      path.join(repoRoot, 'test/fixtures/local-proc/submit-child.cjs'), repoRoot,
      JSON.stringify({ attrs: { stateDir, maxConcurrent: 1, pumpInterval: 0 }, workers: ws }),
    ], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    const { pid: childPid, results } = JSON.parse(out.trim().split('\n').at(-1) as string) as { pid: number; results: { status: string; batchID: string }[] };
    expect(pidAlive(childPid)).toBe(false); // the "harvester" that submitted is gone
    expect(results.map((r) => r.status)).toEqual(['submitted', 'submitted']);
    expect(results[0].batchID).toMatch(/^\d+:\d+$/);
    expect(results[1].batchID).toMatch(/^queued:/);

    // A fresh monitor (new plugin instances, this process): the first payload is still running.
    const subs = asSubmitted(ws, results.map((r) => r.batchID));
    const monitor = await localPlugin('monitor', { stateDir, maxConcurrent: 1, pumpInterval: 0 });
    const first = await monitor.checkWorkers(subs);
    expect(first.map((c) => c.status)).toEqual(['running', 'submitted']);

    const { last, seen, current } = await watch(monitor, subs, 20_000);
    expect(seen[0]).toEqual(['running', 'finished']);
    expect(seen[1]).toEqual(['submitted', 'running', 'failed']);
    expect(last[0].update?.nativeExitCode).toBe(0);
    expect(last[1].update).toMatchObject({ nativeExitCode: 7, errorCode: 7 });
    expect(current[1].batchID).toMatch(/^\d+:\d+$/); // the queued worker learnt its real batchID (update.batchID)

    // Another "restart" after the end changes nothing and starts nothing again.
    const again = await (await localPlugin('monitor', { stateDir, maxConcurrent: 1, pumpInterval: 0 }))
      .checkWorkers(current);
    expect(again.map((c) => c.status)).toEqual(['finished', 'failed']);
    await sleep(300);
    const lines = fs.readFileSync(marker, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.startsWith('one'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('two'))).toHaveLength(1);
  }, 120_000);

  it('sweepWorkers removes leftovers: a background child outliving its payload is killed', async () => {
    const stateDir = path.join(env.root, 'state-sweep');
    const w = makeJobWorker(env, 'sleep 30 & echo $! > child.pid; exit 0');
    const [sub] = await submit([w], { stateDir });
    const { last } = await watch(await localPlugin('monitor', { stateDir, pumpInterval: 0 }), [sub], 5000);
    expect(last[0].status).toBe('finished');
    const childPid = Number(fs.readFileSync(path.join(w.accessPoint as string, 'child.pid'), 'utf8'));
    expect(pidAlive(childPid)).toBe(true);
    const [s] = await (await localPlugin('sweeper', { stateDir })).sweepWorkers([{ ...sub, status: 'finished' }]);
    expect(s.status, s.diag).toBe('swept');
    for (let i = 0; i < 20 && pidAlive(childPid); i++) await sleep(100);
    expect(pidAlive(childPid)).toBe(false);
    expect(fs.existsSync(w.accessPoint as string)).toBe(true); // the access point is the messenger's to remove
    expect(fs.readdirSync(path.join(stateDir, 'slots'))).toEqual([]);
  });
});
