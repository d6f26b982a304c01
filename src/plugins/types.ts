/**
 * The data shapes plugins see: plain typed objects with the Python original's
 * field names (facts §4, §5), so a site porting a plugin finds `PandaID`,
 * `batchID`, `accessPoint`, `jobParams` where it expects them.
 *
 * Plugins receive specs and return typed results that carry their changes
 * (`WorkerUpdate`, `FileUpdate`); the agent writes those back under its lock.
 * Plugins must not rely on mutating their inputs: the agent may pass copies.
 *
 * Lock columns (`lockedBy`, `propagatorLock`, `stagerTime`, ...) are the
 * database's business and deliberately absent here.
 */

// ---------------------------------------------------------------- statuses (§5)

/** Job `status` (§5.1). `transferring` exists only as a reported status. */
export type JobStatus = 'starting' | 'running' | 'finished' | 'failed' | 'cancelled' | 'missed';

/** Job `subStatus` (§5.1): the fine-grained position in the job's life. */
export type JobSubStatus =
  | 'fetched' | 'preparing' | 'prepared' | 'submitted' | 'queued' | 'ready' | 'running' | 'idle'
  | 'to_transfer' | 'transferring' | 'staged' | 'done'
  | 'failed_to_prepare' | 'failed_to_make' | 'failed_to_stage_out' | 'killed' | 'missed'
  | 'finished' | 'failed' | 'cancelled';

/**
 * Worker `status` (§5.2). `pending` marks a row inserted just before the submit
 * call (crash safety); a monitor can never return it — see {@link MonitorStatus}.
 */
export type WorkerStatus =
  | 'pending' | 'submitted' | 'ready' | 'running' | 'idle' | 'finished' | 'failed' | 'cancelled' | 'missed';

/** What a monitor may report: the original's ST_LIST (every worker status but `pending`). */
export type MonitorStatus = Exclude<WorkerStatus, 'pending'>;

/** Worker statuses after which nothing changes any more. */
export const FINAL_WORKER_STATUSES: readonly WorkerStatus[] = ['finished', 'failed', 'cancelled', 'missed'];

/** All statuses a monitor may return, for validation (the original dropped a whole cycle on an unknown one). */
export const MONITOR_STATUSES: readonly MonitorStatus[] = [
  'submitted', 'ready', 'running', 'idle', 'finished', 'failed', 'cancelled', 'missed',
];

/** File `status` (§5.3): input, output, zip and checkpoint life cycles share one column. */
export type FileStatus =
  | 'to_prepare' | 'triggered' | 'preparing' | 'ready'
  | 'defined' | 'pending' | 'zipped' | 'zipping' | 'post_zipping' | 'transferring'
  | 'finished' | 'failed' | 'done' | 'renewed';

/** File `fileType` (§4 file_table). */
export type FileType = 'input' | 'aux_input' | 'output' | 'log' | 'es_output' | 'zip_output' | 'checkpoint';

/** Event `eventStatus` as the payload reports it (§5.4). */
export type EventStatus = 'running' | 'finished' | 'failed' | 'fatal' | 'cancelled' | 'discarded' | 'corrupted';

/** Event `subStatus` (§5.4): finished/done/failed are final. */
export type EventSubStatus = 'running' | 'transferring' | 'finished' | 'failed' | 'done';

/** How jobs map to workers (§5.5). */
export type MapType = 'NoJob' | 'OneToOne' | 'ManyToOne' | 'OneToMany';

/** Pilot types the worker adjuster distinguishes (§2.4). */
export type PilotType = 'PR' | 'RC' | 'ALRB' | 'PT' | 'ANY';

/** `hasOutFile` flag values (§5.5): 0 none, 1 hasOutput, 2 hasZipOutput, 3 hasTransfer, 4 hasPostZipOutput. */
export type HasOutFile = 0 | 1 | 2 | 3 | 4;

/** `eventsRequest` flag values (§5.5): 0 noEvents, 1 useEvents, 2 requestEvents. */
export type EventsRequestFlag = 0 | 1 | 2;

