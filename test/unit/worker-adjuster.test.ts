import { describe, expect, it } from 'vitest';
import { defineNumWorkers, queuedWorkerLimit, type AdjusterInput, type AdjusterQueueLimits } from '../../src/agents/submitter/worker-adjuster';

const Q: AdjusterQueueLimits = {
  mapType: 'OneToOne', runMode: 'self', maxWorkers: 0, nQueueLimitWorker: null, nQueueLimitWorkerRatio: null,
  nQueueLimitWorkerMin: null, nQueueLimitWorkerMax: null, maxNewWorkersPerCycle: 0,
};

function input(q: Partial<AdjusterQueueLimits>, nQueue: number, nReady: number, nRunning: number, extra: Partial<AdjusterInput> = {}): AdjusterInput {
  return { queue: { ...Q, ...q }, counts: { nQueue, nReady, nRunning }, maxNewWorkers: 0, ...extra };
}

describe('defineNumWorkers: limits × counts', () => {
  // [name, queue limits, nQueue, nReady, nRunning, extra, expected new workers]
  const table: Array<[string, Partial<AdjusterQueueLimits>, number, number, number, Partial<AdjusterInput>, number]> = [
    ['nothing defined: one queued worker at a time', {}, 0, 0, 0, {}, 1],
    ['nothing defined, one already queued', {}, 1, 0, 0, {}, 0],
    ['nQueueLimitWorker fills the queue', { nQueueLimitWorker: 10 }, 3, 0, 50, {}, 7],
    ['nQueueLimitWorker reached', { nQueueLimitWorker: 10 }, 10, 0, 0, {}, 0],
    ['nQueueLimitWorker exceeded (never negative)', { nQueueLimitWorker: 10 }, 14, 0, 0, {}, 0],
    ['maxWorkers is the default queue limit', { maxWorkers: 8 }, 2, 0, 0, {}, 6],
    ['maxWorkers headroom caps the queue limit', { nQueueLimitWorker: 10, maxWorkers: 20 }, 2, 3, 12, {}, 3],
    ['maxWorkers reached', { nQueueLimitWorker: 10, maxWorkers: 20 }, 2, 3, 15, {}, 0],
    ['ready workers count against maxWorkers', { nQueueLimitWorker: 10, maxWorkers: 10 }, 0, 10, 0, {}, 0],
    ['maxNewWorkersPerCycle', { nQueueLimitWorker: 100, maxNewWorkersPerCycle: 5 }, 0, 0, 0, {}, 5],
    ['[submitter] maxNewWorkers', { nQueueLimitWorker: 100 }, 0, 0, 0, { maxNewWorkers: 4 }, 4],
    ['both per-cycle caps: the smaller wins', { nQueueLimitWorker: 100, maxNewWorkersPerCycle: 5 }, 0, 0, 0, { maxNewWorkers: 3 }, 3],
    ['throttled', { nQueueLimitWorker: 100 }, 0, 0, 0, { throttled: true }, 0],
    ['ratio of running', { nQueueLimitWorker: 100, nQueueLimitWorkerRatio: 50 }, 2, 0, 40, {}, 18],
    ['ratio bounded below by Min', { nQueueLimitWorker: 100, nQueueLimitWorkerRatio: 10, nQueueLimitWorkerMin: 5 }, 0, 0, 10, {}, 5],
    ['ratio bounded above by Max', { nQueueLimitWorkerRatio: 100, nQueueLimitWorkerMax: 7 }, 0, 0, 100, {}, 7],
    ['ratio with nothing running still lets one worker start', { nQueueLimitWorkerRatio: 20 }, 0, 0, 0, {}, 1],
    ['slave: PanDA asked for none', { runMode: 'slave', nQueueLimitWorker: 10 }, 0, 0, 0, { nNewWorkersFromPanda: 0 }, 0],
    ['slave: PanDA asks for 3', { runMode: 'slave', nQueueLimitWorker: 10 }, 2, 0, 0, { nNewWorkersFromPanda: 3 }, 3],
    ['slave: PanDA asks beyond the queue limit', { runMode: 'slave', nQueueLimitWorker: 10 }, 8, 0, 0, { nNewWorkersFromPanda: 5 }, 2],
    ['slave: no queue limit, PanDA decides', { runMode: 'slave' }, 4, 0, 0, { nNewWorkersFromPanda: 6 }, 6],
    ['NoJob: no statistics, queue limit applies', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, {}, 10],
    ['NoJob: limited by activated jobs', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 1, 0, 0, { activatedJobs: 4 }, 3],
    ['NoJob: activateWorkerFactor', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: 4, activateWorkerFactor: 0.5 }, 2],
    ['NoJob: no activated job still keeps one pilot', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: 0 }, 1],
    ['NoJob: no activated job and noPilotsWhenNoActiveJobs', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: 0, noPilotsWhenNoActiveJobs: true }, 0],
    ['NoJob: queue absent from statistics, nothing running: one pilot', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: null }, 1],
    ['NoJob: queue absent from statistics, pilots exist: none', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 2, { activatedJobs: null }, 0],
    ['NoJob: queue absent and noPilotsWhenNoActiveJobs', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: null, noPilotsWhenNoActiveJobs: true }, 0],
    ['NoJob: activated jobs beyond the queue limit', { mapType: 'NoJob', nQueueLimitWorker: 10 }, 0, 0, 0, { activatedJobs: 500 }, 10],
  ];

  it.each(table)('%s', (_name, q, nQueue, nReady, nRunning, extra, expected) => {
    expect(defineNumWorkers(input(q, nQueue, nReady, nRunning, extra)).nNewWorkers).toBe(expected);
  });
});

