import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DUPLICATE_SIGNAL_MS } from '../../src/master';
import { ensureBuilt } from '../helpers/master-build';
import { jobLocks, openTestDatabase, seedJobs } from '../helpers/master-db';
import { makeMasterEnv, type MasterEnv } from '../helpers/master-env';
import { exitWithin, repoRoot, spawnNode, type LogLine } from '../helpers/master-process';

// A real master process (compiled JS) with a test-only slow agent that claims
// every job row, then sleeps through a long cycle without looking at the abort
// signal; the master must wait for it, then release the rows itself.
const SLOW_MASTER = path.join(repoRoot, 'dist/test/helpers/slow-agent-master.js');
const N_JOBS = 5;

const msgIndex = (logs: LogLine[], msg: string): number => logs.findIndex((l) => l.msg === msg);

describe('master shutdown (real process, sqlite)', () => {
  let env: MasterEnv;
  let marker: string;

  beforeAll(() => ensureBuilt(['dist/test/helpers/slow-agent-master.js', 'dist/src/master.js']), 120_000);

  beforeEach(async () => {
    env = makeMasterEnv();
    marker = path.join(env.dir, 'marker.txt');
    const db = await openTestDatabase(env.configFile);
    await seedJobs(db, N_JOBS);
    await db.close();
  });

  afterEach(() => env.cleanup());

  const markerLines = (): string[] => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim().split('\n') : []);

  const startSlowMaster = (cycleMs: number) =>
    spawnNode(SLOW_MASTER, [env.configFile], {
      env: { SLOW_AGENT_KIND: 'slow', SLOW_AGENT_MARKER: marker, SLOW_AGENT_CYCLE_MS: String(cycleMs), SLOW_AGENT_LOCK_INTERVAL: '1' },
    });

  it('SIGINT during a long cycle: the cycle finishes, every held row is released, exit 0', async () => {
    const p = startSlowMaster(4000);
    await p.waitForLog((l) => l.msg === 'slow cycle started');

    // While the cycle runs the rows belong to this process's slowagent thread 0.
    const db = await openTestDatabase(env.configFile);
    try {
      const during = await jobLocks(db);
      expect(during).toHaveLength(N_JOBS);
      for (const row of during) expect(row.lockedBy).toMatch(new RegExp(`^slowagent-[^_]+_${p.child.pid}-0$`));

      p.child.kill('SIGINT');
      const { code, signal } = await exitWithin(p, 20_000);
      expect({ code, signal }).toEqual({ code: 0, signal: null });

      // The cycle ran to its end and saw the abort signal (it would have stopped claiming).
      expect(markerLines()).toEqual([
        expect.stringMatching(/^cycle-start 1 claimed=5 /),
        'cycle-done 1 aborted=true',
      ]);
      const after = await jobLocks(db);
      expect(after.map((r) => r.lockedBy)).toEqual(Array(N_JOBS).fill(null));
    } finally {
      await db.close();
    }

    // Order: shutdown requested → cycle done → rows released → db closed → stopped.
    const logs = p.logs();
    const order = ['shutdown requested: stop claiming, drain running cycles, release rows', 'slow cycle done',
      'released every row held by this process', 'database closed', 'master stopped'].map((m) => msgIndex(logs, m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(logs.find((l) => l.msg?.startsWith('shutdown requested'))).toMatchObject({ reason: 'SIGINT', graceTime: 10 });
    // The 4 s cycle outlived its 1 s lockInterval: the runner says so.
    expect(logs.find((l) => l.msg?.startsWith('cycle took longer than lockInterval'))).toMatchObject({ agent: 'slowagent', lockInterval: 1 });
    // The lock file next to the database is gone.
    expect(fs.existsSync(`${env.dbFile}.master.lock`)).toBe(false);
  });

  it('a second SIGINT during the grace time exits at once, before the cycle would finish', async () => {
    const p = startSlowMaster(10_000);
    await p.waitForLog((l) => l.msg === 'slow cycle started');
    p.child.kill('SIGINT');
    await p.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown requested'));
    // A repeat within DUPLICATE_SIGNAL_MS is the same request (npm forwarding a terminal's Ctrl-C).
    await new Promise((r) => setTimeout(r, DUPLICATE_SIGNAL_MS + 100));
    const t0 = Date.now();
    p.child.kill('SIGINT');
    const { code } = await exitWithin(p, 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code).toBe(130);
    expect(markerLines().some((l) => l.startsWith('cycle-done'))).toBe(false);
    expect(p.logs().find((l) => l.msg?.startsWith('second stop request'))).toMatchObject({ reason: 'SIGINT' });

    // Nothing was released: the rows wait for lockInterval, as after a crash.
    const db = await openTestDatabase(env.configFile);
    try {
      expect((await jobLocks(db)).every((r) => r.lockedBy?.startsWith('slowagent-'))).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('grace time over: running cycles are abandoned, rows released anyway, exit 0', async () => {
    const p = spawnNode(SLOW_MASTER, [env.configFile, 'master.shutdownGraceTime=1'], {
      env: { SLOW_AGENT_KIND: 'slow', SLOW_AGENT_MARKER: marker, SLOW_AGENT_CYCLE_MS: '20000' },
    });
    await p.waitForLog((l) => l.msg === 'slow cycle started');
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const { code } = await exitWithin(p, 10_000);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(p.logs().find((l) => l.msg?.startsWith('grace time over'))).toMatchObject({ stillRunning: expect.arrayContaining(['slowagent#0']) });
    const db = await openTestDatabase(env.configFile);
    try {
      expect((await jobLocks(db)).map((r) => r.lockedBy)).toEqual(Array(N_JOBS).fill(null));
    } finally {
      await db.close();
    }
  });
});
