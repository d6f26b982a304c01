import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { makeMasterEnv, type MasterEnv } from '../helpers/master-env';
import { exitWithin, repoRoot, spawnNode, type HarvesterProcess } from '../helpers/master-process';

const BIN = path.join(repoRoot, 'bin/harvester.js');
const SLOW_MASTER = path.join(repoRoot, 'dist/test/helpers/slow-agent-master.js');

/** Resolves when the child sends `msg` over IPC. */
function waitForMessage(p: HarvesterProcess, msg: unknown, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (p.messages.includes(msg)) return resolve();
    const timer = setTimeout(() => reject(new Error(`no ${String(msg)} message within ${timeoutMs} ms\n${p.stdout()}\n${p.stderr()}`)), timeoutMs);
    p.child.on('message', (m) => {
      if (m === msg) {
        clearTimeout(timer);
        resolve();
      }
    });
    void p.exited.then(() => reject(new Error(`exited before ${String(msg)}\n${p.stdout()}\n${p.stderr()}`)));
  });
}

describe('master process (real processes, sqlite)', () => {
  let env: MasterEnv;
  beforeAll(() => ensureBuilt(['dist/src/cli/main.js', 'dist/test/helpers/slow-agent-master.js']), 120_000);
  beforeEach(() => {
    env = makeMasterEnv();
  });
  afterEach(() => env.cleanup());

  it("sends 'ready' over IPC, refuses a second master on the same database, stops on SIGTERM", async () => {
    const first = spawnNode(BIN, ['--config', env.configFile, 'start'], { ipc: true });
    await waitForMessage(first, 'ready');
    const lockFile = `${env.dbFile}.master.lock`;
    expect(fs.readFileSync(lockFile, 'utf8').split('\n').slice(0, 2)).toEqual([String(first.child.pid), os.hostname().split('.')[0]]);

    const second = spawnNode(BIN, ['--config', env.configFile, 'start']);
    const refused = await exitWithin(second, 15_000);
    expect(refused.code).not.toBe(0);
    expect(second.stderr()).toContain('another harvester master is already running on sqlite database');
    expect(second.stderr()).toContain(`pid ${first.child.pid}`);
    expect(second.logs().some((l) => l.msg === 'master up')).toBe(false);

    first.child.kill('SIGTERM');
    expect((await exitWithin(first, 15_000)).code).toBe(0);
    expect(first.logs().find((l) => l.msg?.startsWith('shutdown requested'))).toMatchObject({ reason: 'SIGTERM' });
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  it("stops gracefully on PM2's 'shutdown' message", async () => {
    const p = spawnNode(BIN, ['--config', env.configFile, 'start'], { ipc: true });
    await waitForMessage(p, 'ready');
    p.child.send('shutdown');
    expect((await exitWithin(p, 15_000)).code).toBe(0);
    expect(p.logs().find((l) => l.msg?.startsWith('shutdown requested'))).toMatchObject({ reason: 'shutdown message' });
    expect(p.logs().some((l) => l.msg === 'released every row held by this process')).toBe(true);
  });

  it('takes over a stale lock file whose pid is dead', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const lockFile = `${env.dbFile}.master.lock`;
    fs.writeFileSync(lockFile, `${dead}\n${os.hostname().split('.')[0]}\n2020-01-01T00:00:00.000Z\n`);
    const p = spawnNode(BIN, ['--config', env.configFile, 'start'], { ipc: true });
    await waitForMessage(p, 'ready');
    expect(p.logs().find((l) => l.msg?.startsWith('took over a stale master lock file'))).toMatchObject({ previous: { pid: dead } });
    expect(fs.readFileSync(lockFile, 'utf8').startsWith(`${p.child.pid}\n`)).toBe(true);
    p.child.kill('SIGINT');
    expect((await exitWithin(p, 15_000)).code).toBe(0);
  });

  it('start --once: every enabled agent runs one cycle per thread, then exit 0', async () => {
    const p = spawnNode(BIN, ['--config', env.configFile, 'start', '--once']);
    expect((await exitWithin(p, 20_000)).code).toBe(0);
    const done = p.logs().filter((l) => l.msg === 'cycle done');
    const perAgent: Record<string, number> = {};
    for (const l of done) perAgent[l.agent as string] = (perAgent[l.agent as string] ?? 0) + 1;
    // Original start order and thread counts: singletons 1, pools nThreads (3); service_monitor inactive.
    expect(perAgent).toEqual({
      credmanager: 1, commandmanager: 1, cacher: 1, watcher: 1, jobfetcher: 3, propagator: 3, monitor: 3,
      preparator: 3, submitter: 3, stager: 3, eventfeeder: 3, sweeper: 3, file_syncer: 1,
    });
    // Same set of agents; cycles finish in any order once they do real work (the cacher reads the database).
    expect(Object.keys(p.logs().find((l) => l.msg === 'master up')?.agents as object).sort()).toEqual(Object.keys(perAgent).sort());
  });

  it('a throwing cycle is logged with agent, thread, owner and ids, and the loop goes on', async () => {
    const marker = path.join(env.dir, 'marker.txt');
    const p = spawnNode(SLOW_MASTER, [env.configFile], { env: { SLOW_AGENT_KIND: 'throw', SLOW_AGENT_MARKER: marker, SLOW_AGENT_SLEEP: '0.1' } });
    await p.waitForLog((l) => l.msg === 'cycle failed; the loop goes on' && l.err !== undefined && (l.err as { message: string }).message === 'boom in cycle 3');
    p.child.kill('SIGINT');
    expect((await exitWithin(p, 15_000)).code).toBe(0);
    const failures = p.logs().filter((l) => l.msg === 'cycle failed; the loop goes on');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]).toMatchObject({ agent: 'throwagent', thread: 0, PandaID: 4242, queue: 'TEST_QUEUE', err: { message: 'boom in cycle 1' } });
    expect(failures[0].owner).toMatch(new RegExp(`^throwagent-[^_]+_${p.child.pid}-0$`));
    expect(fs.readFileSync(marker, 'utf8').trim().split('\n').length).toBe(failures.length);
  });

  it('an uncaught exception is logged as fatal and exits 1 (for PM2 to restart)', async () => {
    const p = spawnNode(SLOW_MASTER, [env.configFile], { env: { SLOW_AGENT_KIND: 'crash' } });
    const { code } = await exitWithin(p, 15_000);
    expect(code).toBe(1);
    expect(p.logs().find((l) => l.msg === 'uncaught exception: exiting')).toMatchObject({ level: 60, err: { message: 'escaped every handler' } });
  });

  it('agent NAME --once runs one cycle of one agent; an unknown NAME lists the valid ones (exit 2)', async () => {
    const ok = spawnNode(BIN, ['--config', env.configFile, 'agent', 'preparator', '--once', '--queue', 'Q1']);
    expect((await exitWithin(ok, 20_000)).code).toBe(0);
    const done = ok.logs().filter((l) => l.msg === 'cycle done');
    expect(done).toEqual([expect.objectContaining({ agent: 'preparator', thread: 0, result: expect.any(Object) })]);

    const bad = spawnNode(BIN, ['--config', env.configFile, 'agent', 'nosuchagent', '--once']);
    expect((await exitWithin(bad, 15_000)).code).toBe(2);
    expect(bad.stderr()).toContain('unknown agent "nosuchagent"; valid names: credmanager, commandmanager, cacher');
  });

  it('a config error gives one message on stderr and exit 2', async () => {
    const broken = makeMasterEnv({ master: { noSuchKey: 1 } });
    try {
      const p = spawnNode(BIN, ['--config', broken.configFile, 'start']);
      expect((await exitWithin(p, 15_000)).code).toBe(2);
      expect(p.stderr()).toContain('noSuchKey');
      expect(p.stderr()).toContain(broken.configFile);
      expect(p.logs().some((l) => l.msg === 'master up')).toBe(false);
    } finally {
      broken.cleanup();
    }
  });
});
