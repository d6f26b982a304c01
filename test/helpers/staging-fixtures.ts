/**
 * Seeding and inspection for the preparator and stager tests: jobs with
 * their input/output files written straight into job_table/file_table the
 * way the job fetcher and the monitor leave them, a settable clock, and the
 * cached plugin instances the agents use (to spy on their calls).
 */
import { queuePlugin } from '../../src/agents/queue-plugin';
import { insertJobs, type NewJob } from '../../src/db/repo/jobs';
import { decodeRow, FILE_CODEC, JOB_CODEC } from '../../src/db/repo/codec';
import type { JobRow } from '../../src/db/repo/jobs';
import type { PluginCategory, PluginTypes } from '../../src/plugins/categories';
import type { FileSpec, FileStatus, FileType, HasOutFile, JobStatus, JobSubStatus, JsonObject } from '../../src/plugins/types';
import type { AgentTestEnv } from './agent-context';

/** A clock the agents read (`new Preparator({ clock })`); tests step it over intervals. */
export class TestClock {
  private t = Date.now();
  readonly now = (): Date => new Date(this.t);
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface SeedFile {
  lfn: string;
  status: FileStatus;
  fileType?: FileType;
  scope?: string;
  fsize?: number;
  chksum?: string;
  url?: string;
  endpoint?: string;
  eventRangeID?: string;
  fileAttributes?: JsonObject;
  /** Index (in this list) of the zip file this one is packed into. */
  zipIndex?: number;
}

export interface SeedStagingJob {
  PandaID: number;
  queue: string;
  status?: JobStatus;
  subStatus: JobSubStatus;
  hasOutFile?: HasOutFile;
  auxInput?: number | null;
  jobParams?: JsonObject;
  jobParamsExtForLog?: JsonObject;
  /** The job's zip size (MB) for the zip pass; unset = the queue's or 0. */
  zipPerMB?: number;
  files: SeedFile[];
}

/** Inserts the jobs (unlocked, never looked at) and their files; zip members get their zip's fileID. */
export async function seedStagingJobs(env: AgentTestEnv, jobs: readonly SeedStagingJob[]): Promise<void> {
  const rows: NewJob[] = jobs.map((j) => ({
    PandaID: j.PandaID,
    taskID: 1,
    status: j.status ?? 'starting',
    subStatus: j.subStatus,
    computingSite: j.queue,
    configID: env.mapper.getQueue(j.queue)?.configID ?? null,
    creationTime: new Date(),
    modificationTime: new Date(),
    hasOutFile: j.hasOutFile ?? null,
    auxInput: j.auxInput ?? null,
    jobParams: j.jobParams ?? { PandaID: j.PandaID },
    ...(j.jobParamsExtForLog ? { jobParamsExtForLog: j.jobParamsExtForLog } : {}),
    ...(j.zipPerMB !== undefined ? { zipPerMB: j.zipPerMB } : {}),
    files: j.files.map((f) => ({
      lfn: f.lfn,
      status: f.status,
      fileType: f.fileType ?? 'input',
      scope: f.scope ?? 'mc23',
      fsize: f.fsize ?? 1000,
      chksum: f.chksum ?? null,
      url: f.url ?? null,
      endpoint: f.endpoint ?? 'SITE_DATADISK',
      eventRangeID: f.eventRangeID ?? null,
      fileAttributes: f.fileAttributes ?? null,
      isZip: f.fileType === 'zip_output' ? 1 : null,
      attemptNr: 0,
      todelete: 0,
    })),
  }));
  await insertJobs(env.db.sql, rows);
  // Zip membership needs the zip's fileID, known only after the insert.
  for (const j of jobs) {
    const files = await filesOf(env, j.PandaID);
    for (const [i, f] of j.files.entries()) {
      if (f.zipIndex === undefined) continue;
      await env.db.sql.run('UPDATE file_table SET zipFileID = ? WHERE fileID = ?', [files[f.zipIndex].fileID, files[i].fileID]);
    }
  }
}

/** The job row as stored (lock columns included). */
export async function jobRow(env: AgentTestEnv, pandaID: number): Promise<JobRow> {
  const [r] = await env.db.sql.all('SELECT * FROM job_table WHERE PandaID = ?', [pandaID]);
  if (!r) throw new Error(`job ${pandaID} not in job_table`);
  return decodeRow<JobRow>(JOB_CODEC, r);
}

/** The job's files in insertion (fileID) order. */
export async function filesOf(env: AgentTestEnv, pandaID: number): Promise<FileSpec[]> {
  const rows = await env.db.sql.all('SELECT * FROM file_table WHERE PandaID = ? ORDER BY fileID', [pandaID]);
  return rows.map((r) => decodeRow<FileSpec>(FILE_CODEC, r));
}

/** The cached plugin instance the agents get for this queue section (spy on it with vi.spyOn). */
export async function pluginOf<C extends PluginCategory>(env: AgentTestEnv, agent: string, queue: string, category: C, section: string): Promise<PluginTypes[C]> {
  const q = env.mapper.getQueue(queue);
  if (!q) throw new Error(`queue ${queue} not loaded`);
  return queuePlugin(env.context(agent), q, category, section);
}
