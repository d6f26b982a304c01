import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { chunks, placeholders, selectIn } from './sql-util';

export interface SweptDeletion {
  workers: number;
  jobs: number;
}

async function deleteJobRows(tx: SqlExecutor, pandaIDs: readonly number[]): Promise<number> {
  let n = 0;
  for (const part of chunks(pandaIDs)) {
    const ph = placeholders(part.length);
    for (const t of ['file_table', 'event_table', 'jw_table']) await tx.run(`DELETE FROM ${t} WHERE PandaID IN (${ph})`, part);
    n += (await tx.run(`DELETE FROM job_table WHERE PandaID IN (${ph})`, part)).changes;
  }
  return n;
}

/**
 * Deletes swept workers (the original's delete_worker): their relations, the
 * worker rows, and each of their jobs that is done (reported final,
 * subStatus `done`) and has no other worker left, with its files and events.
 * A job still in flight (another OneToMany worker, not yet reported) stays.
 */
export async function deleteSweptWorkers(sql: SqlExecutor, workerIDs: readonly number[]): Promise<SweptDeletion> {
  if (workerIDs.length === 0) return { workers: 0, jobs: 0 };
  return sql.transaction(async (tx) => {
    const gone = new Set(workerIDs);
    const pandaIDs = [...new Set((await selectIn(tx, 'jw_table', 'PandaID', 'workerID', workerIDs)).map((r) => Number(r.PandaID)))];
    const keep = new Set<number>();
    for (const r of await selectIn(tx, 'jw_table r JOIN work_table w ON w.workerID = r.workerID', 'r.PandaID AS PandaID, r.workerID AS workerID', 'r.PandaID', pandaIDs)) {
      if (!gone.has(Number(r.workerID))) keep.add(Number(r.PandaID));
    }
    const done = (await selectIn(tx, 'job_table', 'PandaID', 'PandaID', pandaIDs, { sql: "subStatus = 'done'", params: [] }))
      .map((r) => Number(r.PandaID))
      .filter((id) => !keep.has(id));
    const jobs = await deleteJobRows(tx, done);
    let workers = 0;
    for (const part of chunks(workerIDs)) {
      const ph = placeholders(part.length);
      await tx.run(`DELETE FROM jw_table WHERE workerID IN (${ph})`, part);
      workers += (await tx.run(`DELETE FROM work_table WHERE workerID IN (${ph})`, part)).changes;
    }
    return { workers, jobs };
  });
}

/**
 * How often the orphan scan below runs, per database handle. The scans read
 * whole tables (file_table has ≥ 2 rows per job) and only find rows left by an
 * older version or deleted by hand — the deletions here take their files,
 * events and relations along — so once per sweeper cycle (1 s in
 * bench/e2e.ts) was ~10 ms of full scans per second at 20k jobs for nothing.
 */
export const ORPHAN_SCAN_INTERVAL_SEC = 600;
const lastOrphanScan = new WeakMap<SqlExecutor, number>();

/**
 * `done` jobs with nothing left to propagate, modified before ?1 or created
 * before ?2, as two index range scans instead of a walk over every `done` job
 * (migration 0003). sqlite's planner, without statistics, would take the
 * propagatorTime or subStatus equality over the time range, so the indexes
 * are named there; MariaDB's optimizer has statistics and picks them itself.
 */
const OLD_DONE_JOBS = {
  sqlite: `SELECT PandaID FROM job_table INDEXED BY idx_modificationTime_job_table
             WHERE modificationTime < ? AND subStatus = 'done' AND propagatorTime IS NULL
           UNION
           SELECT PandaID FROM job_table INDEXED BY idx_subStatus_creationTime_job_table
             WHERE subStatus = 'done' AND creationTime < ? AND propagatorTime IS NULL`,
  mariadb: `SELECT PandaID FROM job_table WHERE subStatus = 'done' AND propagatorTime IS NULL AND modificationTime < ?
           UNION
           SELECT PandaID FROM job_table WHERE subStatus = 'done' AND propagatorTime IS NULL AND creationTime < ?`,
} as const;

/**
 * The original's delete_old_jobs: jobs reported final (`done`, nothing left
 * to propagate) and untouched for `keepSec` — or created more than twice
 * that ago — with their files, events and relations; then (at most every
 * ORPHAN_SCAN_INTERVAL_SEC) rows orphaned by earlier deletions.
 */
export async function deleteOldJobs(sql: SqlExecutor, keepSec: number, now: Date = new Date()): Promise<number> {
  const ids = (await sql.all(OLD_DONE_JOBS[sql.dialect], [secondsBefore(now, keepSec), secondsBefore(now, 2 * keepSec)])).map((r) => Number(r.PandaID));
  const last = lastOrphanScan.get(sql);
  const scan = last === undefined || now.getTime() - last >= ORPHAN_SCAN_INTERVAL_SEC * 1000 || now.getTime() < last;
  if (ids.length === 0 && !scan) return 0;
  return sql.transaction(async (tx) => {
    const n = await deleteJobRows(tx, ids);
    if (!scan) return n;
    lastOrphanScan.set(sql, now.getTime());
    // Rows whose job is gone (deleted by an older version or by hand). A jw row
    // of a pull-mode worker names a job harvester never stored: it goes only
    // with its worker.
    for (const t of ['file_table', 'event_table']) {
      await tx.run(`DELETE FROM ${t} WHERE NOT EXISTS (SELECT 1 FROM job_table j WHERE j.PandaID = ${t}.PandaID)`);
    }
    await tx.run(`DELETE FROM jw_table WHERE NOT EXISTS (SELECT 1 FROM job_table j WHERE j.PandaID = jw_table.PandaID)
      AND NOT EXISTS (SELECT 1 FROM work_table w WHERE w.workerID = jw_table.workerID)`);
    return n;
  });
}
