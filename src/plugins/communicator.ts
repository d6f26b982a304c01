import type { EventRange, EventsRequest } from './messenger';
import type { Json, JsonObject, PerJob } from './types';

/** Result of a call that returns nothing but success (the original's `(ok, message)`). */
export interface CallResult {
  ok: boolean;
  diag: string;
}

/** `pilot/acquire_jobs` request (facts §8.1 get_jobs). */
export interface GetJobsRequest {
  siteName: string;
  node: string;
  prodSourceLabel: string;
  computingElement: string;
  nJobs: number;
  /** Extra criteria from the queue's `getJobCriteria` ("k=v,k2=v2" parsed). */
  additionalCriteria?: Record<string, string>;
}

/** A job dict as PanDA sends it (§8.3: PandaID, taskID, inFiles, outFiles, jobPars, ...). */
export type PandaJob = JsonObject & { PandaID: number };

export interface GetJobsResponse extends CallResult {
  jobs: PandaJob[];
}

/** One job's status report (`pilot/update_jobs_bulk`), built by the propagator from a JobSpec. */
export interface JobReport {
  PandaID: number;
  siteName: string;
  /** Reported status: the job status, `transferring` while outputs move, cancelled/missed sent as `failed`. */
  jobStatus: string;
  jobSubStatus?: string;
  attemptNr?: number | null;
  coreCount?: number | null;
  /** Job report (JSON). */
  metaData?: JsonObject | null;
  /** `{lfn: {guid, fsize, adler32}}` of finished outputs, as JSON text. */
  jobOutputReport?: string | null;
  /** Other payload attributes, camelCase as in the original (§8.1 mapping). */
  attributes?: JsonObject;
}

/** PanDA's answer for one reported job. */
export interface JobReportResult {
  ok: boolean;
  /** 0 = accepted; 999 = transport failure (the original's convention). */
  statusCode: number;
  /** E.g. `tobekilled`: the job must be killed. */
  command?: string;
  diag: string;
}

/** `job/get_status` answer for one job (propagator, noHeartbeat jobs). */
export interface JobStatusInfo {
  PandaID: number;
  status?: string;
  command?: string;
  diag: string;
}

/**
 * The worker record fields that mean the same in harvester's report and on
 * the wire of `harvester/update_workers` (§8.1); times, site and job ids
 * differ in type or name and are added by each side.
 */
export interface WorkerReportFields {
  workerID: number;
  batchID?: string | null;
  queueName?: string | null;
  status: string;
  nCore?: number | null;
  nodeID?: string | null;
  jobType?: string | null;
  resourceType?: string | null;
  nativeExitCode?: number | null;
  nativeStatus?: string | null;
  diagMessage?: string | null;
  nJobs?: number | null;
  computingElement?: string | null;
  syncLevel?: number | null;
  submissionHost?: string | null;
  harvesterHost?: string | null;
  errorCode?: number | null;
  minRamCount?: number | null;
  stdOut?: string | null;
  stdErr?: string | null;
  batchLog?: string | null;
  jdl?: string | null;
}

/** One worker's record for `harvester/update_workers` (§8.1). */
export interface WorkerReport extends WorkerReportFields {
  computingSite: string;
  submitTime?: Date | null;
  startTime?: Date | null;
  endTime?: Date | null;
  pandaIDs?: number[];
}

/** `{jobType: {resourceType: {running, submitted, finished, to_submit}}}` for one queue. */
export type WorkerStats = Record<string, Record<string, Record<string, number>>>;

/** A command from PanDA (`harvester/acquire_commands`). */
export interface PandaCommand {
  command_id: number;
  /** E.g. `KILL_WORKERS`, `SET_N_WORKERS_JOBTYPE:<site>`, `REPORT_WORKER_STATS:<site>`, `SYNC_WORKERS_KILL`. */
  command: string;
  params: Json;
  ack_requested: boolean;
}

export interface EventRangesResponse extends CallResult {
  /** Ranges per PandaID; jobs PanDA had none for are absent or empty. */
  ranges: PerJob<EventRange[]>;
}

/** One event range status for `event/update_event_ranges`. */
export interface EventRangeUpdate {
  eventRangeID: string;
  eventStatus: string;
  [field: string]: unknown;
}

export interface EventRangesUpdateResponse extends CallResult {
  statusCode: number;
  /** PanDA's per-range answers, in request order. */
  returns: Json[];
}

