import type { WorkColumn } from '../columns';
import { placeholders, type SqlExecutor } from '../sql';
import { and, FINAL_WORKER_STATUSES, freeOrStale, inList, toWorkerSummary, WORKER_SUMMARY, type Claim, type OwnerClaimInput, type WorkerSummary, siteFilter } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult, type ReleaseRow } from './engine';

export interface ClaimWorkersToCheckInput extends OwnerClaimInput {
  /** Seconds between checks of the same worker (`[monitor] checkInterval`). */
  checkInterval: number;
  /** Default submitted, running, idle. */
  statuses?: readonly string[];
  computingSites?: readonly string[];
}

/** Monitor claim on work_table `lockedBy` + `modificationTime` (facts §2.5). */
export async function claimWorkersToCheck(sql: SqlExecutor, input: ClaimWorkersToCheckInput): Promise<Claim<WorkerSummary>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'work_table',
    pk: 'workerID',
    columns: WORKER_SUMMARY,
    where: and(inList('status', input.statuses ?? ['submitted', 'running', 'idle']), input.computingSites && siteFilter(sql.dialect, input.computingSites)),
    claimable: freeOrStale('modificationTime', 'lockedBy', now, input.checkInterval, input.lockInterval),
    set: { lockedBy: input.owner, modificationTime: now },
    orderBy: 'modificationTime',
    limit: input.limit,
  });
  return { owner: input.owner, claimedAt: now, rows: rows.map(toWorkerSummary) };
}

export type WorkerRelease = ReleaseRow<number, WorkColumn>;

/**
 * Monitor release: writes results and `lockedBy = NULL` where `lockedBy =
 * owner` and the stored status is not final (a final row is never overwritten).
 * Rows that turned final meanwhile are still unlocked (owner-checked) so they
 * do not keep a dead-looking owner, but get none of the results.
 */
export async function releaseWorkersFromMonitor(sql: SqlExecutor, owner: string, rows: readonly WorkerRelease[]): Promise<ReleaseResult<number>> {
  const res = await releaseRows(
    sql,
    {
      table: 'work_table',
      pk: 'workerID',
      owned: fragment('lockedBy = ?', owner),
      clear: { lockedBy: null },
      extra: { sql: `status IS NULL OR status NOT IN (${placeholders(FINAL_WORKER_STATUSES.length)})`, params: FINAL_WORKER_STATUSES },
    },
    rows,
  );
  if (res.lost.length > 0) {
    await sql.run(
      `UPDATE work_table SET lockedBy = NULL WHERE workerID IN (${placeholders(res.lost.length)}) AND lockedBy = ? AND status IN (${placeholders(FINAL_WORKER_STATUSES.length)})`,
      [...res.lost, owner, ...FINAL_WORKER_STATUSES],
    );
  }
  return res;
}
