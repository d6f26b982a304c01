/**
 * pq_table rows for the active queues, as the original's
 * fill_panda_queue_table: rows of queues no longer active are deleted, limits
 * of existing rows refreshed, missing rows inserted (insert-or-ignore, so
 * processes filling at once do not collide). Runtime columns (jobFetchTime,
 * submitTime, lockedBy, nNewWorkers of cloned per-jobType rows) are left alone.
 */
import type { SqlExecutor, SqlParam } from '../db/sql';
import { PQ_TABLE_LIMITS } from './attributes';
import type { QueueConfig } from './types';

export interface PqFillResult {
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
}

export async function fillPandaQueueTable(sql: SqlExecutor, active: readonly QueueConfig[], opts: { refill?: boolean } = {}): Promise<PqFillResult> {
  const insertIgnore = sql.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  const names = new Set(active.map((q) => q.queueName));
  return sql.transaction(async (tx) => {
    let inserted = 0;
    let updated = 0;
    let deleted = 0;
    const existing = await tx.all<{ queueName: string }>('SELECT DISTINCT queueName FROM pq_table');
    for (const { queueName } of existing) {
      if (!names.has(queueName)) deleted += (await tx.run('DELETE FROM pq_table WHERE queueName = ?', [queueName])).changes;
    }
    for (const q of active) {
      if (opts.refill) deleted += (await tx.run('DELETE FROM pq_table WHERE queueName = ?', [q.queueName])).changes;
      const limits = PQ_TABLE_LIMITS.map((c) => q[c as keyof QueueConfig] as SqlParam);
      // Keyed on uniqueName (the primary key): the original looked for an ANY/ANY row, which never
      // matches a `site/SCORE` queue, so its limits were never refreshed.
      const found = await tx.all('SELECT uniqueName FROM pq_table WHERE uniqueName = ?', [q.uniqueName]);
      if (found.length && !opts.refill) {
        updated += (await tx.run(
          `UPDATE pq_table SET ${PQ_TABLE_LIMITS.map((c) => `${c} = ?`).join(', ')} WHERE queueName = ?`,
          [...limits, q.queueName],
        )).changes;
        continue;
      }
      const columns = ['uniqueName', 'queueName', 'siteName', 'resourceType', 'jobType', 'nNewWorkers', ...PQ_TABLE_LIMITS];
      inserted += (await tx.run(
        `${insertIgnore} INTO pq_table (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        [q.uniqueName, q.queueName, q.siteName, q.resourceType, q.jobType, q.nNewWorkers, ...limits],
      )).changes;
    }
    return { inserted, updated, deleted };
  });
}
