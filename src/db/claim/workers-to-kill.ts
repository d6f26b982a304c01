import { secondsBefore } from '../dates';
import { placeholders, type SqlExecutor } from '../sql';
import { FINAL_WORKER_STATUSES, toWorkerSummary, WORKER_SUMMARY, type Claim, type WorkerSummary } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult } from './engine';

export interface ClaimWorkersToKillInput {
  limit: number;
  /** Seconds between kill attempts on the same worker (`[sweeper] checkInterval`). */
  checkInterval: number;
  now?: Date;
}

const notFinal = { sql: `(status IS NULL OR status NOT IN (${placeholders(FINAL_WORKER_STATUSES.length)}))`, params: FINAL_WORKER_STATUSES };

/**
 * Sweeper kill claim on `killTime` (no owner column): killTime set and older
 * than checkInterval; the claim sets it to now, acting as the retry lock.
 * Workers that reached a final status meanwhile just get killTime = NULL.
 */
export async function claimWorkersToKill(sql: SqlExecutor, input: ClaimWorkersToKillInput): Promise<Claim<WorkerSummary>> {
  const now = input.now ?? new Date();
  const limit = secondsBefore(now, input.checkInterval);
  // COALESCE keeps the planner off the status indexes: without ANALYZE
  // statistics sqlite took idx_status_modificationTime_work_table for the
  // IN list and walked every final worker (~2.5 ms at 20k workers, each
  // sweeper cycle), while the few rows with a killTime are one short range
  // of idx_killTime_work_table (~0.06 ms). Same truth value: a NULL status
  // is not final either way.
  await sql.run(
    `UPDATE work_table SET killTime = NULL WHERE killTime IS NOT NULL AND killTime < ? AND COALESCE(status, '') IN (${placeholders(FINAL_WORKER_STATUSES.length)})`,
    [limit, ...FINAL_WORKER_STATUSES],
  );
  const rows = await claimRows(sql, {
    table: 'work_table',
    pk: 'workerID',
    columns: WORKER_SUMMARY,
    where: { sql: `killTime IS NOT NULL AND ${notFinal.sql}`, params: notFinal.params },
    claimable: fragment('killTime < ?', limit),
    set: { killTime: now },
    orderBy: 'killTime',
    limit: input.limit,
  });
  return { owner: null, claimedAt: now, rows: rows.map(toWorkerSummary) };
}

/**
 * Marks workers to be killed (KILL_WORKERS / SYNC_WORKERS_KILL commands):
 * killTime = now − 6 h (due at once) where not already marked and not final.
 */
export async function markWorkersToKill(sql: SqlExecutor, workerIDs: readonly number[], now: Date = new Date()): Promise<number> {
  if (workerIDs.length === 0) return 0;
  const res = await sql.run(
    `UPDATE work_table SET killTime = ? WHERE workerID IN (${placeholders(workerIDs.length)}) AND killTime IS NULL AND ${notFinal.sql}`,
    [secondsBefore(now, 6 * 3600), ...workerIDs, ...notFinal.params],
  );
  return res.changes;
}

/** Withdraws kill requests this claim still holds (killTime = claimedAt). */
export function clearKillRequests(sql: SqlExecutor, claimedAt: Date, workerIDs: readonly number[]): Promise<ReleaseResult<number>> {
  return releaseRows(
    sql,
    { table: 'work_table', pk: 'workerID', owned: fragment('killTime = ?', claimedAt), clear: { killTime: null } },
    workerIDs.map((id) => ({ id })),
  );
}
