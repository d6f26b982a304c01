/**
 * Seeding for monitor and sweeper tests: jobs, workers and their relations
 * written straight into the database the way the submitter leaves them, with
 * dummy batch IDs whose embedded submission time drives the dummy batch
 * system's clock, and the jobs fed to the queue's (dummy) messenger.
 */
import fs from 'node:fs';
import path from 'node:path';
import { queuePlugin } from '../../src/agents/monitor/queue-plugins';
import { insertJobs, type NewJob } from '../../src/db/repo/jobs';
import { insertRelations } from '../../src/db/repo/relations';
import { insertWorkers, loadWorkers, type WorkerRow } from '../../src/db/repo/workers';
import { loadJobs, type JobRow } from '../../src/db/repo/jobs';
import type { JobStatus, JobSubStatus, MapType, WorkerStatus } from '../../src/plugins/types';
import type { AgentTestEnv } from './agent-context';

export interface SeedJob {
  PandaID: number;
  status?: JobStatus;
  subStatus?: JobSubStatus;
  /** Output LFNs the dummy messenger reports once the worker ended (the log file included). */
  outFiles?: string[];
  logFile?: string;
  propagatorTime?: Date | null;
  modificationTime?: Date;
}

export interface SeedWorker {
  workerID: number;
  queue: string;
  status?: WorkerStatus;
  /** When the dummy batch system got it (its clock starts here). @defaultValue now */
  batchSubmittedAt?: Date;
  submitTime?: Date;
  checkTime?: Date | null;
  mapType?: MapType;
  /** PandaIDs bound to it (jw_table); they are also fed to the messenger. */
  jobs?: number[];
  accessPoint?: boolean;
  extra?: Partial<WorkerRow>;
}

const ago = (sec: number): Date => new Date(Date.now() - sec * 1000);
export { ago };

export async function seedJobs(env: AgentTestEnv, queue: string, jobs: readonly SeedJob[]): Promise<void> {
  const configID = env.mapper.getQueue(queue)?.configID ?? null;
  const rows: NewJob[] = jobs.map((j) => ({
    PandaID: j.PandaID,
    taskID: 1,
    status: j.status ?? 'starting',
    subStatus: j.subStatus ?? 'submitted',
    computingSite: queue,
    creationTime: ago(60),
    modificationTime: j.modificationTime ?? ago(60),
    configID,
    jobParams: {
      PandaID: j.PandaID,
      outFiles: [...(j.outFiles ?? []), ...(j.logFile ? [j.logFile] : [])].join(','),
      ...(j.logFile ? { logFile: j.logFile } : {}),
    },
    propagatorTime: j.propagatorTime ?? null,
    files: [],
  }));
  await insertJobs(env.db.sql, rows);
}

/** Inserts workers as the submitter leaves them and feeds their jobs to the queue's messenger. */
export async function seedWorkers(env: AgentTestEnv, workers: readonly SeedWorker[]): Promise<void> {
  let n = 0;
  for (const w of workers) {
    const qc = env.mapper.getQueue(w.queue);
    if (!qc) throw new Error(`seedWorkers: queue ${w.queue} not in the test queue config`);
    const batchAt = (w.batchSubmittedAt ?? new Date()).getTime();
    n += 1;
    const accessPoint = w.accessPoint ? path.join(env.dir, 'workers', String(w.workerID)) : null;
    const row: Partial<WorkerRow> & { workerID: number } = {
      workerID: w.workerID,
      batchID: `dummy-${batchAt}-${w.workerID}-${process.pid}.${n}`,
      mapType: w.mapType ?? qc.mapType,
      status: w.status ?? 'submitted',
      hasJob: (w.jobs ?? []).length > 0 ? 1 : 0,
      computingSite: w.queue,
      creationTime: ago(120),
      submitTime: w.submitTime ?? new Date(batchAt),
      modificationTime: ago(3600),
      checkTime: w.checkTime === undefined ? new Date(batchAt) : w.checkTime,
      configID: qc.configID,
      nCore: 1,
      accessPoint,
      ...w.extra,
    };
    await insertWorkers(env.db.sql, [row]);
    await insertRelations(env.db.sql, (w.jobs ?? []).map((PandaID) => ({ PandaID, workerID: w.workerID })));
    const messenger = await queuePlugin(env.services, qc, 'messenger');
    const [stored] = await loadWorkers(env.db.sql, [w.workerID]);
    if (accessPoint) await messenger.setupAccessPoints([stored]);
    if (w.jobs?.length) await messenger.feedJobs(stored, await loadJobs(env.db.sql, w.jobs));
  }
}

export async function workerRow(env: AgentTestEnv, workerID: number): Promise<WorkerRow> {
  const [w] = await loadWorkers(env.db.sql, [workerID]);
  if (!w) throw new Error(`worker ${workerID} not found`);
  return w;
}

export async function jobRow(env: AgentTestEnv, pandaID: number): Promise<JobRow> {
  const [j] = await loadJobs(env.db.sql, [pandaID]);
  if (!j) throw new Error(`job ${pandaID} not found`);
  return j;
}

/** Moves a worker's submission in the dummy batch system (its batchID carries the time) `secondsAgo` into the past. */
export async function setBatchClock(env: AgentTestEnv, workerID: number, secondsAgo: number): Promise<void> {
  const w = await workerRow(env, workerID);
  const batchID = String(w.batchID).replace(/^dummy-\d+-/, `dummy-${Date.now() - secondsAgo * 1000}-`);
  await env.db.sql.run('UPDATE work_table SET batchID = ? WHERE workerID = ?', [batchID, workerID]);
}

/** Forces a worker's status in the dummy batch system (`status.txt` in its access point). */
export function forceBatchStatus(w: WorkerRow, status: WorkerStatus): void {
  if (!w.accessPoint) throw new Error(`worker ${w.workerID} has no access point`);
  fs.writeFileSync(path.join(w.accessPoint, 'status.txt'), status);
}

export async function count(env: AgentTestEnv, table: string, where: string, params: Array<string | number> = []): Promise<number> {
  const rows = await env.db.sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(rows[0].n);
}
