import { secondsBefore } from '../dates';
import { noIndex, type SqlExecutor, type SqlParam } from '../sql';
import { toWorkerSummary, WORKER_SUMMARY, type Claim, type WorkerSummary } from './common';
import { claimRows, fragment } from './engine';

/** How long ended workers are kept, in hours (fractions allowed), per status (`[sweeper] keep*`). */
export interface KeepHours {
  finished: number;
  failed: number;
  cancelled: number;
  missed: number;
  pending: number;
}

export interface ClaimWorkersToSweepInput {
  limit: number;
  keep: KeepHours;
  /** Seconds before a worker claimed for cleanup (and not deleted) may be claimed again. */
  retryInterval: number;
  now?: Date;
}

/**
 * Sweeper cleanup claim (facts §2.8 step 3) on `modificationTime`, no owner
 * column: workers fully reported (`lastUpdate IS NULL`), ended longer ago than
 * their status's keep time, untouched for `retryInterval`, and with no job
 * still waiting to be reported (propagatorTime set). The claim sets
 * modificationTime = now, which keeps other threads off until retryInterval.
 */
export async function claimWorkersToSweep(sql: SqlExecutor, input: ClaimWorkersToSweepInput): Promise<Claim<WorkerSummary>> {
  const now = input.now ?? new Date();
  const perStatus = Object.entries(input.keep) as Array<[keyof KeepHours, number]>;
  // The end of a worker's life: endTime, or for rows that never ran (missed/pending) their submission/creation,
  // i.e. COALESCE(endTime, submitTime, creationTime) < keep, written as two branches per status so that
  // (status, endTime) answers both from the index (migration 0004) instead of testing every reported worker.
  const statusSql = perStatus
    .map(() => '(status = ? AND endTime < ?) OR (status = ? AND endTime IS NULL AND COALESCE(submitTime, creationTime) < ?)')
    .join(' OR ');
  const statusParams: SqlParam[] = perStatus.flatMap(([status, hours]) => {
    const before = secondsBefore(now, hours * 3600);
    return [status, before, status, before];
  });
  const rows = await claimRows(sql, {
    table: 'work_table',
    pk: 'workerID',
    columns: WORKER_SUMMARY,
    where: {
      sql: `${noIndex(sql.dialect, 'lastUpdate')} IS NULL AND (${statusSql})
        AND NOT EXISTS (SELECT 1 FROM jw_table r JOIN job_table j ON j.PandaID = r.PandaID
                        WHERE r.workerID = work_table.workerID AND j.propagatorTime IS NOT NULL)`,
      params: statusParams,
    },
    claimable: fragment('modificationTime IS NULL OR modificationTime < ?', secondsBefore(now, input.retryInterval)),
    set: { modificationTime: now },
    orderBy: 'modificationTime',
    limit: input.limit,
  });
  return { owner: null, claimedAt: now, rows: rows.map(toWorkerSummary) };
}
