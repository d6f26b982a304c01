import type { WorkColumn } from '../columns';
import { secondsBefore } from '../dates';
import type { SqlExecutor, SqlParam } from '../sql';
import { and, inList, str, toWorkerSummary, WORKER_SUMMARY, type Claim, type OwnerClaimInput, type WorkerSummary } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult, type ReleaseRow } from './engine';

export interface WorkerToFeedEvents extends WorkerSummary {
  /** JSON as stored (eventsRequestParams). */
  eventsRequestParams: string | null;
}

/**
 * EventFeeder claim on `eventFeedLock` + `eventFeedTime`: workers with
 * eventsRequest = 2 (requestEvents) in running/submitted whose feed time is
 * NULL or older than lockInterval (facts §2.7).
 */
export async function claimWorkersToFeedEvents(sql: SqlExecutor, input: OwnerClaimInput): Promise<Claim<WorkerToFeedEvents>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'work_table',
    pk: 'workerID',
    columns: [...WORKER_SUMMARY, 'eventsRequestParams'],
    where: and(fragment('eventsRequest = 2'), inList('status', ['running', 'submitted'])),
    claimable: fragment('eventFeedTime IS NULL OR eventFeedTime < ?', secondsBefore(now, input.lockInterval)),
    set: { eventFeedLock: input.owner, eventFeedTime: now },
    orderBy: 'eventFeedTime',
    limit: input.limit,
  });
  return { owner: input.owner, claimedAt: now, rows: rows.map((r) => ({ ...toWorkerSummary(r), eventsRequestParams: str(r.eventsRequestParams) })) };
}

/** What a fed worker gets when its row has no `set`: events delivered, request cleared. */
export const EVENTS_FED: Readonly<Partial<Record<WorkColumn, SqlParam>>> = { eventsRequest: 1, eventsRequestParams: null };

/** EventFeeder release: results (default EVENTS_FED) and lock/time cleared, where `eventFeedLock = owner`. */
export function releaseWorkersFromEventFeeder(sql: SqlExecutor, owner: string, rows: ReadonlyArray<ReleaseRow<number, WorkColumn>>): Promise<ReleaseResult<number>> {
  return releaseRows(
    sql,
    { table: 'work_table', pk: 'workerID', owned: fragment('eventFeedLock = ?', owner), clear: { eventFeedLock: null, eventFeedTime: null } },
    rows.map((r) => ({ ...r, set: r.set ?? EVENTS_FED })),
  );
}
