import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Agent, AgentContext, AgentFactory, LoopSettings } from '../../src/agents/agent';
import { agentFactories } from '../../src/agents/registry';
import { AgentRunner } from '../../src/agents/runner';
import { sleepMs } from '../../src/agents/sleep';
import type { HarvesterConfig } from '../../src/config/schema';
import type { Database } from '../../src/db/connect';

// The runner in-process (its OS-process behaviour is in master.test.ts and
// shutdown.test.ts): loop timing, stop, error isolation, overrun warnings.

function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { out.push(chunk.toString()); cb(); } });
  return { log: pino({ level: 'debug' }, stream), lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const noDb = {} as Database;
const noConfig = {} as HarvesterConfig;

function factory(name: string, settings: LoopSettings, cycle: (ctx: AgentContext) => Promise<Record<string, number>>): AgentFactory {
  return { name, settings: () => settings, create: (): Agent => ({ name, cycle }) };
}

describe('sleepMs', () => {
  it('jitters uniformly within 0.4×–1.4× sleepTime, or not at all', () => {
    expect(sleepMs(60, true, () => 0)).toBe(24_000);
    expect(sleepMs(60, true, () => 0.999999)).toBeCloseTo(83_999.94, 1);
    expect(sleepMs(60, false, () => 0)).toBe(60_000);
    const draws = Array.from({ length: 2000 }, () => sleepMs(10, true));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...draws)).toBeLessThan(14_000);
    // Spread over the whole range, not clustered at one end.
    expect(draws.filter((d) => d < 9000).length).toBeGreaterThan(800);
    expect(draws.filter((d) => d >= 9000).length).toBeGreaterThan(800);
  });
});

describe('registry', () => {
  it('lists the original agents in start order; singletons sleep without jitter', () => {
    expect(agentFactories.map((f) => f.name)).toEqual([
      'credmanager', 'commandmanager', 'cacher', 'watcher', 'jobfetcher', 'propagator', 'monitor',
      'preparator', 'submitter', 'stager', 'eventfeeder', 'sweeper', 'file_syncer', 'service_monitor',
    ]);
    const cfg = { submitter: { nThreads: 5, sleepTime: 7, lockInterval: 600 }, service_monitor: { active: false, sleepTime: 300 }, cacher: { sleepTime: 60 } } as unknown as HarvesterConfig;
    const s = (n: string): LoopSettings => agentFactories.find((f) => f.name === n)!.settings(cfg);
    expect(s('submitter')).toEqual({ nThreads: 5, sleepTime: 7, lockInterval: 600, jitter: true });
    expect(s('cacher')).toMatchObject({ nThreads: 1, sleepTime: 60, jitter: false });
    expect(s('service_monitor').nThreads).toBe(0);
    const active = { service_monitor: { active: true, sleepTime: 300 } } as unknown as HarvesterConfig;
    expect(agentFactories.find((f) => f.name === 'service_monitor')!.settings(active).nThreads).toBe(1);
    const off = { submitter: { nThreads: 0, sleepTime: 60 } } as unknown as HarvesterConfig;
    expect(agentFactories.find((f) => f.name === 'submitter')!.settings(off).nThreads).toBe(0);
  });
});

describe('AgentRunner', () => {
  it('runs nThreads concurrent loops with distinct owners; stop wakes sleeping loops at once', async () => {
    const { log } = capture();
    const seen: Array<{ owner: string; thread: number }> = [];
    const runner = new AgentRunner({ db: noDb, config: noConfig, log });
    runner.start(factory('pool', { nThreads: 3, sleepTime: 3600, jitter: true }, async (ctx) => {
      seen.push({ owner: ctx.owner, thread: ctx.thread });
      return {};
    }));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((s) => s.thread).sort()).toEqual([0, 1, 2]);
    expect(new Set(seen.map((s) => s.owner)).size).toBe(3);
    expect(seen[0].owner).toMatch(/^pool-.+_\d+.*-\d$/);
    const t0 = Date.now();
    const outcome = await runner.stop(10_000);
    expect(outcome).toEqual({ drained: true, stillRunning: [] });
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('a throwing cycle is logged with ids and the loop goes on', async () => {
    const { log, lines } = capture();
    let n = 0;
    const runner = new AgentRunner({ db: noDb, config: noConfig, log });
    runner.start(factory('flaky', { nThreads: 1, sleepTime: 0.01, jitter: false }, async () => {
      n++;
      if (n % 2 === 1) throw Object.assign(new Error(`bad row ${n}`), { workerID: 77, queue: 'Q' });
      return { done: 1 };
    }));
    while (n < 6) await new Promise((r) => setTimeout(r, 5));
    await runner.stop(1000);
    expect(runner.failures).toBe(3);
    expect(runner.cycles).toBeGreaterThanOrEqual(6);
    const failed = lines().filter((l) => l.msg === 'cycle failed; the loop goes on');
    expect(failed[0]).toMatchObject({ agent: 'flaky', thread: 0, workerID: 77, queue: 'Q', err: { message: 'bad row 1' } });
    expect(String(failed[0].owner)).toMatch(/^flaky-/);
  });

  it('stop gives the signal to running cycles, waits for them within the grace time, reports stragglers', async () => {
    const { log, lines } = capture();
    const runner = new AgentRunner({ db: noDb, config: noConfig, log });
    let sawAbort = false;
    runner.start(factory('obedient', { nThreads: 1, sleepTime: 60, jitter: false }, async (ctx) => {
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r(), { once: true }));
      sawAbort = ctx.signal.aborted;
      return {};
    }));
    runner.start(factory('stubborn', { nThreads: 1, sleepTime: 60, lockInterval: 0.05, jitter: false }, async () => {
      await new Promise((r) => setTimeout(r, 400));
      return {};
    }));
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.running().sort()).toEqual(['obedient#0', 'stubborn#0']);
    const outcome = await runner.stop(100);
    expect(sawAbort).toBe(true);
    expect(outcome).toEqual({ drained: false, stillRunning: ['stubborn#0'] });
    await runner.whenDone();
    // The 400 ms cycle outlived its 50 ms lockInterval.
    expect(lines().find((l) => String(l.msg).startsWith('cycle took longer than lockInterval'))).toMatchObject({ agent: 'stubborn', lockInterval: 0.05 });
    expect(runner.start(factory('late', { nThreads: 2, sleepTime: 1, jitter: false }, async () => ({})))).toBe(0);
  });

  it('once mode: one cycle per thread, then the loops end by themselves', async () => {
    const { log, lines } = capture();
    let n = 0;
    const runner = new AgentRunner({ db: noDb, config: noConfig, log, once: true, queue: 'MYQ' });
    let queue: string | undefined;
    runner.start(factory('one', { nThreads: 2, sleepTime: 0, jitter: false }, async (ctx) => {
      n++;
      queue = ctx.queue;
      return { n };
    }));
    await runner.whenDone();
    expect(n).toBe(2);
    expect(queue).toBe('MYQ');
    expect(lines().filter((l) => l.msg === 'cycle done' && l.level === 30)).toHaveLength(2);
  });
});
