/** A work_table row → the record `harvester/update_workers` carries (facts §8.1). */
import type { WorkerRow } from '../../db/repo/workers';
import type { WorkerReport } from '../../plugins/communicator';
import type { Json } from '../../plugins/types';

function text(v: Json | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * The worker columns a report is built from: all the propagator reads of a
 * worker (see loadWorkerColumns), about half of a row's columns and 3 of its
 * 10 timestamps.
 */
export const REPORT_WORKER_COLUMNS = [
  'workerID', 'batchID', 'queueName', 'status', 'computingSite', 'nCore', 'nodeID', 'submitTime', 'startTime', 'endTime', 'jobType',
  'resourceType', 'nativeExitCode', 'nativeStatus', 'errorCode', 'errorDiag', 'diagMessage', 'nJobs', 'computingElement', 'syncLevel',
  'submissionHost', 'harvesterHost', 'minRamCount', 'workAttributes',
] as const;
export type ReportedWorker = Pick<WorkerRow, (typeof REPORT_WORKER_COLUMNS)[number]>;

export function buildWorkerReport(w: ReportedWorker, pandaIDs: readonly number[]): WorkerReport {
  const attrs = w.workAttributes ?? {};
  return {
    workerID: w.workerID,
    batchID: w.batchID ?? null,
    queueName: w.queueName ?? null,
    status: w.status,
    computingSite: w.computingSite,
    nCore: w.nCore ?? null,
    nodeID: w.nodeID ?? null,
    submitTime: w.submitTime ?? null,
    startTime: w.startTime ?? null,
    endTime: w.endTime ?? null,
    jobType: w.jobType ?? null,
    resourceType: w.resourceType ?? null,
    nativeExitCode: w.nativeExitCode ?? null,
    nativeStatus: w.nativeStatus ?? null,
    // As the original: with an error code the error's own text is what PanDA shows.
    diagMessage: w.errorCode ? (w.errorDiag ?? w.diagMessage ?? null) : (w.diagMessage ?? null),
    nJobs: w.nJobs ?? pandaIDs.length,
    computingElement: w.computingElement ?? null,
    syncLevel: w.syncLevel ?? null,
    submissionHost: w.submissionHost ?? null,
    harvesterHost: w.harvesterHost ?? null,
    errorCode: w.errorCode ?? null,
    minRamCount: w.minRamCount ?? null,
    pandaIDs: [...pandaIDs],
    stdOut: text(attrs.stdOut),
    stdErr: text(attrs.stdErr),
    batchLog: text(attrs.batchLog),
    jdl: text(attrs.jdl),
  };
}
