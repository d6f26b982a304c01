/**
 * How many jobs a push queue may take now (facts §2.1 get_num_jobs_to_fetch),
 * except that the answer is what is *missing* — limit minus the jobs already
 * starting — where the original asked PanDA for the whole limit again every
 * cycle and relied on PanDA to hand out fewer.
 */

/** The job-limit attributes of a queue (pq_table row over the queue config). */
export interface JobLimits {
  nQueueLimitJob: number | null;
  nQueueLimitJobRatio: number | null;
  nQueueLimitJobMin: number | null;
  nQueueLimitJobMax: number | null;
  nQueueLimitJobCores: number | null;
  nQueueLimitJobCoresRatio: number | null;
  nQueueLimitJobCoresMin: number | null;
}

/** Local jobs of the queue: `starting` = fetched but not yet running (the queued ones). */
export interface LocalJobCounts {
  starting: number;
  startingCores: number;
  running: number;
  runningCores: number;
}

export type FetchDecision =
  | { fetch: true; nJobs: number; limit: number; coreLimit: number | null }
  /** `pull`: no nQueueLimitJob (NoJob queues get theirs nulled); `full`: already at the limit. */
  | { fetch: false; reason: 'pull' | 'full'; limit: number | null; coreLimit: number | null };

/**
 * A limit optionally lowered to `running × ratio / 100`, never below `min`
 * (default `min(1, limit)`, so an idle queue can start) and never above `max`.
 */
function effectiveLimit(limit: number, ratio: number | null, running: number, min: number | null, max: number | null): number {
  if (ratio === null || ratio <= 0) return limit;
  let byRatio = Math.floor((running * ratio) / 100);
  byRatio = Math.max(byRatio, min ?? Math.min(1, limit));
  if (max !== null) byRatio = Math.min(byRatio, max);
  return Math.min(limit, byRatio);
}

export function jobsToFetch(limits: JobLimits, counts: LocalJobCounts): FetchDecision {
  if (limits.nQueueLimitJob === null) return { fetch: false, reason: 'pull', limit: null, coreLimit: null };
  const limit = effectiveLimit(limits.nQueueLimitJob, limits.nQueueLimitJobRatio, counts.running, limits.nQueueLimitJobMin, limits.nQueueLimitJobMax);
  const coreLimit = limits.nQueueLimitJobCores === null
    ? null
    : effectiveLimit(limits.nQueueLimitJobCores, limits.nQueueLimitJobCoresRatio, counts.runningCores, limits.nQueueLimitJobCoresMin, null);
  if (counts.starting >= limit || (coreLimit !== null && counts.startingCores >= coreLimit)) {
    return { fetch: false, reason: 'full', limit, coreLimit };
  }
  return { fetch: true, nJobs: limit - counts.starting, limit, coreLimit };
}
