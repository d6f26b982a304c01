import type { JobColumn } from '../columns';
import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { JOB_SUMMARY, toJobSummary, type Claim, type JobSummary, type OwnerClaimInput } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult, type ReleaseRow } from './engine';

export interface ClaimJobsToPropagateInput extends OwnerClaimInput {
  /** Seconds between heartbeats of the same job (`[propagator] updateInterval`). */
  updateInterval: number;
}

/**
 * Propagator claim on `propagatorLock` + `propagatorTime`. Unlike the generic
 * channel, propagatorTime NULL means "nothing to send", so NULL rows are never
 * claimed; `trigger_propagation` sets it one hour back to make a job due.
 */
export async function claimJobsToPropagate(sql: SqlExecutor, input: ClaimJobsToPropagateInput): Promise<Claim<JobSummary>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'job_table',
    pk: 'PandaID',
    columns: JOB_SUMMARY,
    where: fragment('propagatorTime IS NOT NULL'),
    claimable: fragment(
      '(propagatorLock IS NOT NULL AND propagatorTime < ?) OR (propagatorLock IS NULL AND propagatorTime < ?)',
      secondsBefore(now, input.lockInterval),
      secondsBefore(now, input.updateInterval),
    ),
    set: { propagatorLock: input.owner, propagatorTime: now },
    orderBy: 'propagatorTime',
    limit: input.limit,
  });
  return { owner: input.owner, claimedAt: now, rows: rows.map(toJobSummary) };
}

/**
 * Propagator release: `propagatorLock = NULL` plus results (e.g. final and
 * reported: `propagatorTime: null, subStatus: 'done'`), where `propagatorLock = owner`.
 */
export function releaseJobsFromPropagator(sql: SqlExecutor, owner: string, rows: ReadonlyArray<ReleaseRow<number, JobColumn>>): Promise<ReleaseResult<number>> {
  return releaseRows(sql, { table: 'job_table', pk: 'PandaID', owned: fragment('propagatorLock = ?', owner), clear: { propagatorLock: null } }, rows);
}
