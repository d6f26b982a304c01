import type { SqlExecutor } from '../sql';
import { codec } from './codec';
import { insertRows, selectIn } from './sql-util';

const JW_CODEC = codec('jw_table', [], [], ['id', 'PandaID', 'workerID']);

export interface JobWorkerRelation {
  PandaID: number;
  workerID: number;
  relationType?: string | null;
}

/** Records which jobs a worker runs (jw_table). */
export async function insertRelations(sql: SqlExecutor, rels: readonly JobWorkerRelation[]): Promise<void> {
  await insertRows(sql, JW_CODEC, rels.map((r) => ({ PandaID: r.PandaID, workerID: r.workerID, relationType: r.relationType ?? null })), ['PandaID', 'workerID', 'relationType']);
}

/** workerID -> PandaIDs for the given workers. */
export async function jobsOfWorkers(sql: SqlExecutor, workerIDs: readonly number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(workerIDs.map((id) => [id, []]));
  for (const r of await selectIn(sql, 'jw_table', 'PandaID, workerID', 'workerID', workerIDs)) {
    out.get(Number(r.workerID))?.push(Number(r.PandaID));
  }
  return out;
}

/** PandaID -> workerIDs for the given jobs. */
export async function workersOfJobs(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(pandaIDs.map((id) => [id, []]));
  for (const r of await selectIn(sql, 'jw_table', 'PandaID, workerID', 'PandaID', pandaIDs)) {
    out.get(Number(r.PandaID))?.push(Number(r.workerID));
  }
  return out;
}
