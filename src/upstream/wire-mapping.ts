import type { DialogMessage, JobReport, ServiceMetrics, WorkerReport } from '../plugins/communicator';
import { mapJobAttributes } from './job-attributes';
import type { JsonObject, JsonValue } from './json';
import { type DialogWire, formatPandaTime, type JobUpdateWire, pandaDatetime, type WorkerReportWire } from './protocol';

/**
 * Communicator objects → wire shapes of API v1 (facts §8.1). Kept apart from the
 * transport so the mapping can be tested without a server.
 */

/** One job report → `job_list` entry. PanDA accepts only `failed` for cancelled/missed jobs (facts §5.1). */
export function jobReportToWire(r: JobReport): JobUpdateWire {
  // Attributes first, written straight into the record (no intermediate object to spread), then the fixed fields over them.
  const w = mapJobAttributes(r.attributes as Readonly<Record<string, JsonValue>> | undefined) as JobUpdateWire;
  w.job_id = r.PandaID;
  w.site_name = r.siteName;
  w.job_status = r.jobStatus;
  w.job_sub_status = r.jobSubStatus ?? null;
  w.attempt_nr = r.attemptNr ?? null;
  if (w.job_status === 'cancelled' || w.job_status === 'missed') {
    w.job_sub_status = r.jobSubStatus === 'pilot_closed' ? 'pilot_closed' : w.job_status;
    w.job_status = 'failed';
  }
  if ((w.core_count === undefined || w.core_count === null) && r.coreCount !== undefined && r.coreCount !== null) w.core_count = r.coreCount;
  if (r.metaData !== undefined && r.metaData !== null) w.meta_data = JSON.stringify(r.metaData);
  if (r.jobOutputReport) w.job_output_report = r.jobOutputReport;
  return w;
}

/** Worker → `workers` entry: datetimes as `datetime/…`, jdl only when set (as the original). */
export function workerReportToWire(w: WorkerReport): WorkerReportWire {
  const { submitTime, startTime, endTime, pandaIDs, jdl, ...rest } = w;
  const out: WorkerReportWire = { ...rest };
  if (submitTime) out.submitTime = pandaDatetime(submitTime);
  if (startTime) out.startTime = pandaDatetime(startTime);
  if (endTime) out.endTime = pandaDatetime(endTime);
  if (pandaIDs) out.pandaid_list = [...pandaIDs];
  if (jdl !== undefined && jdl !== null) out.jdl = jdl;
  return out;
}

export function dialogToWire(d: DialogMessage): DialogWire {
  return {
    diagID: d.diagID, moduleName: d.moduleName, identifier: d.identifier,
    creationTime: formatPandaTime(d.creationTime, true), messageLevel: d.messageLevel, diagMessage: d.diagMessage,
  };
}

export function serviceMetricsToWire(m: ServiceMetrics): JsonValue {
  return [formatPandaTime(m.creationTime, true), m.hostName, JSON.stringify(m.metrics as JsonObject)];
}
