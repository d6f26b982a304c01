import type { WorkerSpec } from '../../plugins/types';
import type { SqlExecutor } from '../sql';
import { WORK_COLUMNS, type WorkColumn } from '../columns';
import { WORK_CODEC } from './codec';
import { idSet } from '../claim/engine';
import { chunks, insertRows, loadColumnsByKey, placeholders, selectDecodedIn } from './sql-util';

/** A worker row as stored, decoded. */
export type WorkerRow = WorkerSpec & {
  lockedBy?: string | null;
  modificationTime?: Date | null;
  lastUpdate?: Date | null;
  killTime?: Date | null;
  eventFeedTime?: Date | null;
  eventFeedLock?: string | null;
  checkTime?: Date | null;
};

/** Workers by workerID, in the order asked. */
export async function loadWorkers(sql: SqlExecutor, workerIDs: readonly number[]): Promise<WorkerRow[]> {
  if (workerIDs.length === 0) return [];
  const byId = new Map<number, WorkerRow>();
  for (const w of await selectDecodedIn<WorkerRow>(sql, WORK_CODEC, WORK_COLUMNS, 'workerID', workerIDs)) byId.set(w.workerID, w);
  return workerIDs.map((id) => byId.get(id)).filter((w): w is WorkerRow => w !== undefined);
}

/** Only `columns` of workers by workerID, in the order asked: see loadColumnsByKey. */
export function loadWorkerColumns<K extends WorkColumn & keyof WorkerRow>(
  sql: SqlExecutor, workerIDs: readonly number[], columns: readonly K[],
): Promise<Array<Pick<WorkerRow, K | 'workerID'>>> {
  return loadColumnsByKey<Pick<WorkerRow, K | 'workerID'>>(sql, WORK_CODEC, 'workerID', workerIDs, columns);
}

/** Inserts worker rows (the submitter inserts them as `pending` before the plugin call). */
export async function insertWorkers(sql: SqlExecutor, workers: ReadonlyArray<Partial<WorkerRow> & { workerID: number }>): Promise<void> {
  await insertRows(sql, WORK_CODEC, workers as ReadonlyArray<Record<string, unknown>>);
}

/** Deletes workers with their job-worker relations. */
export async function deleteWorkers(sql: SqlExecutor, workerIDs: readonly number[]): Promise<number> {
  let n = 0;
  await sql.transaction(async (tx) => {
    for (const part of chunks(workerIDs)) {
      const ph = idSet(tx, part);
      await tx.run(`DELETE FROM jw_table WHERE workerID IN ${ph.sql}`, ph.params);
      n += (await tx.run(`DELETE FROM work_table WHERE workerID IN ${ph.sql}`, ph.params)).changes;
    }
  });
  return n;
}

/** Counts of workers per computingSite and status (worker adjuster, progress lines, stats). */
export async function countWorkersBySiteAndStatus(sql: SqlExecutor, sites?: readonly string[]): Promise<Array<{ computingSite: string; status: string; n: number }>> {
  const where = sites?.length ? `WHERE computingSite IN (${placeholders(sites.length)})` : '';
  const rows = await sql.all(`SELECT computingSite, status, COUNT(*) AS n FROM work_table ${where} GROUP BY computingSite, status`, sites ? [...sites] : []);
  return rows.map((r) => ({ computingSite: String(r.computingSite), status: String(r.status), n: Number(r.n) }));
}
