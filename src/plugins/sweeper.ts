import type { WorkerSpec } from './types';

/** The outcome of killing one worker. */
export interface KillResult {
  /**
   * `killed`: the batch system took the kill, or there was nothing left to
   * kill (already gone, never got a batchID). `failed`: try again later — the
   * sweeper retries after `checkInterval`.
   */
  status: 'killed' | 'failed';
  diag: string;
}

/** The outcome of cleaning up after one worker. */
export interface SweepResult {
  /** `swept`: nothing of the worker is left on the resource, its DB rows may go. `failed`: retried next cycle. */
  status: 'swept' | 'failed';
  diag: string;
}

/**
 * Kills and cleans up workers on a resource (facts §2.8, §6.2 `kill_workers`,
 * `sweep_worker`).
 *
 * The sweeper agent calls `killWorkers` for workers whose `killTime` is due
 * (commands, heartbeat loss, timeouts) — it does not change their status, the
 * monitor observes the cancellation — and, when a final worker is old enough
 * to delete, `killWorkers` again (safety) then `sweepWorkers`.
 */
export interface Sweeper {
  /**
   * Kills workers in bulk. Must not throw for workers the batch system does not
   * know (finished long ago, null batchID): report them `killed` with a diag.
   * @returns exactly one result per input worker, in input order; `[]` for `[]`.
   */
  killWorkers(workers: readonly WorkerSpec[]): Promise<KillResult[]>;

  /**
   * Removes what the workers left on the resource (batch-side directories,
   * scratch space). Bulk, unlike the original's per-worker `sweep_worker`, so
   * a plugin can batch remote calls; a plain loop is fine.
   * @returns exactly one result per input worker, in input order; `[]` for `[]`.
   */
  sweepWorkers(workers: readonly WorkerSpec[]): Promise<SweepResult[]>;
}
