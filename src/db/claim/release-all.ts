import { processOwnerPattern } from '../owner';
import type { SqlExecutor } from '../sql';

/**
 * Every owner column and what giving it up means. Time columns are left as
 * they are (the row is then due after its normal interval), except the event
 * feed, whose eligibility is "time NULL or older than lockInterval".
 */
const LOCKS: ReadonlyArray<{ key: string; sql: string }> = [
  { key: 'job_table.lockedBy', sql: 'UPDATE job_table SET lockedBy = NULL WHERE lockedBy LIKE ?' },
  { key: 'job_table.stagerLock', sql: 'UPDATE job_table SET stagerLock = NULL WHERE stagerLock LIKE ?' },
  { key: 'job_table.propagatorLock', sql: 'UPDATE job_table SET propagatorLock = NULL WHERE propagatorLock LIKE ?' },
  { key: 'work_table.lockedBy', sql: 'UPDATE work_table SET lockedBy = NULL WHERE lockedBy LIKE ?' },
  { key: 'work_table.eventFeedLock', sql: 'UPDATE work_table SET eventFeedLock = NULL, eventFeedTime = NULL WHERE eventFeedLock LIKE ?' },
  { key: 'pq_table.lockedBy', sql: 'UPDATE pq_table SET lockedBy = NULL WHERE lockedBy LIKE ?' },
  { key: 'lock_table', sql: 'DELETE FROM lock_table WHERE lockedBy LIKE ?' },
];

export type ReleasedLocks = Record<string, number>;

/**
 * Graceful shutdown: clears every lock whose owner id matches `pattern` (a SQL
 * LIKE pattern; default: any agent and thread of this process), so other
 * processes need not wait for lockInterval. Returns rows cleared per column.
 * One statement per column (each atomic); not one transaction, so a huge table
 * does not hold the sqlite write lock for the whole sweep.
 */
export async function releaseAllHeldByProcess(sql: SqlExecutor, pattern: string = processOwnerPattern()): Promise<ReleasedLocks> {
  const out: ReleasedLocks = {};
  for (const l of LOCKS) out[l.key] = (await sql.run(l.sql, [pattern])).changes;
  return out;
}
