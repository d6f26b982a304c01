import type { WorkerLogFiles, WorkerSpec, WorkerUpdate } from './types';

/** The outcome of submitting one worker. */
export interface SubmitResult {
  /**
   * `submitted`: the batch system accepted the worker (set `batchID`).
   * `failed`: it did not; the worker becomes `missed` either way.
   */
  status: 'submitted' | 'failed';
  /** Id in the batch system; required when `status` is `submitted`. */
  batchID?: string;
  /**
   * For `failed` only: the failure is transient (the original's `None`), so the
   * submitter releases the worker's jobs for another attempt (up to
   * `maxSubmissionAttempts`) instead of failing them with the worker.
   */
  temporary?: boolean;
  /** Why it failed, or a note on success. */
  diag: string;
  /** Other worker columns the submission determined (queueName, computingElement, submissionHost, nodeID, ...). */
  update?: WorkerUpdate;
  /** Where the batch system writes this worker's logs (the original's `set_log_file`). */
  logFiles?: WorkerLogFiles;
}

/**
 * Starts workers on a resource (facts §2.4, §6.2 `submit_workers`).
 *
 * Called by the submitter agent once per queue cycle with the workers it just
 * made and inserted as `pending` (after the messenger set up their access
 * points and fed their jobs). Workers already `ready`/`running` (refills) are
 * not passed. The agent then marks each worker `submitted` or `missed`.
 */
export interface Submitter {
  /**
   * Submits workers in bulk.
   * @returns exactly one result per input worker, in input order; `[]` for `[]`.
   * Throwing counts as a temporary failure of every worker in the call.
   */
  submitWorkers(workers: readonly WorkerSpec[]): Promise<SubmitResult[]>;
}
