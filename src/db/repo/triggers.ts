import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { idSet } from '../claim/engine';
import { chunks } from './sql-util';

/**
 * "Trigger" helpers as in the original: move a row's channel time into the past
 * so the row is due at the next look of the agent owning that channel, without
 * taking its lock.
 */

/** Job status changed: the propagator reports it next cycle (propagatorTime = now − 1 h). */
export async function triggerJobPropagation(sql: SqlExecutor, pandaIDs: readonly number[], now = new Date()): Promise<void> {
  const t = secondsBefore(now, 3600);
  for (const part of chunks(pandaIDs)) {
    const ids = idSet(sql, part);
    await sql.run(`UPDATE job_table SET propagatorTime = ? WHERE PandaID IN ${ids.sql}`, [t, ...ids.params]);
  }
}

/** Worker status changed: the propagator reports it next cycle (lastUpdate = now − 24 h). */
export async function triggerWorkerPropagation(sql: SqlExecutor, workerIDs: readonly number[], now = new Date()): Promise<void> {
  const t = secondsBefore(now, 86400);
  for (const part of chunks(workerIDs)) {
    const ids = idSet(sql, part);
    await sql.run(`UPDATE work_table SET lastUpdate = ? WHERE workerID IN ${ids.sql}`, [t, ...ids.params]);
  }
}

/** The monitor looks at these workers again at its next cycle (modificationTime = now − 1 h), if unlocked. */
export async function triggerWorkerCheck(sql: SqlExecutor, workerIDs: readonly number[], now = new Date()): Promise<void> {
  const t = secondsBefore(now, 3600);
  for (const part of chunks(workerIDs)) {
    const ids = idSet(sql, part);
    await sql.run(`UPDATE work_table SET modificationTime = ? WHERE lockedBy IS NULL AND workerID IN ${ids.sql}`, [t, ...ids.params]);
  }
}
