/**
 * The worker adjuster (the original's `WorkerAdjuster.define_num_workers`,
 * facts §2.4): how many new workers one queue gets this cycle. A pure
 * function of limits and counts so every rule is table-tested; the submitter
 * gathers the inputs (worker counts under the site lock, throttler decision,
 * PanDA's nNewWorkers, activated-job statistics) and applies the result.
 */
import type { MapType } from '../../plugins/types';

/** The queue-config attributes the adjuster reads (facts §7.1). */
export interface AdjusterQueueLimits {
  readonly mapType: MapType;
  readonly runMode: 'self' | 'slave';
  /** Cap on queued+ready+running workers; 0 = none. */
  readonly maxWorkers: number;
  /** Queued (submitted+pending+idle) workers allowed; null = maxWorkers. */
  readonly nQueueLimitWorker: number | null;
  /** Queued-worker limit as % of running workers; null = unused. */
  readonly nQueueLimitWorkerRatio: number | null;
  /** Lower bound of the ratio-based limit. */
  readonly nQueueLimitWorkerMin: number | null;
  /** Upper bound of the ratio-based limit. */
  readonly nQueueLimitWorkerMax: number | null;
  /** Per-cycle cap; 0 = none. */
  readonly maxNewWorkersPerCycle: number;
}

/** Workers of the queue by state, counted under the site lock. */
export interface WorkerCounts {
  /** submitted + pending + idle. */
  readonly nQueue: number;
  /** ready, plus running workers with refill slots. */
  readonly nReady: number;
  readonly nRunning: number;
}

export interface AdjusterInput {
  readonly queue: AdjusterQueueLimits;
  readonly counts: WorkerCounts;
  /** `[submitter] maxNewWorkers`: global per-queue-cycle cap; 0 = none. */
  readonly maxNewWorkers: number;
  /** The throttler plugin said to hold back this cycle. */
  readonly throttled?: boolean;
  /** Slave mode: pq_table `nNewWorkers` set by PanDA (0 = submit nothing). Ignored in self mode. */
  readonly nNewWorkersFromPanda?: number | null;
  /**
   * NoJob in self mode: activated jobs PanDA holds for this queue.
   * `undefined` = no job statistics at all (queue limits alone apply);
   * `null` = statistics exist but list no job for this queue.
   */
  readonly activatedJobs?: number | null;
  /** Multiplier on activated jobs (`[submitter] activateWorkerFactor`, already resolved from `auto`). */
  readonly activateWorkerFactor?: number;
  /** `[submitter] noPilotsWhenNoActiveJobs`. */
  readonly noPilotsWhenNoActiveJobs?: boolean;
}

export interface AdjusterDecision {
  /** New workers to make now (never negative). */
  readonly nNewWorkers: number;
  /** The queued-worker limit that applied (null when a stop rule fired first). */
  readonly maxQueued: number | null;
  /** Which rule decided, for the log. */
  readonly reason: string;
}

/**
 * Effective queued-worker limit (`get_worker_limits`): nQueueLimitWorker
 * (default maxWorkers), narrowed to `running × ratio / 100` (at least
 * nQueueLimitWorkerMin, at most nQueueLimitWorkerMax) when a ratio is set.
 * 0 means "no limit", as in the original.
 */
export function queuedWorkerLimit(q: AdjusterQueueLimits, nRunning: number): number {
  let limit = q.nQueueLimitWorker ?? q.maxWorkers;
  if (q.nQueueLimitWorkerRatio !== null && q.nQueueLimitWorkerRatio !== undefined) {
    let byRatio = Math.floor((nRunning * q.nQueueLimitWorkerRatio) / 100);
    byRatio = Math.max(byRatio, q.nQueueLimitWorkerMin ?? 0);
    if (q.nQueueLimitWorkerMax !== null && q.nQueueLimitWorkerMax !== undefined && q.nQueueLimitWorkerMax > 0) byRatio = Math.min(byRatio, q.nQueueLimitWorkerMax);
    // A ratio giving 0 would read as "no limit"; keep at least one queued worker so the queue can start.
    byRatio = Math.max(byRatio, 1);
    limit = limit > 0 ? Math.min(limit, byRatio) : byRatio;
  }
  return Math.max(0, limit);
}

const nonNeg = (n: number): number => (Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);

export function defineNumWorkers(input: AdjusterInput): AdjusterDecision {
  const { queue: q, counts } = input;
  const nQueue = nonNeg(counts.nQueue);
  const nReady = nonNeg(counts.nReady);
  const nRunning = nonNeg(counts.nRunning);
  const none = (reason: string): AdjusterDecision => ({ nNewWorkers: 0, maxQueued: null, reason });

  if (input.throttled) return none('throttled');
  let pandaNew: number | null = null;
  if (q.runMode === 'slave') {
    pandaNew = nonNeg(input.nNewWorkersFromPanda ?? 0);
    if (pandaNew === 0) return none('slave mode: PanDA asked for no new workers');
  }

  const queuedLimit = queuedWorkerLimit(q, nRunning);
  let n = 0;
  let maxQueued: number | null = null;
  let reason: string;
  if (queuedLimit > 0 && nQueue >= queuedLimit) {
    reason = `nQueue ${nQueue} >= nQueueLimitWorker ${queuedLimit}`;
  } else if (q.maxWorkers > 0 && nQueue + nReady + nRunning >= q.maxWorkers) {
    reason = `nQueue ${nQueue} + nReady ${nReady} + nRunning ${nRunning} >= maxWorkers ${q.maxWorkers}`;
  } else {
    maxQueued = queuedLimit > 0 ? queuedLimit : null;
    if (pandaNew !== null) {
      // Never go beyond what PanDA asked for (on top of what is already queued).
      maxQueued = maxQueued === null ? pandaNew + nQueue : Math.min(maxQueued, pandaNew + nQueue);
    } else if (q.mapType === 'NoJob' && input.activatedJobs !== undefined) {
      // Pull queues: no more pilots than PanDA has activated jobs for (times the factor).
      const factor = input.activateWorkerFactor ?? 1;
      let nActivated: number;
      if (input.activatedJobs === null) {
        nActivated = input.noPilotsWhenNoActiveJobs ? 0 : Math.max(1 - nQueue - nReady - nRunning, 0);
      } else {
        const scaled = input.activatedJobs * factor;
        const minPilots = scaled > 0 || !input.noPilotsWhenNoActiveJobs ? 1 : 0;
        nActivated = Math.max(Math.floor(scaled), minPilots);
      }
      maxQueued = maxQueued === null ? nActivated : Math.min(maxQueued, nActivated);
    }
    if (maxQueued === null) maxQueued = 1;
    n = Math.max(maxQueued - nQueue, 0);
    reason = `maxQueued ${maxQueued} - nQueue ${nQueue}`;
    if (q.maxWorkers > 0) {
      const room = Math.max(q.maxWorkers - nQueue - nReady - nRunning, 0);
      if (room < n) reason = `maxWorkers ${q.maxWorkers} headroom`;
      n = Math.min(n, room);
    }
  }
  if (q.maxNewWorkersPerCycle > 0 && n > q.maxNewWorkersPerCycle) {
    n = q.maxNewWorkersPerCycle;
    reason = `maxNewWorkersPerCycle ${q.maxNewWorkersPerCycle}`;
  }
  if (input.maxNewWorkers > 0 && n > input.maxNewWorkers) {
    n = input.maxNewWorkers;
    reason = `[submitter] maxNewWorkers ${input.maxNewWorkers}`;
  }
  return { nNewWorkers: n, maxQueued, reason };
}
