import type { FileUpdate, JobSpec, OutcomeResult } from './types';

/** The outcome of a stage-in call for one job. */
export interface StageInResult extends OutcomeResult {
  /**
   * Per-file changes: paths, transfer group ids, or — for a bulk preparator
   * that handled only some inputs this time — `status: 'triggered'` on those
   * files; inputs left `to_prepare` make the preparator look the job up again.
   */
  files?: FileUpdate[];
}

/** Local paths of a job's inputs, by LFN. */
export interface InputPathsResult extends OutcomeResult {
  /** `lfn → local path` for every input the payload reads; required when `status` is `done`. */
  paths?: Record<string, string>;
}

/**
 * Stages a job's inputs onto the resource (facts §2.3, §6.2).
 *
 * The preparator agent calls `triggerPreparation` for jobs in `fetched`,
 * then `checkStageInStatus` every `checkInterval` while they are `preparing`,
 * and `resolveInputPaths` once the check reports `done`. The `aux_preparator`
 * queue section uses the same interface for container images and aux inputs.
 * Only the job's files that still need work are in `job.inFiles`.
 *
 * Statuses: `done` — success; `pending` — not now, try again (the job is
 * released); `failed` — the job fails with STAGEINFAILED (1099).
 */
export interface Preparator {
  /** Starts the transfers of `job.inFiles`. A job without inputs is `done`. */
  triggerPreparation(job: JobSpec): Promise<StageInResult>;
  /** Are the triggered transfers complete? `pending` while they run. */
  checkStageInStatus(job: JobSpec): Promise<StageInResult>;
  /** Where the payload finds each input (the original's `set_input_file_paths`). */
  resolveInputPaths(job: JobSpec): Promise<InputPathsResult>;
}
