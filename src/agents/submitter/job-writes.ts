/**
 * What the submitter writes to its claimed jobs (facts §2.4 step 8), as
 * owner-checked release rows: success, retry after a temporary failure, and
 * `failed/failed_to_make` (SETUPFAILURE 1110) when retries are used up.
 */
import type { JobRelease } from '../../db/claim/job-lock';
import type { JobRow } from '../../db/repo/jobs';
import { withPilotError } from '../pilot-error';

/** The original's PilotErrors.SETUPFAILURE, reported for jobs whose worker could not be made or submitted. */
export const SETUPFAILURE = 1110;

export function jobSubmitted(job: JobRow, nNewWorkers: number, lateBinding: boolean, now: Date, extra: JobRelease['set'] = {}): JobRelease {
  return {
    id: job.PandaID,
    set: {
      subStatus: lateBinding ? 'queued' : 'submitted',
      nWorkers: (job.nWorkers ?? 0) + nNewWorkers,
      nWorkersInTotal: (job.nWorkersInTotal ?? 0) + nNewWorkers,
      stateChangeTime: job.subStatus === 'submitted' || job.subStatus === 'queued' ? (job.stateChangeTime ?? now) : now,
      modificationTime: now,
      ...extra,
    },
  };
}

/** A temporary failure with attempts left: the job stays as it was and is claimed again after checkInterval. */
export function jobRetry(job: JobRow, attempts: number, now: Date): JobRelease {
  return { id: job.PandaID, set: { submissionAttempts: attempts, modificationTime: now } };
}

export function jobFailedToMake(job: JobRow, attempts: number, diag: string, now: Date): JobRelease {
  return {
    id: job.PandaID,
    set: {
      status: 'failed',
      subStatus: 'failed_to_make',
      submissionAttempts: attempts,
      jobAttributes: JSON.stringify(withPilotError(job.jobAttributes, SETUPFAILURE, diag)),
      stateChangeTime: now,
      modificationTime: now,
      endTime: now,
    },
  };
}

/** Claimed but not used this cycle: released untouched. */
export function jobUnused(job: JobRow): JobRelease {
  return { id: job.PandaID };
}