/** A dialog message from `diag_table` (`harvester/add_dialogs`). */
export interface DialogMessage {
  diagID: number;
  moduleName: string;
  identifier: string | null;
  creationTime: Date;
  messageLevel: string;
  diagMessage: string;
}

/** A service-metrics row (`harvester/update_service_metrics`). */
export interface ServiceMetrics {
  creationTime: Date;
  hostName: string;
  metrics: JsonObject;
}

/** `metaconfig/get_resource_types` entry. */
export interface ResourceType {
  resource_name: string;
  mincore: number | null;
  maxcore: number | null;
  minrampercore: number | null;
  maxrampercore: number | null;
}

/**
 * Talks to PanDA (facts §8.1): one instance per process, from the
 * `[communicator]` config section. Implementations: the PanDA HTTPS protocol
 * and the embedded WMS; `plugins/communicator/dummy` is an in-memory fake.
 *
 * Conventions: transport failures never throw — they come back as `ok: false`
 * with a diag (per item where the call is per item), so an agent can log them
 * with its rows' ids and carry on.
 */
export interface Communicator {
  /** Is the server reachable? (`system/is_alive`). */
  checkPanda(): Promise<CallResult>;

  /** Harvester heartbeat (`harvester/heartbeat`). Command manager, every 10 min and at start. */
  heartbeat(data: JsonObject): Promise<CallResult>;

  /** Fetches jobs for a queue (`pilot/acquire_jobs`). Job fetcher. */
  getJobs(request: GetJobsRequest): Promise<GetJobsResponse>;

  /** Reports job statuses (`pilot/update_jobs_bulk`). Propagator. One result per report, in order. */
  updateJobs(reports: readonly JobReport[]): Promise<JobReportResult[]>;

  /** Asks the status/commands of jobs harvester does not heartbeat (`job/get_status`). Propagator. One per id, in order. */
  checkJobs(pandaIDs: readonly number[]): Promise<JobStatusInfo[]>;

  /** Reports workers (`harvester/update_workers`). Propagator. One boolean per worker, in order. */
  updateWorkers(workers: readonly WorkerReport[]): Promise<boolean[]>;

  /** Worker counts for one queue (`harvester/report_worker_statistics`). Propagator. */
  updateWorkerStats(siteName: string, stats: WorkerStats): Promise<CallResult>;

  /** Up to `n` pending commands (`harvester/acquire_commands`). Command manager. */
  getCommands(n: number): Promise<PandaCommand[]>;

  /** Acknowledges processed commands (`harvester/acknowledge_commands`). Command manager. */
  ackCommands(commandIDs: readonly number[]): Promise<CallResult>;

  /** Event ranges for jobs (`event/acquire_event_ranges`). Event feeder. */
  getEventRanges(requests: PerJob<EventsRequest>, scattered: boolean): Promise<EventRangesResponse>;

  /** Event range statuses (`event/update_event_ranges`). Propagator. */
  updateEventRanges(updates: readonly EventRangeUpdate[]): Promise<EventRangesUpdateResponse>;

  /** Number of event ranges left for a job, null if unknown (`event/get_available_event_range_count`). Propagator. */
  checkEventAvailability(job: { PandaID: number; jobsetID: number | null; taskID: number | null }): Promise<number | null>;

  /** Ships dialog messages (`harvester/add_dialogs`). Propagator. */
  sendDialogs(dialogs: readonly DialogMessage[]): Promise<CallResult>;

  /** Ships service metrics (`harvester/update_service_metrics`). Propagator. */
  updateServiceMetrics(metrics: readonly ServiceMetrics[]): Promise<CallResult>;

  /** Uploads a log chunk to the PanDA cache (`file_server/upload_jedi_log`). Propagator. */
  uploadFile(remoteName: string, data: Buffer): Promise<CallResult>;

  /** Resource types (`metaconfig/get_resource_types`). Cacher (`panda_server:get_resource_types`). */
  getResourceTypes(): Promise<ResourceType[]>;

  /** `{site: {rtype: {label: {status: n}}}}` (`statistics/active_job_detailed_stats_by_site`). Cacher. */
  getJobStats(): Promise<JsonObject>;

  /** `{site: {harvester_id: ...}}` (`harvester/get_worker_statistics`). Cacher. */
  getWorkerStats(): Promise<JsonObject>;

  /** Highest workerID PanDA knows for this harvester (`harvester/get_current_worker_id`), null if unknown. */
  getMaxWorkerID(): Promise<number | null>;
}
