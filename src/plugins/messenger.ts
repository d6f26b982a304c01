import type { EventStatus, FileType, JobSpec, JsonObject, MapType, OutcomeResult, PerJob, WorkerSpec } from './types';

/** An output file the payload reports (the original's `event_status.dump.json` entries). */
export interface ReportedOutputFile {
  lfn: string;
  path: string;
  fileType: FileType;
  fsize?: number;
  /** `ad:<adler32>` or `md:<md5>`; computed by the messenger when the payload omits it. */
  chksum?: string;
  guid?: string;
  eventRangeID?: string;
  eventStatus?: EventStatus;
  isZip?: boolean;
}

/** A payload's request for more event ranges (the original's `worker_requestevents.json`). */
export interface EventsRequest {
  pandaID: number;
  taskID: number | null;
  jobsetID: number | null;
  nRanges: number;
}

/** One event range handed to a payload (as PanDA returns it; passed through). */
export interface EventRange {
  eventRangeID: string;
  [field: string]: unknown;
}

/** A payload's report on one event range. */
export interface EventUpdate {
  eventRangeID: string;
  eventStatus: EventStatus;
  [field: string]: unknown;
}

/**
 * The channel between harvester and the payloads of its workers (facts §9):
 * files in the worker's access point for the shared-file messenger, HTTP
 * requests turned into those files for the frontend messengers.
 *
 * Used by several agents: the submitter (`setupAccessPoints`, `feedJobs`),
 * the monitor (`jobRequested`, `getWorkAttributes`, `getFilesToStageOut`,
 * `eventsRequested`, `eventsToUpdate`, `acknowledgeEventsFiles`,
 * `postProcessing`, `getPandaIDs`, `killRequested`, `isAlive`), the event
 * feeder (`feedEvents`) and the sweeper (`cleanUp`).
 * Methods that read payload files return empty values when there is nothing
 * to read; they throw only when the channel itself is broken.
 */
export interface Messenger {
  /** Prepares the access points of new workers (wipes leftovers, creates dirs). Submitter, before submission. */
  setupAccessPoints(workers: readonly WorkerSpec[]): Promise<void>;

  /** Hands the jobs to the worker's payload (job spec file, input links). Submitter, for workers with jobs. */
  feedJobs(worker: WorkerSpec, jobs: readonly JobSpec[]): Promise<void>;

  /** Number of jobs the worker's payload asked for (late binding), 0 if none. Monitor. */
  jobRequested(worker: WorkerSpec): Promise<number>;

  /** Attributes the payload reported for each of its jobs (jobStatus, pilotErrorCode, cpu, ...). Monitor. */
  getWorkAttributes(worker: WorkerSpec): Promise<PerJob<JsonObject>>;

  /** Output files the payload produced and not yet acknowledged, per job. Monitor. */
  getFilesToStageOut(worker: WorkerSpec): Promise<PerJob<ReportedOutputFile[]>>;

  /** Event ranges the payload asks for, per job. Monitor (sets `eventsRequest = 2`). */
  eventsRequested(worker: WorkerSpec): Promise<PerJob<EventsRequest>>;

  /** Delivers event ranges fetched from PanDA to the payload. Event feeder. */
  feedEvents(worker: WorkerSpec, ranges: PerJob<EventRange[]>): Promise<void>;

  /** Event statuses the payload reported and not yet acknowledged, per job. Monitor. */
  eventsToUpdate(worker: WorkerSpec): Promise<PerJob<EventUpdate[]>>;

  /** Marks the files and events read so far as processed, so they are not reported again. Monitor, after the DB write. */
  acknowledgeEventsFiles(workers: readonly WorkerSpec[]): Promise<void>;

  /**
   * Work after the worker ended (log tarball, leftover scan). Monitor, before a
   * final status is written. `pending` is retried until `postProcessTimeout`.
   */
  postProcessing(worker: WorkerSpec, jobs: readonly JobSpec[], mapType: MapType): Promise<OutcomeResult>;

  /** PandaIDs a pull-mode (`NoJob`) worker fetched itself. Monitor. */
  getPandaIDs(worker: WorkerSpec): Promise<number[]>;

  /** Did the payload ask to be killed? Monitor. */
  killRequested(worker: WorkerSpec): Promise<boolean>;

  /**
   * Is the payload's heartbeat younger than `heartbeatMinutes`? A worker that
   * has not started yet counts as alive. Monitor, when the queue sets
   * `messenger.worker_heartbeat`.
   */
  isAlive(worker: WorkerSpec, heartbeatMinutes: number): Promise<boolean>;

  /** Removes the access point of a worker about to be deleted. Sweeper. Unknown workers are `done`. */
  cleanUp(worker: WorkerSpec): Promise<OutcomeResult>;

  /** Run post-processing even for heartbeat-suppressed or truePilot queues. */
  readonly forcePostProcessing?: boolean;
}