/** A value that came from JSON (job dicts from PanDA, blobs in the database). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A JSON object, e.g. a job dict from PanDA or a `workAttributes` blob. */
export type JsonObject = { [key: string]: Json };

/**
 * Values keyed by PandaID. Keys are decimal strings because these objects
 * travel as JSON (messenger files, event requests).
 */
export type PerJob<T> = Record<string, T>;

// ---------------------------------------------------------------- specs

/** One row of `file_table` (§4) as plugins see it. */
export interface FileSpec {
  fileID: number;
  PandaID: number;
  taskID?: number | null;
  lfn: string;
  status: FileStatus;
  fileType: FileType;
  scope?: string | null;
  fsize?: number | null;
  /** Checksum with its kind prefix: `ad:<adler32>` or `md:<md5>`. */
  chksum?: string | null;
  path?: string | null;
  url?: string | null;
  endpoint?: string | null;
  eventRangeID?: string | null;
  modificationTime?: Date | null;
  fileAttributes?: JsonObject | null;
  isZip?: number | null;
  zipFileID?: number | null;
  objstoreID?: number | null;
  groupID?: string | null;
  groupStatus?: string | null;
  groupUpdateTime?: Date | null;
  attemptNr?: number;
  todelete?: number;
  pathConvention?: number | null;
  provenanceID?: string | null;
  workerID?: number | null;
  /** For zip files: the member files packed into this one (zipper input). */
  associatedFiles?: FileSpec[];
}

/** One row of `event_table` (§4). */
export interface EventSpec {
  eventRangeID: string;
  PandaID: number;
  eventStatus: EventStatus;
  subStatus: EventSubStatus;
  coreCount?: number | null;
  cpuConsumptionTime?: number | null;
  fileID?: number | null;
  /** Loss reported by a hyper-parameter-optimisation payload. */
  loss?: string | null;
}

/** One row of `job_table` (§4) with its loaded files and events. */
export interface JobSpec {
  PandaID: number;
  taskID?: number | null;
  attemptNr?: number | null;
  status: JobStatus;
  subStatus: JobSubStatus;
  currentPriority?: number | null;
  /** The harvester queue name (`queueName` of the queue config). */
  computingSite: string;
  creationTime?: Date | null;
  modificationTime?: Date | null;
  stateChangeTime?: Date | null;
  startTime?: Date | null;
  endTime?: Date | null;
  nCore?: number | null;
  /** The full job dict from PanDA (§8.3: inFiles, outFiles, jobPars, coreCount, ...). */
  jobParams: JsonObject;
  /** Attributes the payload reported (pilotErrorCode, cpuConsumptionTime, ...). */
  jobAttributes?: JsonObject | null;
  hasOutFile?: HasOutFile | null;
  metaData?: JsonObject | null;
  outputFilesToReport?: string | null;
  zipPerMB?: number | null;
  nWorkers?: number;
  nWorkersLimit?: number | null;
  submissionAttempts?: number;
  jobsetID?: number | null;
  pilotClosed?: number | null;
  configID?: number | null;
  nRemainingEvents?: number | null;
  moreWorkers?: number | null;
  maxWorkersInTotal?: number | null;
  nWorkersInTotal?: number;
  jobParamsExtForOutput?: JsonObject | null;
  jobParamsExtForLog?: JsonObject | null;
  auxInput?: number | null;
  resourceType?: string | null;
  /** Input (and aux_input) files the agent loaded for this call. */
  inFiles: FileSpec[];
  /** Output, log, zip and checkpoint files the agent loaded for this call. */
  outFiles: FileSpec[];
  /** Events the agent loaded for this call (event service jobs). */
  events?: EventSpec[];
}

