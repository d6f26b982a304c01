import type { SqlExecutor, SqlParam } from '../sql';
import { idSet } from './engine';
import { selectRows } from '../repo/sql-util';

/** The two owner-based job lock channels the staging agents use (facts §3.2). */
export type JobLockChannel = 'preparator' | 'stager';

const CHANNEL: Readonly<Record<JobLockChannel, { lock: string; time: string }>> = {
  preparator: { lock: 'lockedBy', time: 'preparatorTime' },
  stager: { lock: 'stagerLock', time: 'stagerTime' },
};

/**
 * The original's `lock_job_again`, for a batch: bumps the channel time of the
 * jobs this owner still holds, so a long run of plugin calls does not let the
 * locks go stale under us. Returns the ids still held (others were taken over
 * after lockInterval and must not be worked on any more).
 */
export async function relockJobs(sql: SqlExecutor, channel: JobLockChannel, owner: string, pandaIDs: readonly number[], now: Date): Promise<number[]> {
  if (pandaIDs.length === 0) return [];
  const { lock, time } = CHANNEL[channel];
  return sql.transaction(async (tx) => {
    const ids = idSet(tx, pandaIDs);
    await tx.run(`UPDATE job_table SET ${time} = ? WHERE PandaID IN ${ids.sql} AND ${lock} = ?`, [now, ...ids.params, owner]);
    return ownedJobs(tx, channel, owner, pandaIDs);
  });
}

/**
 * Which of `pandaIDs` this owner still holds (and, with `subStatus`, still in
 * that subStatus). Call it inside the write-back transaction: on MariaDB the
 * rows are locked FOR UPDATE until commit, on sqlite BEGIN IMMEDIATE already
 * holds the database write lock, so the answer stays true while we write.
 */
export async function ownedJobs(sql: SqlExecutor, channel: JobLockChannel, owner: string, pandaIDs: readonly number[], subStatus?: string): Promise<number[]> {
  if (pandaIDs.length === 0) return [];
  const { lock } = CHANNEL[channel];
  const ids = idSet(sql, pandaIDs);
  const params: SqlParam[] = [...ids.params, owner];
  let where = `PandaID IN ${ids.sql} AND ${lock} = ?`;
  if (subStatus !== undefined) {
    where += ' AND subStatus = ?';
    params.push(subStatus);
  }
  const forUpdate = sql.dialect === 'mariadb' ? ' FOR UPDATE' : '';
  const rows = await selectRows<{ PandaID: unknown }>(sql, `SELECT PandaID FROM job_table WHERE ${where}${forUpdate}`, params, ['PandaID']);
  return rows.map((r) => Number(r.PandaID));
}

/** A held job's current statuses, read under the same lock as {@link ownedJobs}. */
export interface HeldJobState {
  status: string;
  subStatus: string;
}

/** Like {@link ownedJobs}, with each held job's current status and subStatus (decisions in the write-back use these, not the claim-time copy). */
export async function heldJobStates(sql: SqlExecutor, channel: JobLockChannel, owner: string, pandaIDs: readonly number[]): Promise<Map<number, HeldJobState>> {
  const out = new Map<number, HeldJobState>();
  if (pandaIDs.length === 0) return out;
  const { lock } = CHANNEL[channel];
  const ids = idSet(sql, pandaIDs);
  const forUpdate = sql.dialect === 'mariadb' ? ' FOR UPDATE' : '';
  const rows = await selectRows(sql, `SELECT PandaID, status, subStatus FROM job_table WHERE PandaID IN ${ids.sql} AND ${lock} = ?${forUpdate}`, [...ids.params, owner], ['PandaID', 'status', 'subStatus']);
  for (const r of rows) out.set(Number(r.PandaID), { status: String(r.status), subStatus: String(r.subStatus) });
  return out;
}
