import type { JobColumn } from '../../db/columns';
import { secondsBefore } from '../../db/dates';
import type { JobRow } from '../../db/repo/jobs';
import type { SqlParam } from '../../db/sql';
import type { FileSpec, FileUpdate } from '../../plugins/types';
import { PILOT_ERRORS, withPilotError } from '../pilot-error';

export type JobSet = Partial<Record<JobColumn, SqlParam>>;

/** `propagatorTime` that makes the propagator report the job at its next cycle (the original's trigger_propagation). */
export function propagateSoon(now: Date): Date {
  return secondsBefore(now, 3600);
}

/** Stage-in failed for good: the job fails with STAGEINFAILED (1099) and is reported. */
export function failedToPrepare(job: JobRow, diag: string, now: Date): JobSet {
  const attrs = withPilotError(job.jobAttributes, PILOT_ERRORS.STAGEINFAILED, `stage-in failed with ${diag}`);
  return {
    status: 'failed',
    subStatus: 'failed_to_prepare',
    preparatorTime: null,
    stateChangeTime: now,
    jobAttributes: JSON.stringify(attrs),
    propagatorTime: propagateSoon(now),
  };
}

/** Plugin file updates restricted to the files the call was given (a plugin must not touch others). */
export function ownFileUpdates(updates: readonly FileUpdate[] | undefined, files: readonly FileSpec[]): FileUpdate[] {
  if (!updates?.length) return [];
  const ids = new Set(files.map((f) => f.fileID));
  return updates.filter((u) => ids.has(u.fileID));
}

/** Merges per-file updates (later ones win field by field). */
export function mergeFileUpdates(...lists: ReadonlyArray<readonly FileUpdate[]>): FileUpdate[] {
  const byId = new Map<number, FileUpdate>();
  for (const list of lists) for (const u of list) byId.set(u.fileID, { ...byId.get(u.fileID), ...u });
  return [...byId.values()];
}

/** Files of one type not yet in a final stage-in state, in fileID order (the order batches are taken in). */
export function inputsOfType(job: JobRow, fileType: string, statuses: readonly string[]): FileSpec[] {
  return job.inFiles.filter((f) => f.fileType === fileType && statuses.includes(f.status)).sort((a, b) => a.fileID - b.fileID);
}
