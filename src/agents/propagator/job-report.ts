/**
 * What PanDA hears about a job (facts §5.1, §8.1): the status as the
 * original's `JobSpec.get_status()` reports it, and the update record.
 */
import type { JobRow } from '../../db/repo/jobs';
import type { JobReport } from '../../plugins/communicator';
import type { JobStatus, JsonObject } from '../../plugins/types';
import { formatPandaTime } from '../../upstream/protocol';

/** The job columns a report is built from: all the propagator reads of a job (see loadJobColumns). */
export const REPORT_JOB_COLUMNS = [
  'PandaID', 'computingSite', 'status', 'subStatus', 'pilotClosed', 'attemptNr', 'nCore', 'jobAttributes', 'startTime', 'endTime', 'metaData', 'outputFilesToReport',
] as const;
export type ReportedJob = Pick<JobRow, (typeof REPORT_JOB_COLUMNS)[number]>;

const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['finished', 'failed', 'cancelled', 'missed']);

export function isFinalJob(job: Pick<JobRow, 'status'>): boolean {
  return FINAL_JOB_STATUSES.has(job.status);
}

/**
 * The reported status: a final job whose outputs are still moving is
 * `transferring` (PanDA must not close it before its outputs are safe);
 * a killed job never waits for outputs.
 */
export function reportedStatus(job: Pick<JobRow, 'status' | 'subStatus'>): string {
  if (isFinalJob(job) && job.subStatus !== 'killed' && (job.subStatus === 'to_transfer' || job.subStatus === 'transferring')) return 'transferring';
  return job.status;
}

/** True once PanDA has heard the job's final word: nothing more will ever be sent. */
export function isFullyReported(job: Pick<JobRow, 'status' | 'subStatus'>): boolean {
  return isFinalJob(job) && reportedStatus(job) === job.status;
}

/**
 * The update for one job. Metadata and the output report go only with the
 * final status (as the original). cancelled/missed become `failed` on the wire
 * (wire-mapping), with `pilot_closed` as sub status when the pilot closed it.
 */
export function buildJobReport(job: ReportedJob): JobReport {
  const attributes: JsonObject = { ...(job.jobAttributes ?? {}) };
  if (job.startTime && attributes.startTime === undefined) attributes.startTime = formatPandaTime(job.startTime);
  if (job.endTime && attributes.endTime === undefined) attributes.endTime = formatPandaTime(job.endTime);
  const report: JobReport = {
    PandaID: job.PandaID,
    siteName: job.computingSite,
    jobStatus: reportedStatus(job),
    jobSubStatus: job.pilotClosed ? 'pilot_closed' : job.subStatus,
    attemptNr: job.attemptNr ?? null,
    coreCount: job.nCore ?? null,
    attributes,
  };
  if (isFullyReported(job)) {
    if (job.metaData) report.metaData = job.metaData;
    if (job.outputFilesToReport) report.jobOutputReport = job.outputFilesToReport;
  }
  return report;
}