describe('defineNumWorkers: never over any limit', () => {
  // A small deterministic generator: the same cases on every run.
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const maybe = (n: number): number | null => (rnd(3) === 0 ? null : rnd(n));

  it('holds for 5000 random limit/count combinations', () => {
    for (let i = 0; i < 5000; i++) {
      const q: AdjusterQueueLimits = {
        ...Q,
        mapType: (['NoJob', 'OneToOne', 'ManyToOne', 'OneToMany'] as const)[rnd(4)],
        runMode: rnd(4) === 0 ? 'slave' : 'self',
        maxWorkers: rnd(3) === 0 ? 0 : rnd(60),
        nQueueLimitWorker: maybe(30),
        nQueueLimitWorkerRatio: rnd(3) === 0 ? rnd(200) : null,
        nQueueLimitWorkerMin: maybe(10),
        nQueueLimitWorkerMax: maybe(40),
        maxNewWorkersPerCycle: rnd(2) ? 0 : rnd(20),
      };
      const nQueue = rnd(50);
      const nReady = rnd(20);
      const nRunning = rnd(80);
      const extra: Partial<AdjusterInput> = {
        maxNewWorkers: rnd(2) ? 0 : rnd(30),
        nNewWorkersFromPanda: rnd(20),
        ...(rnd(2) ? { activatedJobs: rnd(3) === 0 ? null : rnd(40) } : {}),
        activateWorkerFactor: [0.5, 1, 2][rnd(3)],
      };
      const inp = input(q, nQueue, nReady, nRunning, extra);
      const n = defineNumWorkers(inp).nNewWorkers;
      const ctx = JSON.stringify(inp);
      expect(Number.isInteger(n) && n >= 0, ctx).toBe(true);
      const queued = queuedWorkerLimit(q, nRunning);
      if (queued > 0) expect(nQueue + n <= Math.max(queued, nQueue), ctx).toBe(true);
      if (n > 0 && queued > 0) expect(nQueue + n, ctx).toBeLessThanOrEqual(queued);
      if (q.maxWorkers > 0 && n > 0) expect(nQueue + nReady + nRunning + n, ctx).toBeLessThanOrEqual(q.maxWorkers);
      if (q.maxNewWorkersPerCycle > 0) expect(n, ctx).toBeLessThanOrEqual(q.maxNewWorkersPerCycle);
      if ((extra.maxNewWorkers ?? 0) > 0) expect(n, ctx).toBeLessThanOrEqual(extra.maxNewWorkers!);
      if (q.runMode === 'slave') expect(n, ctx).toBeLessThanOrEqual(extra.nNewWorkersFromPanda!);
      if (q.mapType === 'NoJob' && q.runMode === 'self' && typeof extra.activatedJobs === 'number') {
        expect(nQueue + n <= Math.max(Math.floor(extra.activatedJobs * extra.activateWorkerFactor!), 1) || n === 0, ctx).toBe(true);
      }
    }
  });
});
