import type { SqlExecutor } from '../sql';
import { and, freeOrStale, JOB_SUMMARY, toJobSummary, type Claim, type JobSummary, type OwnerClaimInput, siteFilter } from './common';
import { claimRows, fragment } from './engine';
import { releaseJobs, type JobRelease } from './job-lock';
import type { ReleaseResult } from './engine';

/** trigger: jobs in subStatus `fetched` (stage-in to start); check: `preparing` (stage-in to poll). */
export type PreparatorPhase = 'trigger' | 'check';

export interface ClaimJobsToPrepareInput extends OwnerClaimInput {
  phase: PreparatorPhase;
  /** Seconds between looks at the same job: `triggerInterval` or `checkInterval`. */
  interval: number;
  /** Only jobs of these queues (computingSite); all when omitted. */
  computingSites?: readonly string[];
}

/** Preparator claim on `lockedBy` + `preparatorTime` (facts §2.3, §3.2). */
export async function claimJobsToPrepare(sql: SqlExecutor, input: ClaimJobsToPrepareInput): Promise<Claim<JobSummary>> {
  const now = input.now ?? new Date();
  const subStatus = input.phase === 'trigger' ? 'fetched' : 'preparing';
  const rows = await claimRows(sql, {
    table: 'job_table',
    pk: 'PandaID',
    columns: JOB_SUMMARY,
    where: and(fragment('subStatus = ?', subStatus), input.computingSites && siteFilter(sql.dialect, input.computingSites)),
    claimable: freeOrStale('preparatorTime', 'lockedBy', now, input.interval, input.lockInterval),
    set: { lockedBy: input.owner, preparatorTime: now },
    orderBy: 'preparatorTime',
    limit: input.limit,
  });
  return { owner: input.owner, claimedAt: now, rows: rows.map(toJobSummary) };
}

/**
 * Preparator release (`lockedBy = NULL` where `lockedBy = owner`). Pass
 * `expect: { subStatus: <as claimed> }` as the original does, and in `set` the
 * results (`subStatus: 'prepared', preparatorTime: null`, …).
 */
export function releaseJobsFromPreparator(sql: SqlExecutor, owner: string, rows: readonly JobRelease[]): Promise<ReleaseResult<number>> {
  return releaseJobs(sql, owner, rows);
}
