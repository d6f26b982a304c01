import type { WorkerStatus } from '../../plugins/types';
import { noIndex, type SqlExecutor } from '../sql';
import { selectIn } from './sql-util';

/** Worker statuses the monitor checks. */
export const MONITORED_WORKER_STATUSES = ['submitted', 'running', 'idle'] as const;

/**
 * For each worker, the monitored (submitted/running/idle) workers that share
 * a job with it, itself included (the original's worker set, facts §2.5):
 * the workers of a OneToMany job are checked and written together.
 */
export async function monitoredWorkersSharingJobs(sql: SqlExecutor, workerIDs: readonly number[]): Promise<Map<number, Set<number>>> {
  const out = new Map<number, Set<number>>(workerIDs.map((id) => [id, new Set([id])]));
  if (workerIDs.length === 0) return out;
  const st = MONITORED_WORKER_STATUSES.map(() => '?').join(', ');
  const rows = await selectIn(
    sql,
    'jw_table s JOIN jw_table t ON t.PandaID = s.PandaID JOIN work_table w ON w.workerID = t.workerID',
    's.workerID AS me, t.workerID AS other',
    's.workerID',
    workerIDs,
    // From the asked workers to their jobs' workers, not from every monitored worker of the table.
    { sql: `${noIndex(sql.dialect, 'w.status')} IN (${st})`, params: [...MONITORED_WORKER_STATUSES] },
  );
  for (const r of rows) out.get(Number(r.me))?.add(Number(r.other));
  return out;
}

/** Status of workers by workerID (OneToMany aggregation reads the workers it does not write). */
export async function workerStatuses(sql: SqlExecutor, workerIDs: readonly number[]): Promise<Map<number, WorkerStatus>> {
  const out = new Map<number, WorkerStatus>();
  for (const r of await selectIn(sql, 'work_table', 'workerID, status', 'workerID', workerIDs)) {
    out.set(Number(r.workerID), String(r.status) as WorkerStatus);
  }
  return out;
}

/** Job subStatus values the monitor may still move (the original's `only_running`). */
export const MONITORED_JOB_SUBSTATUSES = ['submitted', 'queued', 'ready', 'running', 'idle'] as const;
