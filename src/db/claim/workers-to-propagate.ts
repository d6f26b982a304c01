import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { toWorkerSummary, WORKER_SUMMARY, type Claim, type WorkerSummary } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult } from './engine';

export interface ClaimWorkersToPropagateInput {
  limit: number;
  /** Seconds between reports of the same worker (`[propagator] updateInterval`). */
  updateInterval: number;
  now?: Date;
}

/**
 * Propagator worker claim on `lastUpdate` (no owner column, facts §3.2):
 * `lastUpdate` NOT NULL and older than updateInterval; the claim sets it to
 * now, which also makes it the retry timer. NULL means "fully reported".
 */
export async function claimWorkersToPropagate(sql: SqlExecutor, input: ClaimWorkersToPropagateInput): Promise<Claim<WorkerSummary>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'work_table',
    pk: 'workerID',
    columns: WORKER_SUMMARY,
    where: fragment('lastUpdate IS NOT NULL'),
    claimable: fragment('lastUpdate < ?', secondsBefore(now, input.updateInterval)),
    set: { lastUpdate: now },
    orderBy: 'lastUpdate',
    limit: input.limit,
  });
  return { owner: null, claimedAt: now, rows: rows.map(toWorkerSummary) };
}

/**
 * After a successful report of final workers: `lastUpdate = NULL` (never again).
 * The channel has no owner column, so ownership is the claim time itself: a row
 * re-claimed by someone else since has a newer lastUpdate and is left alone.
 */
export function markWorkersPropagated(sql: SqlExecutor, claimedAt: Date, workerIDs: readonly number[]): Promise<ReleaseResult<number>> {
  return releaseRows(
    sql,
    { table: 'work_table', pk: 'workerID', owned: fragment('lastUpdate = ?', claimedAt), clear: { lastUpdate: null } },
    workerIDs.map((id) => ({ id })),
  );
}
