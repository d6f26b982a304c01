import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { FINAL_WORKER_STATUSES } from './common';
import { idSet } from './engine';
import { selectRows } from '../repo/sql-util';

/**
 * Locks the other members of a monitor worker set (workers sharing a job with
 * a claimed one; facts §2.5). Unlike the original, which stamped them without
 * looking, a member is taken only when free, stale (lock older than
 * lockInterval) or already ours, and not final — so two threads never write
 * the same worker. Due time is ignored: a set is checked as one.
 * @returns the workerIDs now locked by `owner`.
 */
export async function lockWorkersForMonitor(
  sql: SqlExecutor, owner: string, workerIDs: readonly number[], lockInterval: number, now: Date = new Date(),
): Promise<number[]> {
  if (workerIDs.length === 0) return [];
  const ids = idSet(sql, workerIDs);
  const finals = FINAL_WORKER_STATUSES.map(() => '?').join(', ');
  const cond = `workerID IN ${ids.sql} AND (status IS NULL OR status NOT IN (${finals}))
    AND (lockedBy IS NULL OR lockedBy = ? OR modificationTime IS NULL OR modificationTime < ?)`;
  const params = [...ids.params, ...FINAL_WORKER_STATUSES, owner, secondsBefore(now, lockInterval)];
  return sql.transaction(async (tx) => {
    await tx.run(`UPDATE work_table SET lockedBy = ?, modificationTime = ? WHERE ${cond}`, [owner, now, ...params]);
    const rows = await selectRows<{ workerID: number }>(tx,
      `SELECT workerID FROM work_table WHERE workerID IN ${idSet(tx, workerIDs).sql} AND lockedBy = ?`,
      [...idSet(tx, workerIDs).params, owner], ['workerID'],
    );
    return rows.map((r) => Number(r.workerID));
  });
}
