import { secondsBefore } from '../../db/dates';
import type { JobRow } from '../../db/repo/jobs';
import type { MonitorJobWrite } from '../../db/repo/monitor-writes';
import type { ReportedOutputFile } from '../../plugins/messenger';
import type { FileSpec, FileStatus, HasOutFile, JsonObject, MapType, WorkerStatus } from '../../plugins/types';
import type { WorkerOutcome } from './assess';
import { aggregateJobState, isFinalWorkerStatus, jobStateFromWorker, type JobState } from './status-map';
import { effectivePilotError } from './worker-write';

/** The job columns the status derivation reads: all the monitor reads of a job at each check (see loadJobColumns). */
export const MONITOR_JOB_COLUMNS = [
  'PandaID', 'taskID', 'status', 'subStatus', 'startTime', 'endTime', 'jobAttributes', 'jobParamsExtForOutput', 'nCore', 'nWorkers', 'zipPerMB',
] as const;
export type MonitoredJob = Pick<JobRow, (typeof MONITOR_JOB_COLUMNS)[number]>;

export interface JobUpdateInput {
  job: MonitoredJob;
  /** Outcomes of the job's workers that this cycle writes. */
  outcomes: readonly WorkerOutcome[];
  /** Every worker of the job (jw_table), with the status to compare: written ones as they will be, others as stored. */
  allWorkerStatuses: readonly WorkerStatus[];
  /** Number of jobs on the (first) worker, to split its cores. */
  jobsOnWorker: number;
  mapType: MapType;
  now: Date;
}

/** Splits the payload's per-job attributes into jobAttributes, metaData and outputFilesToReport (the original's set_attributes). */
function payloadAttributes(outcomes: readonly WorkerOutcome[], pandaID: number): { attrs: JsonObject; metaData?: JsonObject; xml?: string } {
  const merged: JsonObject = {};
  for (const o of outcomes) Object.assign(merged, o.workAttributes[String(pandaID)] ?? {});
  const { metaData, xml, ...attrs } = merged;
  return {
    attrs,
    ...(metaData && typeof metaData === 'object' && !Array.isArray(metaData) ? { metaData } : {}),
    ...(typeof xml === 'string' ? { xml } : {}),
  };
}

function newFile(job: MonitoredJob, workerID: number, f: ReportedOutputFile): Omit<FileSpec, 'fileID'> {
  const zipping = job.zipPerMB !== null && job.zipPerMB !== undefined && !f.isZip;
  const status: FileStatus = f.fileType === 'checkpoint' ? 'renewed' : zipping ? 'pending' : 'defined';
  const ext = job.jobParamsExtForOutput?.[f.lfn];
  const scope = ext && typeof ext === 'object' && !Array.isArray(ext) && typeof ext.scope === 'string' ? ext.scope : null;
  return {
    PandaID: job.PandaID,
    taskID: job.taskID ?? null,
    lfn: f.lfn,
    status,
    fileType: f.fileType,
    path: f.path,
    fsize: f.fsize ?? null,
    chksum: f.chksum ?? null,
    eventRangeID: f.eventRangeID ?? null,
    isZip: f.isZip === undefined ? null : f.isZip ? 1 : 0,
    scope,
    workerID,
    fileAttributes: { ...(f.guid ? { guid: f.guid } : {}), ...(f.eventStatus ? { eventStatus: f.eventStatus } : {}) },
  };
}

/**
 * The job changes implied by its workers (the original's
 * update_job_attributes_with_workers, facts §5.1): status from the worker —
 * or the payload's own jobStatus, or for OneToMany from all workers —,
 * payload attributes, pilot errors of a failed worker, times, cores, and the
 * output files the payload reported (hasOutFile so the stager picks them up).
 */
export function jobUpdate(input: JobUpdateInput): MonitorJobWrite {
  const { job, outcomes, now } = input;
  const { attrs: payload, metaData, xml } = payloadAttributes(outcomes, job.PandaID);
  const first = outcomes[0];
  const manyWorkers = input.mapType === 'OneToMany' || input.allWorkerStatuses.length > 1;
  const state: JobState = manyWorkers
    ? aggregateJobState(input.allWorkerStatuses, job.status === 'running')
    : jobStateFromWorker(first.newStatus, payload);

  const set: MonitorJobWrite['set'] = {};
  const attrs: JsonObject = { ...(job.jobAttributes ?? {}), ...payload };
  if (first.worker.batchID && attrs.batchID === undefined) attrs.batchID = first.worker.batchID;
  if (state.status === 'failed' || state.status === 'cancelled') {
    const ended = outcomes.find((o) => o.newStatus === state.status) ?? first;
    const err = effectivePilotError(ended);
    if (err && attrs.pilotErrorCode === undefined) {
      attrs.pilotErrorCode = err.code;
      attrs.pilotErrorDiag = err.diag.slice(0, 256);
    }
  }
  if (JSON.stringify(attrs) !== JSON.stringify(job.jobAttributes ?? {})) set.jobAttributes = attrs;
  if (metaData) set.metaData = metaData;
  if (xml !== undefined) set.outputFilesToReport = xml;

  if (outcomes.some((o) => o.newStatus === 'running') && !job.startTime) set.startTime = now;
  if (state.status !== 'starting' && state.status !== 'running' && !job.endTime) set.endTime = now;

  if (manyWorkers) {
    const active = input.allWorkerStatuses.filter((s) => !isFinalWorkerStatus(s)).length;
    if (active !== job.nWorkers) set.nWorkers = active;
    if (active === 0) set.moreWorkers = 0;
  } else if (first.worker.nCore && (job.nCore === null || job.nCore === undefined)) {
    set.nCore = Math.max(1, Math.floor(first.worker.nCore / Math.max(1, input.jobsOnWorker)));
  }

  const files = outcomes.flatMap((o) => (o.files[String(job.PandaID)] ?? []).map((f) => newFile(job, o.worker.workerID, f)));
  const flag: HasOutFile | undefined = files.some((f) => f.status === 'defined') ? 1 : files.some((f) => f.status === 'pending') ? 2 : undefined;
  if (flag !== undefined) set.hasOutFile = flag;

  const stateChanged = state.status !== job.status || state.subStatus !== job.subStatus;
  if (stateChanged) {
    set.status = state.status;
    set.subStatus = state.subStatus;
    if (state.status !== job.status) set.stateChangeTime = now;
  }
  if (stateChanged || outcomes.some((o) => o.newStatus !== o.worker.status)) {
    // The propagator reports the job next cycle.
    set.propagatorTime = secondsBefore(now, 3600);
  }
  if (Object.keys(set).length > 0 || files.length > 0) set.modificationTime = now;
  return { PandaID: job.PandaID, expect: { status: job.status, subStatus: job.subStatus }, set, newFiles: files };
}
