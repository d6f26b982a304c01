import type { FileUpdate, JobSpec, OutcomeResult } from './types';

/** The outcome of a stage-out call for one job. */
export interface StageOutResult extends OutcomeResult {
  /**
   * Per-file changes, for files of `job.outFiles` only. `checkStageOutStatus`
   * sets each file it knows the end of to `finished` or `failed`; files it does
   * not list stay `transferring`.
   */
  files?: FileUpdate[];
}

/**
 * Ships a job's outputs from the resource to storage (facts §2.6, §6.2).
 *
 * The stager agent calls `triggerStageOut` for jobs with `defined` output
 * files (subStatus `to_transfer`, or running jobs with event outputs), then
 * `checkStageOutStatus` every `checkInterval` for files `transferring`.
 * `job.outFiles` holds only the files of the pass (trigger: `defined`;
 * check: `transferring`); each call increments their `attemptNr`.
 *
 * Statuses: `done` — the call went through (trigger: files become
 * `transferring`); `pending` — nothing decided, retried later; `failed` — the
 * non-finished files fail, the job gets STAGEOUTFAILED (1137).
 */
export interface Stager {
  /** Starts transfers of `job.outFiles`. A job without output files is `done`. */
  triggerStageOut(job: JobSpec): Promise<StageOutResult>;
  /** Reports which transfers ended, via `files` with `finished`/`failed`. */
  checkStageOutStatus(job: JobSpec): Promise<StageOutResult>;
}
