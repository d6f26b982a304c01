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
 * The original's delete_old_jobs: jobs reported final (`done`, nothing left
 * to propagate) and untouched for `keepSec` — or created more than twice
 * that ago — with their files, events and relations; then rows orphaned by
 * earlier deletions.
 */
export async function deleteOldJobs(sql: SqlExecutor, keepSec: number, now: Date = new Date()): Promise<number> {
  const ids = (await sql.all(
    "SELECT PandaID FROM job_table WHERE subStatus = 'done' AND propagatorTime IS NULL AND (modificationTime < ? OR creationTime < ?)",
    [secondsBefore(now, keepSec), secondsBefore(now, 2 * keepSec)],
  )).map((r) => Number(r.PandaID));
  return sql.transaction(async (tx) => {
    const n = await deleteJobRows(tx, ids);
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