/** One row of `work_table` (§4). */
export interface WorkerSpec {
  workerID: number;
  /** Id in the batch system; null until submitted. */
  batchID?: string | null;
  mapType?: MapType | null;
  /** Batch-system queue (not the harvester queue: that is `computingSite`). */
  queueName?: string | null;
  status: WorkerStatus;
  hasJob?: number;
  workParams?: JsonObject | null;
  workAttributes?: JsonObject | null;
  eventsRequestParams?: JsonObject | null;
  eventsRequest?: EventsRequestFlag;
  /** The harvester queue this worker belongs to. */
  computingSite: string;
  creationTime?: Date | null;
  submitTime?: Date | null;
  startTime?: Date | null;
  endTime?: Date | null;
  nCore?: number | null;
  walltime?: Date | null;
  /** The directory (or URL) where harvester and the payload exchange files (§9). */
  accessPoint?: string | null;
  modificationTime?: Date | null;
  lastUpdate?: Date | null;
  postProcessed?: number | null;
  nodeID?: string | null;
  minRamCount?: number | null;
  maxDiskCount?: number | null;
  maxWalltime?: number | null;
  killTime?: Date | null;
  computingElement?: string | null;
  nJobsToReFill?: number | null;
  logFilesToUpload?: JsonObject | null;
  jobType?: string | null;
  resourceType?: string | null;
  nativeExitCode?: number | null;
  nativeStatus?: string | null;
  diagMessage?: string | null;
  nJobs?: number | null;
  submissionHost?: string | null;
  configID?: number | null;
  syncLevel?: number | null;
  checkTime?: Date | null;
  ioIntensity?: number | null;
  harvesterHost?: string | null;
  pilotType?: PilotType | null;
  errorCode?: number | null;
  errorDiag?: string | null;
  /** PandaIDs of the jobs bound to this worker (the original's `pandaid_list`), when the agent loaded them. */
  pandaIDs?: number[];
}

/**
 * Worker columns a plugin may set (submitter: batchID, computingElement, log
 * URLs...; monitor: nativeStatus, errorCode...). The agent applies them.
 */
export type WorkerUpdate = Partial<Pick<WorkerSpec,
  | 'batchID' | 'queueName' | 'computingElement' | 'submissionHost' | 'nodeID' | 'nativeStatus'
  | 'nativeExitCode' | 'errorCode' | 'errorDiag' | 'diagMessage' | 'startTime' | 'endTime'
  | 'nCore' | 'minRamCount' | 'maxDiskCount' | 'maxWalltime' | 'workAttributes' | 'workParams'
  | 'logFilesToUpload' | 'nJobsToReFill'>>;

/** Log locations a submitter reports (the original's `set_log_file(type, url)`). */
export interface WorkerLogFiles {
  stdOut?: string;
  stdErr?: string;
  batchLog?: string;
  jdl?: string;
}

/** Changes to one file, identified by `fileID`. Unlisted fields stay as they are. */
export interface FileUpdate {
  fileID: number;
  status?: FileStatus;
  path?: string;
  fsize?: number;
  chksum?: string;
  groupID?: string;
  groupStatus?: string;
  url?: string;
  objstoreID?: number;
  fileAttributes?: JsonObject;
}

/** Plain outcome of a plugin call that can succeed, fail, or report "not yet". */
export type Outcome = 'done' | 'pending' | 'failed';

/** The common result shape: `done` succeeded, `pending` = try again later (the original's None), `failed` is permanent. */
export interface OutcomeResult {
  status: Outcome;
  /** Human-readable reason; required so failures are never silent ('' allowed on success). */
  diag: string;
}

/**
 * The queue-config view plugins receive (workerMaker, throttler). The queue
 * config mapper's resolved queue type is assignable to it; attributes beyond
 * the named ones are readable as unknown.
 */
export interface QueueInfo {
  readonly queueName: string;
  readonly siteName: string;
  readonly mapType: MapType;
  readonly prodSourceLabel?: string;
  readonly resourceType?: string;
  readonly jobType?: string;
  readonly configID?: number | null;
  readonly maxWorkers?: number;
  readonly nQueueLimitWorker?: number | null;
  readonly walltimeLimit?: number | null;
  readonly [attribute: string]: unknown;
}
