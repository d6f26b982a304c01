import type { FileSpec, JobStatus, JobSubStatus } from '../../plugins/types';
import { FINAL_WORKER_STATUSES } from '../claim/common';
import { idSet } from '../claim/engine';
import type { SqlExecutor, SqlParam } from '../sql';
import { bulkUpdate, type BulkRow } from './bulk-update';
import { FILE_CODEC, JOB_CODEC, WORK_CODEC } from './codec';
import type { JobRow } from './jobs';
import { insertRelations } from './relations';
import { chunks, insertRows, selectIn, selectRows } from './sql-util';
import type { WorkerRow } from './workers';

/** Changes to one worker row; written with `lockedBy = NULL`. */
export interface MonitorWorkerWrite {
  workerID: number;
  set: Partial<WorkerRow>;
}

/** Changes to one job row, plus output files the payload reported for it. */
export interface MonitorJobWrite {
  PandaID: number;
  /** The job state the changes were computed from: a job moved on by someone else meanwhile is left alone. */
  expect: { status: JobStatus; subStatus: JobSubStatus };
  set: Partial<JobRow>;
  /** New output/log files; ones whose lfn the job already has are skipped (the payload reports until acknowledged). */
  newFiles: ReadonlyArray<Omit<FileSpec, 'fileID'>>;
}

/** Everything one worker set (facts §2.5) writes: all of it, or nothing when a worker lock was lost. */
export interface MonitorSetWrite {
  workers: readonly MonitorWorkerWrite[];
  jobs: readonly MonitorJobWrite[];
  /** PandaIDs a pull-mode (NoJob) worker reported, recorded in jw_table if new. */
  relations: ReadonlyArray<{ workerID: number; PandaID: number }>;
}

export interface MonitorWriteResult {
  /** Index of each set that was written. */
  written: number[];
  /** Index of each set left unwritten because one of its workers is no longer ours (or turned final). */
  lost: number[];
  /** New file rows inserted. */
  files: number;
}

/**
 * The monitor's write-back (the original's `update_jobs_workers`), in one
 * transaction. A set is written only if every worker in it is still locked
 * by `owner` and not final — a thread whose lock was taken over (cycle longer
 * than lockInterval) writes nothing, not even the jobs, so it cannot
 * overwrite newer results. Workers of lost sets that are still ours are just
 * unlocked.
 */
export async function writeMonitorSets(sql: SqlExecutor, owner: string, sets: readonly MonitorSetWrite[]): Promise<MonitorWriteResult> {
  const allIDs = [...new Set(sets.flatMap((s) => s.workers.map((w) => w.workerID)))];
  if (allIDs.length === 0) return { written: [], lost: [], files: 0 };
  return sql.transaction(async (tx) => {
    const finals = FINAL_WORKER_STATUSES.map(() => '?').join(', ');
    const forUpdate = tx.dialect === 'mariadb' ? ' FOR UPDATE' : '';
    const owned = new Set<number>();
    for (const part of chunks(allIDs)) {
      const ids = idSet(tx, part);
      const rows = await selectRows(tx,
        `SELECT workerID FROM work_table WHERE workerID IN ${ids.sql} AND lockedBy = ? AND (status IS NULL OR status NOT IN (${finals}))${forUpdate}`,
        [...ids.params, owner, ...FINAL_WORKER_STATUSES], ['workerID'],
      );
      for (const r of rows) owned.add(Number(r.workerID));
    }
    const isOwned = (s: MonitorSetWrite): boolean => s.workers.every((w) => owned.has(w.workerID));

    const result: MonitorWriteResult = { written: [], lost: [], files: 0 };
    const toUnlock: number[] = [];
    // LFNs the jobs already have, so a report repeated before acknowledgement adds no duplicate row.
    const withFiles = sets.filter(isOwned).flatMap((s) => s.jobs.filter((j) => j.newFiles.length > 0).map((j) => j.PandaID));
    const knownLfns = new Set<string>();
    for (const r of await selectIn(tx, 'file_table', 'PandaID, lfn', 'PandaID', withFiles, { sql: "fileType <> 'input'", params: [] })) {
      knownLfns.add(`${String(r.PandaID)}\0${String(r.lfn)}`);
    }

    // Collected over all sets and written with a few batched statements (one
    // INSERT, one bulk UPDATE per column set) instead of one per row: the rows
    // of different sets are distinct, and within the transaction nothing else
    // writes in between, so the outcome is the same as set-by-set.
    const files: Array<Record<string, unknown>> = [];
    const jobRows: BulkRow[] = [];
    const workerRows: BulkRow[] = [];
    const relations: Array<{ workerID: number; PandaID: number }> = [];
    for (const [i, s] of sets.entries()) {
      if (!isOwned(s)) {
        result.lost.push(i);
        toUnlock.push(...s.workers.map((w) => w.workerID));
        continue;
      }
      for (const j of s.jobs) {
        for (const f of j.newFiles) {
          const key = `${j.PandaID}\0${f.lfn}`;
          if (knownLfns.has(key)) continue;
          knownLfns.add(key);
          files.push(f as Record<string, unknown>);
        }
        if (!Object.values(j.set).some((v) => v !== undefined)) continue;
        jobRows.push({ id: j.PandaID, set: j.set, expect: { status: j.expect.status, subStatus: j.expect.subStatus } });
      }
      for (const w of s.workers) workerRows.push({ id: w.workerID, set: w.set });
      relations.push(...s.relations);
      result.written.push(i);
    }
    await insertRows(tx, FILE_CODEC, files);
    result.files += files.length;
    await bulkUpdate(tx, JOB_CODEC, 'PandaID', jobRows);
    // lockedBy = owner re-checked in the statement, as before, on top of the check above.
    await bulkUpdate(tx, WORK_CODEC, 'workerID', workerRows, { constSet: { lockedBy: null }, where: { sql: 'lockedBy = ?', params: [owner] } });
    if (relations.length > 0) {
      const existing = new Set(
        (await selectIn(tx, 'jw_table', 'PandaID, workerID', 'workerID', [...new Set(relations.map((r) => r.workerID))]))
          .map((r) => `${String(r.workerID)}:${String(r.PandaID)}`),
      );
      const fresh = relations.filter((r) => {
        const key = `${r.workerID}:${r.PandaID}`;
        if (existing.has(key)) return false;
        existing.add(key);
        return true;
      });
      await insertRelations(tx, fresh);
    }
    if (toUnlock.length > 0) {
      const ids = idSet(tx, toUnlock);
      await tx.run(`UPDATE work_table SET lockedBy = NULL WHERE workerID IN ${ids.sql} AND lockedBy = ?`, [...ids.params, owner]);
    }
    return result;
  });
}

/** Unlocks workers this owner holds without writing anything else (deferred sets, unknown queues). */
export async function unlockMonitorWorkers(sql: SqlExecutor, owner: string, workerIDs: readonly number[], modificationTime?: Date): Promise<number> {
  if (workerIDs.length === 0) return 0;
  const ids = idSet(sql, workerIDs);
  const setTime = modificationTime ? ', modificationTime = ?' : '';
  const res = await sql.run(
    `UPDATE work_table SET lockedBy = NULL${setTime} WHERE workerID IN ${ids.sql} AND lockedBy = ?`,
    [...(modificationTime ? [modificationTime] : []), ...ids.params, owner],
  );
  return res.changes;
}
