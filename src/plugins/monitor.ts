import type { MonitorStatus, WorkerSpec, WorkerUpdate } from './types';

/** What a monitor found out about one worker. */
export interface WorkerCheck {
  /**
   * The worker's status in the batch system, or `unknown` when this check could
   * not tell (the original's `None`: scheduler unreachable, worker not found yet).
   * `unknown` keeps the old status; after `checkTimeout` s without a successful
   * check the monitor agent kills the worker (FAILEDBYSERVER).
   */
  status: MonitorStatus | 'unknown';
  /** Why, e.g. the batch system's own state or error text. */
  diag: string;
  /** Worker columns learnt on the way: nativeStatus, nativeExitCode, errorCode/errorDiag, nodeID, startTime... */
  update?: WorkerUpdate;
}

/** A worker the batch system reports as changed (event-based monitoring). */
export interface UpdatedWorker {
  workerID: number;
  updatedAt: Date;
}

/**
 * Watches workers in the batch system (facts §2.5, §6.2 `check_workers`).
 *
 * The monitor agent calls `checkWorkers` every cycle with chunks of the
 * `submitted`/`running`/`idle` workers of one queue and configID (claimed from
 * the DB, or dequeued from the monitor FIFO). Statuses are then combined with
 * what the messenger reports (heartbeats, kill requests, outputs).
 */
export interface Monitor {
  /**
   * Checks workers in bulk.
   * @returns exactly one check per input worker, in input order; `[]` for `[]`.
   * Throwing means the whole check failed (the original's `ok=False`): every
   * worker is treated as `unknown`.
   */
  checkWorkers(workers: readonly WorkerSpec[]): Promise<WorkerCheck[]>;

  /**
   * Event-based monitoring (`[monitor] eventBasedEnable`, plugin listed in
   * `eventBasedPlugins`): workers whose batch record changed within the last
   * `timeWindowSec` seconds. Called by the monitor's event deliverer every
   * `eventBasedCheckInterval`.
   */
  reportUpdatedWorkers?(timeWindowSec: number): Promise<UpdatedWorker[]>;

  /** Per-plugin override of `[monitor] checkTimeout` (s). */
  readonly checkTimeout?: number;
  /** Per-plugin override of `[monitor] fifoCheckInterval` (s). */
  readonly fifoCheckInterval?: number;
}
