import { secondsBefore } from './dates';
import type { SqlExecutor } from './sql';

/** Locks untouched for this long belong to nobody (facts §3.4). */
const STALE_PROCESS_LOCK_SECONDS = 6 * 3600;

/**
 * "At most one run per interval across all processes" (facts §3.4): acquired
 * when no row exists for `name` (the INSERT wins), or when the row's lockTime
 * is at least `intervalSec` old (the conditional UPDATE wins). The holder cannot
 * re-acquire early either. Each step is one atomic statement, so concurrent
 * callers on other processes/hosts get exactly one `true`.
 */
export async function getProcessLock(sql: SqlExecutor, name: string, owner: string, intervalSec: number, now: Date = new Date()): Promise<boolean> {
  await sql.run('DELETE FROM lock_table WHERE lockTime < ?', [secondsBefore(now, STALE_PROCESS_LOCK_SECONDS)]);
  const insert = sql.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  const ins = await sql.run(`${insert} INTO lock_table (processName, lockedBy, lockTime) VALUES (?, ?, ?)`, [name, owner, now]);
  if (ins.changes > 0) return true;
  const upd = await sql.run('UPDATE lock_table SET lockedBy = ?, lockTime = ? WHERE processName = ? AND lockTime <= ?', [
    owner,
    now,
    name,
    secondsBefore(now, intervalSec),
  ]);
  return upd.changes > 0;
}

/** Deletes the lock if `owner` still holds it; true when it did. */
export async function releaseProcessLock(sql: SqlExecutor, name: string, owner: string): Promise<boolean> {
  const res = await sql.run('DELETE FROM lock_table WHERE processName = ? AND lockedBy = ?', [name, owner]);
  return res.changes > 0;
}

/**
 * Deletes every process lock. The original does this at master start; only
 * safe when no other instance shares the database (single-instance sqlite).
 */
export async function clearAllProcessLocks(sql: SqlExecutor): Promise<number> {
  return (await sql.run('DELETE FROM lock_table')).changes;
}
