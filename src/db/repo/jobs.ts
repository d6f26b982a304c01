import type { EventSpec, FileSpec, JobSpec } from '../../plugins/types';
import { EVENT_COLUMNS, FILE_COLUMNS, JOB_COLUMNS, type JobColumn } from '../columns';
import { noIndex, type SqlExecutor, type SqlParam } from '../sql';
import { EVENT_CODEC, FILE_CODEC, JOB_CODEC } from './codec';
import { idSet } from '../claim/engine';
import { chunks, insertRows, loadColumnsByKey, placeholders, selectDecodedIn } from './sql-util';

/** A job row as stored, decoded (lock columns included). */
export type JobRow = JobSpec & {
  lockedBy?: string | null;
  propagatorLock?: string | null;
  propagatorTime?: Date | null;
  preparatorTime?: Date | null;
  submitterTime?: Date | null;
  stagerLock?: string | null;
  stagerTime?: Date | null;
};

export interface LoadJobsOptions {
  /** Load file_table rows into inFiles/outFiles (default true). */
  files?: boolean;
  /** Only files of these statuses. */
  fileStatuses?: readonly string[];
  /** Load event_table rows (default false). */
  events?: boolean;
  /** Skip jobParams (the original's "slim" read) for agents that do not need it. */
  slim?: boolean;
}

const INPUT_TYPES = new Set(['input', 'aux_input']);

const SLIM_JOB_COLUMNS = JOB_COLUMNS.filter((c) => c !== 'jobParams');

/** Jobs by PandaID, in the order asked, with their files split into inFiles/outFiles. */
export async function loadJobs(sql: SqlExecutor, pandaIDs: readonly number[], opts: LoadJobsOptions = {}): Promise<JobRow[]> {
  if (pandaIDs.length === 0) return [];
  // Slim: jobParams (the whole PanDA job dict) is most of a row's bytes and JSON parsing; not even read.
  const rows = await selectDecodedIn<JobRow>(sql, JOB_CODEC, opts.slim ? SLIM_JOB_COLUMNS : JOB_COLUMNS, 'PandaID', pandaIDs);
  const byId = new Map<number, JobRow>();
  for (const job of rows) {
    if (opts.slim) job.jobParams = {};
    job.jobParams ??= {};
    job.inFiles = [];
    job.outFiles = [];
    byId.set(job.PandaID, job);
  }
  if (opts.files !== false) {
    const extra = opts.fileStatuses?.length
      ? { sql: `${noIndex(sql.dialect, 'status')} IN (${placeholders(opts.fileStatuses.length)})`, params: [...opts.fileStatuses] as SqlParam[] }
      : undefined;
    for (const file of await selectDecodedIn<FileSpec>(sql, FILE_CODEC, FILE_COLUMNS, 'PandaID', [...byId.keys()], extra)) {
      const job = byId.get(file.PandaID);
      if (!job) continue;
      (INPUT_TYPES.has(file.fileType) ? job.inFiles : job.outFiles).push(file);
    }
  }
  if (opts.events) {
    for (const ev of await selectDecodedIn<EventSpec & { id: number }>(sql, EVENT_CODEC, EVENT_COLUMNS, 'PandaID', [...byId.keys()])) {
      const job = byId.get(ev.PandaID);
      if (job) (job.events ??= []).push(ev);
    }
  }
  return pandaIDs.map((id) => byId.get(id)).filter((j): j is JobRow => j !== undefined);
}

/** Only `columns` of jobs by PandaID (no files), in the order asked: see loadColumnsByKey. */
export function loadJobColumns<K extends JobColumn>(
  sql: SqlExecutor, pandaIDs: readonly number[], columns: readonly K[],
): Promise<Array<Pick<JobRow, K | 'PandaID'>>> {
  return loadColumnsByKey<Pick<JobRow, K | 'PandaID'>>(sql, JOB_CODEC, 'PandaID', pandaIDs, columns);
}

/** What the job fetcher inserts: the job columns plus its files (fileID assigned by the DB). */
export type NewJob = Omit<JobSpec, 'inFiles' | 'outFiles' | 'events'> & {
  propagatorTime?: Date | null;
  files: Array<Omit<FileSpec, 'fileID' | 'PandaID'>>;
};

/**
 * Inserts fetched jobs and their files in one transaction. As the original's
 * insert_jobs, an existing row with the same PandaID (a job handed out again)
 * is replaced together with its files, events and relations.
 */
export async function insertJobs(sql: SqlExecutor, jobs: readonly NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await sql.transaction(async (tx) => {
    const ids = jobs.map((j) => j.PandaID);
    for (const part of chunks(ids)) {
      const ph = idSet(tx, part);
      for (const t of ['file_table', 'event_table', 'jw_table', 'job_table']) await tx.run(`DELETE FROM ${t} WHERE PandaID IN ${ph.sql}`, ph.params);
    }
    await insertRows(tx, JOB_CODEC, jobs.map(({ files: _files, ...row }) => row));
    const files = jobs.flatMap((j) => j.files.map((f) => ({ ...f, PandaID: j.PandaID })));
    await insertRows(tx, FILE_CODEC, files);
  });
}

/** Deletes jobs with their files, events and job-worker relations. */
export async function deleteJobs(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<number> {
  let n = 0;
  await sql.transaction(async (tx) => {
    for (const part of chunks(pandaIDs)) {
      const ph = idSet(tx, part);
      for (const t of ['file_table', 'event_table', 'jw_table']) await tx.run(`DELETE FROM ${t} WHERE PandaID IN ${ph.sql}`, ph.params);
      n += (await tx.run(`DELETE FROM job_table WHERE PandaID IN ${ph.sql}`, ph.params)).changes;
    }
  });
  return n;
}

/** Counts of local jobs per computingSite and status (job fetcher limits, progress lines). */
export async function countJobsBySiteAndStatus(sql: SqlExecutor, sites?: readonly string[]): Promise<Array<{ computingSite: string; status: string; n: number; cores: number }>> {
  const where = sites?.length ? `WHERE computingSite IN (${placeholders(sites.length)})` : '';
  const rows = await sql.all(
    `SELECT computingSite, status, COUNT(*) AS n, SUM(COALESCE(nCore, 1)) AS cores FROM job_table ${where} GROUP BY computingSite, status`,
    sites ? [...sites] : [],
  );
  return rows.map((r) => ({ computingSite: String(r.computingSite), status: String(r.status), n: Number(r.n), cores: Number(r.cores ?? 0) }));
}
