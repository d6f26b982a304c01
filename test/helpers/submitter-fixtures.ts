/**
 * Shared by the submitter tests (in-process and child processes): seeding
 * prepared jobs and reading back workers, jobs and relations.
 */
import { insertJobs, type NewJob } from '../../src/db/repo/jobs';
import type { SqlExecutor } from '../../src/db/sql';

export interface SeedJob {
  PandaID: number;
  taskID?: number;
  currentPriority?: number;
  jobParams?: Record<string, string | number | boolean>;
}

/** Jobs as the preparator leaves them: starting/prepared, ready for a worker. */
export async function seedPreparedJobs(sql: SqlExecutor, queue: string, jobs: ReadonlyArray<SeedJob | number>): Promise<number[]> {
  const now = new Date();
  const rows: NewJob[] = jobs.map((j) => {
    const s = typeof j === 'number' ? { PandaID: j } : j;
    return {
      PandaID: s.PandaID, taskID: s.taskID ?? 1, currentPriority: s.currentPriority ?? 100, status: 'starting', subStatus: 'prepared',
      computingSite: queue, nCore: 1, creationTime: now, modificationTime: now, jobParams: { coreCount: 1, ...(s.jobParams ?? {}) }, files: [],
    };
  });
  await insertJobs(sql, rows);
  return rows.map((r) => r.PandaID);
}

export interface WorkerView {
  workerID: number;
  status: string;
  computingSite: string;
  batchID: string | null;
  hasJob: number;
  nJobs: number | null;
  lastUpdate: unknown;
  accessPoint: string | null;
}

export async function workersOf(sql: SqlExecutor, queue?: string): Promise<WorkerView[]> {
  const rows = await sql.all(
    `SELECT workerID, status, computingSite, batchID, hasJob, nJobs, lastUpdate, accessPoint FROM work_table ${queue ? 'WHERE computingSite = ?' : ''} ORDER BY workerID`,
    queue ? [queue] : [],
  );
  return rows.map((r) => ({
    workerID: Number(r.workerID), status: String(r.status), computingSite: String(r.computingSite), batchID: r.batchID === null ? null : String(r.batchID),
    hasJob: Number(r.hasJob), nJobs: r.nJobs === null ? null : Number(r.nJobs), lastUpdate: r.lastUpdate, accessPoint: r.accessPoint === null ? null : String(r.accessPoint),
  }));
}

export interface JobView {
  PandaID: number;
  taskID: number | null;
  status: string;
  subStatus: string;
  lockedBy: string | null;
  nWorkers: number;
  nWorkersInTotal: number;
  submissionAttempts: number;
  propagatorTime: unknown;
  jobAttributes: string | null;
}

export async function jobsOf(sql: SqlExecutor): Promise<Map<number, JobView>> {
  const rows = await sql.all('SELECT PandaID, taskID, status, subStatus, lockedBy, nWorkers, nWorkersInTotal, submissionAttempts, propagatorTime, jobAttributes FROM job_table');
  return new Map(rows.map((r) => [Number(r.PandaID), {
    PandaID: Number(r.PandaID), taskID: r.taskID === null ? null : Number(r.taskID), status: String(r.status), subStatus: String(r.subStatus),
    lockedBy: r.lockedBy === null ? null : String(r.lockedBy), nWorkers: Number(r.nWorkers ?? 0), nWorkersInTotal: Number(r.nWorkersInTotal ?? 0),
    submissionAttempts: Number(r.submissionAttempts ?? 0), propagatorTime: r.propagatorTime, jobAttributes: r.jobAttributes === null ? null : String(r.jobAttributes),
  }]));
}

/** workerID → PandaIDs from jw_table. */
export async function relationsOf(sql: SqlExecutor): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const r of await sql.all('SELECT PandaID, workerID FROM jw_table ORDER BY PandaID')) {
    const w = Number(r.workerID);
    out.set(w, [...(out.get(w) ?? []), Number(r.PandaID)]);
  }
  return out;
}

/** Workers that are not final (what counts against nQueueLimitWorker/maxWorkers). */
export async function countActiveWorkers(sql: SqlExecutor, queue: string): Promise<number> {
  const rows = await sql.all<{ n: number | string }>(
    "SELECT COUNT(*) AS n FROM work_table WHERE computingSite = ? AND status NOT IN ('finished', 'failed', 'cancelled', 'missed')", [queue],
  );
  return Number(rows[0].n);
}
