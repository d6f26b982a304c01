/**
 * Propagator writes and reads beyond the claim/release channel: files of
 * reported jobs, kill marks, retries of unsent workers, statistics, metrics.
 * Every write that touches a claimed row is owner-checked by the claim time.
 */
import { secondsBefore } from '../../db/dates';
import { idSet } from '../../db/claim/engine';
import { chunks } from '../../db/repo/sql-util';
import { noIndex, type SqlExecutor } from '../../db/sql';

/** Files of fully reported jobs may go (the sweeper deletes them): todelete = 1. */
export async function markFilesToDelete(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<void> {
  for (const part of chunks(pandaIDs)) {
    const ids = idSet(sql, part);
    await sql.run(`UPDATE file_table SET todelete = 1 WHERE PandaID IN ${ids.sql}`, ids.params);
  }
}

/** Workers of these jobs that have not ended, by PandaID (kill requests go to them). */
export async function liveWorkersOfJobs(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(pandaIDs.map((id) => [id, []]));
  for (const part of chunks(pandaIDs)) {
    const ids = idSet(sql, part);
    const rows = await sql.all<{ PandaID: number; workerID: number }>(
      `SELECT jw.PandaID, jw.workerID FROM jw_table jw JOIN work_table w ON w.workerID = jw.workerID
        WHERE jw.PandaID IN ${ids.sql} AND ${noIndex(sql.dialect, 'w.status')} NOT IN ('finished', 'failed', 'cancelled', 'missed')`,
      ids.params,
    );
    for (const r of rows) out.get(Number(r.PandaID))?.push(Number(r.workerID));
  }
  return out;
}

/**
 * Workers whose report did not get through (upstream unreachable): due again
 * at once (lastUpdate = now − 24 h, the original's trigger), so the first cycle
 * after the outage sends them. Only rows still carrying this claim's time:
 * a newer trigger or claim is left alone.
 */
export async function retriggerUnsentWorkers(sql: SqlExecutor, claimedAt: Date, workerIDs: readonly number[], now = new Date()): Promise<number> {
  let n = 0;
  for (const part of chunks(workerIDs)) {
    const ids = idSet(sql, part);
    const res = await sql.run(
      `UPDATE work_table SET lastUpdate = ? WHERE workerID IN ${ids.sql} AND lastUpdate = ?`,
      [secondsBefore(now, 86400), ...ids.params, claimedAt],
    );
    n += res.changes;
  }
  return n;
}

export interface WorkerCountRow {
  computingSite: string;
  jobType: string;
  resourceType: string;
  status: string;
  n: number;
}

/** Worker counts per queue, job type, resource type and status (for worker statistics). */
export async function countWorkersForStats(sql: SqlExecutor): Promise<WorkerCountRow[]> {
  const rows = await sql.all<{ computingSite: string; jobType: string | null; resourceType: string | null; status: string; n: number }>(
    `SELECT computingSite, jobType, resourceType, status, COUNT(*) AS n FROM work_table
      WHERE status IN ('submitted', 'ready', 'running', 'idle', 'finished') GROUP BY computingSite, jobType, resourceType, status`,
  );
  return rows.map((r) => ({
    computingSite: String(r.computingSite), jobType: r.jobType ?? 'ANY', resourceType: r.resourceType ?? 'ANY', status: String(r.status), n: Number(r.n),
  }));
}

/** nNewWorkers per queue, job type and resource type (PanDA's `to_submit` for slave queues). */
export async function newWorkersPerQueue(sql: SqlExecutor): Promise<Array<{ queueName: string; jobType: string; resourceType: string; nNewWorkers: number }>> {
  const rows = await sql.all<{ queueName: string; jobType: string | null; resourceType: string | null; nNewWorkers: number | null }>(
    'SELECT queueName, jobType, resourceType, nNewWorkers FROM pq_table WHERE queueName IS NOT NULL',
  );
  return rows.map((r) => ({ queueName: String(r.queueName), jobType: r.jobType ?? 'ANY', resourceType: r.resourceType ?? 'ANY', nNewWorkers: Number(r.nNewWorkers ?? 0) }));
}

export type ServiceMetricsRow = {
  creationTime: unknown;
  hostName: string | null;
  metrics: string | null;
};

/** sm_table rows written since `since` (the service monitor's samples). */
export async function serviceMetricsSince(sql: SqlExecutor, since: Date): Promise<ServiceMetricsRow[]> {
  return sql.all<ServiceMetricsRow>('SELECT creationTime, hostName, metrics FROM sm_table WHERE creationTime >= ? ORDER BY creationTime', [since]);
}

/** Service metrics older than a week are of no use to anyone (the original purged them at start). */
export async function purgeOldServiceMetrics(sql: SqlExecutor, now = new Date()): Promise<number> {
  return (await sql.run('DELETE FROM sm_table WHERE creationTime < ?', [secondsBefore(now, 7 * 86400)])).changes;
}
