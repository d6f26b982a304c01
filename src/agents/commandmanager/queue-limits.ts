/**
 * SET_N_WORKERS_JOBTYPE:<site> (facts §2.11, pilot streaming / UPS): PanDA
 * says how many new workers each job type × resource type of a site should
 * get. As the original's set_queue_limit: every pq_table row of the site is
 * reset to nNewWorkers = 0 first (an old value must not be repeated), then
 * each given pair is set, cloning a row of the site for a pair it lacks.
 */
import type { SqlExecutor } from '../../db/sql';
import type { Json } from '../../plugins/types';

export interface NewWorkersSetting {
  jobType: string;
  resourceType: string;
  nNewWorkers: number;
}

/** `{jobType: {resourceType: n}}` → settings; non-numbers are skipped. */
export function parseNewWorkers(params: Json): NewWorkersSetting[] {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return [];
  const out: NewWorkersSetting[] = [];
  for (const [jobType, byRt] of Object.entries(params)) {
    if (typeof byRt !== 'object' || byRt === null || Array.isArray(byRt)) continue;
    for (const [resourceType, n] of Object.entries(byRt)) {
      const v = Number(n);
      if (Number.isFinite(v) && v >= 0) out.push({ jobType, resourceType, nNewWorkers: Math.floor(v) });
    }
  }
  return out;
}

/** Applies the settings to the site's rows; returns the rows written (0 = unknown site). */
export async function setNewWorkers(sql: SqlExecutor, siteName: string, settings: readonly NewWorkersSetting[]): Promise<number> {
  const insert = sql.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  return sql.transaction(async (tx) => {
    const rows = await tx.all<Record<string, unknown>>('SELECT * FROM pq_table WHERE siteName = ? ORDER BY uniqueName', [siteName]);
    if (rows.length === 0) return 0;
    await tx.run('UPDATE pq_table SET nNewWorkers = 0 WHERE siteName = ?', [siteName]);
    let n = 0;
    for (const s of settings) {
      const upd = await tx.run('UPDATE pq_table SET nNewWorkers = ? WHERE siteName = ? AND jobType = ? AND resourceType = ?', [s.nNewWorkers, siteName, s.jobType, s.resourceType]);
      if (upd.changes > 0) {
        n += upd.changes;
        continue;
      }
      // Clone the site's first row (same queue and limits) for the new pair. The natural key
      // <queue>:<rtype>:<jobType> can be taken by the row keyed on the prodSourceLabel.
      const base = rows[0];
      const queueName = String(base.queueName);
      let uniqueName = `${queueName}:${s.resourceType}:${s.jobType}`;
      if ((await tx.all('SELECT uniqueName FROM pq_table WHERE uniqueName = ?', [uniqueName])).length) uniqueName = `${queueName}:${s.resourceType}:jobType=${s.jobType}`;
      const res = await tx.run(
        `${insert} INTO pq_table (uniqueName, queueName, siteName, jobType, resourceType, nNewWorkers, nQueueLimitJob, nQueueLimitWorker, maxWorkers,
           nQueueLimitJobRatio, nQueueLimitJobMax, nQueueLimitJobMin, nQueueLimitWorkerRatio, nQueueLimitWorkerMax, nQueueLimitWorkerMin)
         SELECT ?, queueName, siteName, ?, ?, ?, nQueueLimitJob, nQueueLimitWorker, maxWorkers,
           nQueueLimitJobRatio, nQueueLimitJobMax, nQueueLimitJobMin, nQueueLimitWorkerRatio, nQueueLimitWorkerMax, nQueueLimitWorkerMin
         FROM pq_table WHERE uniqueName = ?`,
        [uniqueName, s.jobType, s.resourceType, s.nNewWorkers, String(base.uniqueName)],
      );
      n += res.changes;
    }
    return n;
  });
}
