import type { WorkerReportFields } from '../plugins/communicator';
import { toSqlDateTime } from '../db/dates';
import type { JsonObject, JsonValue } from './json';

/**
 * The PanDA server API v1 as Harvester uses it (facts §8.1): paths relative to
 * `server_api_url_ssl`, HTTP method, and the wire shapes of requests and replies.
 * Shared by the client and the embedded WMS so both sides speak the same thing.
 */
export const API_PATHS = {
  isAlive: 'system/is_alive',
  heartbeat: 'harvester/heartbeat',
  acquireJobs: 'pilot/acquire_jobs',
  updateJobsBulk: 'pilot/update_jobs_bulk',
  getJobStatus: 'job/get_status',
  acquireEventRanges: 'event/acquire_event_ranges',
  updateEventRanges: 'event/update_event_ranges',
  availableEventRangeCount: 'event/get_available_event_range_count',
  acquireCommands: 'harvester/acquire_commands',
  acknowledgeCommands: 'harvester/acknowledge_commands',
  updateWorkers: 'harvester/update_workers',
  reportWorkerStatistics: 'harvester/report_worker_statistics',
  getWorkerStatistics: 'harvester/get_worker_statistics',
  getCurrentWorkerId: 'harvester/get_current_worker_id',
  addDialogs: 'harvester/add_dialogs',
  updateServiceMetrics: 'harvester/update_service_metrics',
  getResourceTypes: 'metaconfig/get_resource_types',
  activeJobStatsBySite: 'statistics/active_job_stats_by_site',
  activeJobDetailedStatsBySite: 'statistics/active_job_detailed_stats_by_site',
  uploadJediLog: 'file_server/upload_jedi_log',
} as const;

export type ApiPathName = keyof typeof API_PATHS;

/** Every reply: HTTP 200 with this body. `success: false` = the server refused. */
export interface ApiReply<T = JsonValue> {
  success: boolean;
  message: string;
  data: T;
}

/** PanDA dispatcher status codes Harvester looks at. */
export const StatusCode = {
  OK: 0,
  /** No jobs available for the request (PanDA SC_NoJobs). */
  NO_JOBS: 20,
  FAILED: 30,
  INVALID: 50,
  /** Harvester's own code for "could not be delivered" (the original's 999). */
  NOT_DELIVERED: 999,
} as const;

/** A job as PanDA hands it out (facts §8.3); only PandaID is guaranteed. */
export type JobDict = { PandaID: number } & JsonObject;

/** POST pilot/acquire_jobs body. */
export interface AcquireJobsBody {
  site_name: string;
  node: string;
  prod_source_label: string;
  computing_element: string;
  n_jobs: number;
  scheduler_id: string;
  [criterion: string]: JsonValue;
}
export interface AcquireJobsData {
  StatusCode: number;
  jobs?: JobDict[];
  errorDialog?: string;
}

/** One entry of `job_list` in POST pilot/update_jobs_bulk. */
export interface JobUpdateWire {
  job_id: number;
  site_name?: string;
  job_status: string;
  job_sub_status?: string | null;
  attempt_nr?: number | null;
  core_count?: number | null;
  start_time?: string;
  end_time?: string;
  meta_data?: string;
  job_output_report?: string;
  [attribute: string]: JsonValue | undefined;
}
/** Per-job reply inside `data` of update_jobs_bulk. */
export interface JobUpdateReplyData {
  StatusCode: number;
  ErrorDiag?: string;
  /** `tobekilled` etc.: a command for the job (`NULL` when none). */
  command?: string;
  [k: string]: JsonValue | undefined;
}

/** Worker record of harvester/update_workers (facts §8.1): times as PanDA time strings, `pandaid_list`. */
export interface WorkerReportWire extends WorkerReportFields {
  computingSite?: string | null;
  submitTime?: string;
  startTime?: string;
  endTime?: string;
  pandaid_list?: number[];
  [k: string]: JsonValue | undefined;
}

/** One command of harvester/acquire_commands. */
export interface CommandWire {
  command_id: number;
  command: string;
  params: JsonValue;
  ack_requested: boolean;
  processed?: boolean | number;
}

/** Event range as PanDA hands it out. */
export interface EventRangeWire {
  eventRangeID: string;
  LFN?: string;
  GUID?: string;
  scope?: string;
  startEvent?: number;
  lastEvent?: number;
  [k: string]: JsonValue | undefined;
}

/** One event status report of event/update_event_ranges. */
export interface EventRangeUpdateWire {
  eventRangeID: string;
  eventStatus: string;
  [k: string]: JsonValue | undefined;
}

/** A dialog (diag_table row) as sent by harvester/add_dialogs. */
export interface DialogWire {
  diagID: number;
  moduleName: string;
  identifier?: string | null;
  creationTime: string;
  messageLevel: string;
  diagMessage: string;
}

/** `{jobType: {resourceType: {running, submitted, finished, to_submit}}}` (facts §8.1). */
export type WorkerStatsWire = Record<string, Record<string, Record<string, number>>>;

/** PanDA's text form of datetimes inside JSON (`datetime/2025-01-01 12:00:00.000000`). */
export function pandaDatetime(d: Date): string {
  return `datetime/${formatPandaTime(d, true)}`;
}

/** `YYYY-mm-dd HH:MM:SS[.ffffff]` in UTC, the format PanDA parses. */
export function formatPandaTime(d: Date, micro = false): string {
  const y = d.getUTCFullYear();
  if (y >= 1000 && y <= 9999) {
    // Same fields as the naive SQL text (cached, table-padded): every report carries a few of these.
    const text = toSqlDateTime(d);
    return micro ? `${text}000` : text.slice(0, 19);
  }
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return micro ? `${base}.${p(d.getUTCMilliseconds(), 3)}000` : base;
}
