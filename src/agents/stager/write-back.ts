import { heldJobStates } from '../../db/claim/job-relock';
import { releaseJobsFromStager } from '../../db/claim/jobs-to-stage-out';
import type { JobColumn } from '../../db/columns';
import { secondsBefore } from '../../db/dates';
import { updateFiles } from '../../db/repo/files';
import type { JobRow } from '../../db/repo/jobs';
import { finishedOutputFiles, outputStatusCounts, setEventsOfFiles, setZipMembersStatus } from '../../db/repo/stage-out';
import type { SqlExecutor, SqlParam } from '../../db/sql';
import type { FileSpec, FileUpdate, JobSubStatus } from '../../plugins/types';
import { PILOT_ERRORS, withPilotError } from '../pilot-error';
import { nextStageOutState } from './job-state';
import { outputFilesToReport } from './output-report';
import { appendTo } from '../../collections';

/** A file change the stager writes: the plugin's fields plus the attempt counter. */
export type FileChange = FileUpdate & { attemptNr?: number };

/** What a pass produced for one job. */
export interface StagerWrite {
  job: JobRow;
  /**
   * False for `pending` answers and jobs not worked on: only the lock is
   * released. (The original left the lock in place, so such a job waited a
   * whole lockInterval instead of its check/trigger interval; we release it
   * and the claim time makes it due again after the pass's interval.)
   */
  decisive: boolean;
  /** File changes (status, path, attemptNr, ...), for the job's own loaded files. */
  files: FileChange[];
  /** Set when the plugin answered `failed`: the pilot error diag (STAGEOUTFAILED). */
  failure?: string;
}

export interface StagerWriteOutcome {
  written: number[];
  lost: number[];
  staged: number[];
  failed: number[];
}

/** Statuses whose change the events of the file (and of a zip's members) follow. */
const EVENT_STATUSES = new Set(['transferring', 'finished', 'failed']);

type JobSet = Partial<Record<JobColumn, SqlParam>>;

/**
 * Writes a pass's results and releases the jobs (`stagerLock = NULL`), only
 * for jobs this owner still holds — the original's `update_job_for_stage_out`
 * re-check, done for the whole batch in one transaction: ownership read under
 * lock first, then file, zip-member and event changes, then each job's
 * hasOutFile/subStatus from the file statuses now in the table.
 */
export async function writeStageOutResults(sql: SqlExecutor, owner: string, writes: readonly StagerWrite[], now: Date): Promise<StagerWriteOutcome> {
  const out: StagerWriteOutcome = { written: [], lost: [], staged: [], failed: [] };
  if (writes.length === 0) return out;
  return sql.transaction(async (tx) => {
    const held = await heldJobStates(tx, 'stager', owner, writes.map((w) => w.job.PandaID));
    const mine = writes.filter((w) => held.has(w.job.PandaID));
    out.lost = writes.filter((w) => !held.has(w.job.PandaID)).map((w) => w.job.PandaID);
    const decisive = mine.filter((w) => w.decisive);

    await writeFileChanges(tx, decisive, now);
    const counts = await outputStatusCounts(tx, decisive.map((w) => w.job.PandaID));
    const sets = new Map<number, JobSet>();
    for (const w of decisive) {
      const current = held.get(w.job.PandaID);
      const set = jobSet(w, (current?.subStatus ?? w.job.subStatus) as JobSubStatus, counts.get(w.job.PandaID) ?? new Map(), now);
      if (set.subStatus === 'staged') out.staged.push(w.job.PandaID);
      if (set.subStatus === 'failed_to_stage_out') out.failed.push(w.job.PandaID);
      sets.set(w.job.PandaID, set);
    }
    const staged = new Set(out.staged);
    await addReports(tx, decisive.filter((w) => staged.has(w.job.PandaID)), sets);

    const res = await releaseJobsFromStager(tx, owner, mine.map((w) => {
      const set = sets.get(w.job.PandaID);
      return set ? { id: w.job.PandaID, set } : { id: w.job.PandaID };
    }));
    out.written = res.released;
    out.lost.push(...res.lost);
    return out;
  });
}

async function writeFileChanges(tx: SqlExecutor, writes: readonly StagerWrite[], now: Date): Promise<void> {
  const rows: Array<{ fileID: number; set: Partial<Record<keyof FileSpec, unknown>> }> = [];
  const byStatus = new Map<string, number[]>();
  const zipsEnded: Array<{ fileID: number; status: string }> = [];
  for (const w of writes) {
    const loaded = new Map(w.job.outFiles.map((f) => [f.fileID, f]));
    for (const { fileID, ...set } of w.files) {
      rows.push({ fileID, set: { ...set, modificationTime: now } });
      if (set.status === undefined) continue;
      if (EVENT_STATUSES.has(set.status)) appendTo(byStatus, set.status, fileID);
      const f = loaded.get(fileID);
      const isZip = f?.fileType === 'zip_output' || f?.isZip === 1;
      if (isZip && (set.status === 'finished' || set.status === 'failed')) zipsEnded.push({ fileID, status: set.status });
    }
  }
  await updateFiles(tx, rows);
  for (const z of zipsEnded) await setZipMembersStatus(tx, z.fileID, z.status, now);
  for (const [status, ids] of byStatus) await setEventsOfFiles(tx, ids, status);
}

function jobSet(w: StagerWrite, subStatus: JobSubStatus, counts: ReadonlyMap<string, number>, now: Date): JobSet {
  const state = nextStageOutState(subStatus, counts);
  const set: JobSet = { hasOutFile: state.hasOutFile };
  if (state.subStatus) {
    set.subStatus = state.subStatus;
    set.stateChangeTime = now;
  }
  if (state.status) set.status = state.status;
  let attrs = w.job.jobAttributes ?? null;
  if (w.failure !== undefined) attrs = withPilotError(attrs, PILOT_ERRORS.STAGEOUTFAILED, w.failure);
  else if (state.status === 'failed' && attrs?.pilotErrorCode === undefined) {
    attrs = withPilotError(attrs, PILOT_ERRORS.STAGEOUTFAILED, 'stage-out failed for some output files');
  }
  if (attrs !== (w.job.jobAttributes ?? null)) set.jobAttributes = JSON.stringify(attrs);
  if (state.final || w.failure !== undefined) set.propagatorTime = secondsBefore(now, 3600);
  // Work waiting for the stager itself (zip, post-zip, trigger) is due at once;
  // transfers in flight keep the claim time and are checked after checkInterval.
  if (state.final || state.hasOutFile === 1 || state.hasOutFile === 2 || state.hasOutFile === 4) set.stagerTime = null;
  return set;
}

async function addReports(tx: SqlExecutor, staged: readonly StagerWrite[], sets: Map<number, JobSet>): Promise<void> {
  if (staged.length === 0) return;
  // Grouped once: a filter over every file per job was quadratic in the batch (500 jobs x 500 files).
  const byJob = new Map<number, FileSpec[]>();
  for (const f of await finishedOutputFiles(tx, staged.map((w) => w.job.PandaID))) appendTo(byJob, f.PandaID, f);
  for (const w of staged) {
    const set = sets.get(w.job.PandaID);
    if (set) set.outputFilesToReport = outputFilesToReport(byJob.get(w.job.PandaID) ?? [], w.job.jobParamsExtForLog);
  }
}
