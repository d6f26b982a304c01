import type { HasOutFile, JobStatus, JobSubStatus } from '../../plugins/types';

/** What the job row becomes after a stage-out write, derived from its output file statuses. */
export interface StageOutState {
  hasOutFile: HasOutFile;
  /** Set when the subStatus changes. */
  subStatus?: JobSubStatus;
  /** Set when the job fails here. */
  status?: JobStatus;
  /** The job's stage-out is over (staged or failed_to_stage_out): report it. */
  final: boolean;
}

/**
 * The original's `update_job_for_stage_out` bookkeeping (facts §2.6):
 * `hasOutFile` from what is left (zipping 2, post_zipping 4, defined 1,
 * transferring 3, else 0); `to_transfer` becomes `transferring` once nothing
 * is left to zip or trigger (nor `pending` for a zip); `transferring` with nothing in flight either ends
 * as `staged`, or `failed`/`failed_to_stage_out` when any output failed.
 * Other subStatuses (running jobs shipping event outputs) only get the flag.
 *
 * The two steps chain in one write, so a stager whose trigger already reports
 * every file finished (or failed) ends the job without an extra check pass.
 */
export function nextStageOutState(subStatus: JobSubStatus, counts: ReadonlyMap<string, number>): StageOutState {
  const has = (s: string): boolean => (counts.get(s) ?? 0) > 0;
  // `pending` outputs of a job that makes no more need their last zip: zip-pass work (flag 2), as the monitor flags them.
  const zipWork = has('zipping') || (has('pending') && subStatus === 'to_transfer');
  const hasOutFile: HasOutFile = zipWork ? 2 : has('post_zipping') ? 4 : has('defined') ? 1 : has('transferring') ? 3 : 0;
  let next: JobSubStatus = subStatus;
  // `pending` outputs are still waiting to be grouped into a zip (zipPerMB): the job is not done with them.
  if (next === 'to_transfer' && !has('zipping') && !has('post_zipping') && !has('defined') && !has('pending')) next = 'transferring';
  if (next === 'transferring' && hasOutFile === 0) {
    return has('failed')
      ? { hasOutFile, subStatus: 'failed_to_stage_out', status: 'failed', final: true }
      : { hasOutFile, subStatus: 'staged', final: true };
  }
  return next !== subStatus ? { hasOutFile, subStatus: next, final: false } : { hasOutFile, final: false };
}
