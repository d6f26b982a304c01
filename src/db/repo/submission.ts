/**
 * Worker-row operations of the submitter (facts §2.4 steps 1, 7, 8): orphan
 * `pending` cleanup, the counts the worker adjuster needs, inserting new
 * workers as `pending` while proving the site lock is still held, and writing
 * each worker's submission result only while it is still `pending`.
 */
import { siteFilter } from '../claim/common';
import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { WORK_CODEC } from './codec';
import { bulkUpdate } from './bulk-update';
import { idSet } from '../claim/engine';
import { chunks } from './sql-util';
import { insertWorkers, type WorkerRow } from './workers';

/** Thrown when the site lock was taken over (our cycle outlived queueLockInterval): nothing was inserted. */
export class SiteLockLostError extends Error {
  constructor(readonly siteName: string, readonly owner: string) {
    super(`submitter: site ${siteName} is no longer locked by ${owner} (took longer than queueLockInterval?); new workers not inserted`);
    this.name = 'SiteLockLostError';
  }
}

/**
 * Deletes `pending` workers of a queue older than `lockInterval` seconds, with
 * their relations: rows a submitter inserted before a crash and never
 * resolved. Returns the deleted workerIDs.
 */
export async function deleteOrphanPendingWorkers(sql: SqlExecutor, queueName: string, lockInterval: number, now = new Date()): Promise<number[]> {
  const site = siteFilter(sql.dialect, [queueName]);
  return sql.transaction(async (tx) => {
    const rows = await tx.all<{ workerID: number }>(
      `SELECT workerID FROM work_table WHERE ${site.sql} AND status = 'pending' AND (modificationTime IS NULL OR modificationTime < ?)`,
      [...site.params, secondsBefore(now, lockInterval)],
    );
    const ids = rows.map((r) => Number(r.workerID));
    for (const part of chunks(ids)) {
      const ph = idSet(tx, part);
      await tx.run(`DELETE FROM jw_table WHERE workerID IN ${ph.sql}`, ph.params);
      await tx.run(`DELETE FROM work_table WHERE workerID IN ${ph.sql} AND status = 'pending'`, ph.params);
    }
    return ids;
  });
}

/** Worker counts of one queue as the adjuster sees them (facts §2.4 step 1). */
export interface QueueWorkerCounts {
  /** submitted + pending + idle. */
  nQueue: number;
  /** ready + running workers with refill slots (nJobsToReFill > 0). */
  nReady: number;
  nRunning: number;
}

export async function countQueueWorkers(sql: SqlExecutor, queueName: string): Promise<QueueWorkerCounts> {
  const site = siteFilter(sql.dialect, [queueName]);
  const rows = await sql.all<{ status: string; n: number | string; refill: number | string | null }>(
    `SELECT status, COUNT(*) AS n, SUM(CASE WHEN nJobsToReFill > 0 THEN 1 ELSE 0 END) AS refill
       FROM work_table WHERE ${site.sql} AND status IN ('submitted', 'pending', 'idle', 'ready', 'running') GROUP BY status`,
    site.params,
  );
  const out: QueueWorkerCounts = { nQueue: 0, nReady: 0, nRunning: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.status === 'running') {
      out.nRunning += n;
      out.nReady += Number(r.refill ?? 0);
    } else if (r.status === 'ready') out.nReady += n;
    else out.nQueue += n;
  }
  return out;
}

/**
 * Inserts new workers (status `pending`) in the same transaction that
 * re-stamps the site lock (`submitTime = now WHERE lockedBy = owner`). If the
 * lock was lost nothing is inserted and SiteLockLostError is thrown; if it
 * holds, any submitter that claims the site afterwards counts these rows —
 * which is what keeps several threads or processes from over-submitting.
 */
export async function insertPendingWorkersUnderSiteLock(
  sql: SqlExecutor, siteName: string, owner: string, workers: ReadonlyArray<Partial<WorkerRow> & { workerID: number }>, now = new Date(),
): Promise<void> {
  await sql.transaction(async (tx) => {
    const res = await tx.run('UPDATE pq_table SET submitTime = ? WHERE siteName = ? AND lockedBy = ?', [now, siteName, owner]);
    if (res.changes === 0) throw new SiteLockLostError(siteName, owner);
    if (workers.length > 0) await insertWorkers(tx, workers);
  });
}

/** One worker's submission result to write. */
export interface WorkerResultWrite {
  workerID: number;
  set: Partial<WorkerRow>;
}

/**
 * Writes submission results, each only where the worker is still `pending`
 * (an orphan cleanup may have deleted it if this cycle outlived lockInterval).
 * Returns the workerIDs that were no longer there to update.
 */
export async function writeWorkerResults(sql: SqlExecutor, writes: readonly WorkerResultWrite[]): Promise<number[]> {
  if (writes.length === 0) return [];
  const rows = writes.map((w) => {
    const { workerID: _id, pandaIDs: _p, ...set } = w.set;
    return { id: w.workerID, set, expect: { status: 'pending' } };
  });
  // One bulk UPDATE per column set; the ids written tell which workers were gone.
  const res = await sql.transaction((tx) => bulkUpdate(tx, WORK_CODEC, 'workerID', rows, { returnIds: true }));
  const written = new Set((res.ids ?? []).map(Number));
  // As before, a write with no columns matches nothing and counts as lost.
  return writes.filter((w) => !written.has(w.workerID)).map((w) => w.workerID);
}
