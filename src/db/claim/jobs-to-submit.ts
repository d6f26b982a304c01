import type { SqlExecutor } from '../sql';
import { and, freeOrStale, inList, JOB_SUMMARY, num, str, toJobSummary, type Claim, type JobSummary, type OwnerClaimInput } from './common';
import { claimRows, fragment, type ReleaseResult } from './engine';
import { releaseJobs, type JobRelease } from './job-lock';

export interface ClaimJobsToSubmitInput extends OwnerClaimInput {
  /** The queue (job_table.computingSite). */
  queueName: string;
  /** Seconds before a released, still unsubmitted job is looked at again (`[submitter] checkInterval`). */
  checkInterval: number;
  resourceType?: string;
  /**
   * Also jobs already `submitted`/`running` that may take more workers
   * (OneToMany: nWorkers < nWorkersLimit, moreWorkers not 0, below maxWorkersInTotal).
   */
  includeMultiWorkerJobs?: boolean;
}

export interface JobToSubmit extends JobSummary {
  subStatus: string | null;
  configID: number | null;
  taskID: number | null;
  currentPriority: number | null;
  resourceType: string | null;
  nWorkers: number | null;
  nWorkersLimit: number | null;
  nWorkersInTotal: number | null;
  maxWorkersInTotal: number | null;
  submissionAttempts: number | null;
}

/**
 * Submitter job claim on `lockedBy` + `submitterTime`: subStatus prepared or
 * queued, ordered by currentPriority DESC, taskID, PandaID (facts §2.4).
 */
export async function claimJobsToSubmit(sql: SqlExecutor, input: ClaimJobsToSubmitInput): Promise<Claim<JobToSubmit>> {
  const now = input.now ?? new Date();
  const ready = inList('subStatus', ['prepared', 'queued']);
  const multi = input.includeMultiWorkerJobs
    ? fragment(
        `subStatus IN ('submitted', 'running') AND nWorkersLimit IS NOT NULL AND COALESCE(nWorkers, 0) < nWorkersLimit
         AND (moreWorkers IS NULL OR moreWorkers <> 0)
         AND (maxWorkersInTotal IS NULL OR COALESCE(nWorkersInTotal, 0) < maxWorkersInTotal)`,
      )
    : undefined;
  const status = multi ? { sql: `(${ready.sql}) OR (${multi.sql})`, params: ready.params } : ready;
  const rows = await claimRows(sql, {
    table: 'job_table',
    pk: 'PandaID',
    columns: [...JOB_SUMMARY, 'subStatus', 'configID', 'taskID', 'currentPriority', 'resourceType', 'nWorkers', 'nWorkersLimit', 'nWorkersInTotal', 'maxWorkersInTotal', 'submissionAttempts'],
    where: and(fragment('computingSite = ?', input.queueName), status, input.resourceType !== undefined && fragment('resourceType = ?', input.resourceType)),
    claimable: freeOrStale('submitterTime', 'lockedBy', now, input.checkInterval, input.lockInterval),
    set: { lockedBy: input.owner, submitterTime: now },
    orderBy: 'currentPriority DESC, taskID, PandaID',
    limit: input.limit,
  });
  const jobs = rows.map((r) => ({
    ...toJobSummary(r),
    subStatus: str(r.subStatus),
    configID: num(r.configID),
    taskID: num(r.taskID),
    currentPriority: num(r.currentPriority),
    resourceType: str(r.resourceType),
    nWorkers: num(r.nWorkers),
    nWorkersLimit: num(r.nWorkersLimit),
    nWorkersInTotal: num(r.nWorkersInTotal),
    maxWorkersInTotal: num(r.maxWorkersInTotal),
    submissionAttempts: num(r.submissionAttempts),
  }));
  // RETURNING (sqlite) gives rows in no particular order; the submitter needs priority order.
  jobs.sort((a, b) => (b.currentPriority ?? -Infinity) - (a.currentPriority ?? -Infinity) || (a.taskID ?? 0) - (b.taskID ?? 0) || a.PandaID - b.PandaID);
  return { owner: input.owner, claimedAt: now, rows: jobs };
}

/** Submitter release (`release_jobs`): `lockedBy = NULL` plus results, where `lockedBy = owner`. */
export function releaseJobsFromSubmitter(sql: SqlExecutor, owner: string, rows: readonly JobRelease[]): Promise<ReleaseResult<number>> {
  return releaseJobs(sql, owner, rows);
}
