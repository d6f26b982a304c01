import type { JobSpec, PilotType, QueueInfo, WorkerSpec } from './types';

/** A worker made but not yet stored: the submitter assigns `workerID`, `configID` and `status`. */
export type NewWorker = Omit<WorkerSpec, 'workerID' | 'status' | 'configID'>;

/** The outcome of making one worker. */
export type MakeResult =
  | { status: 'made'; worker: NewWorker; diag: string }
  /** Jobs go to `failed_to_make` (SETUPFAILURE 1110), unless the maker sets `skipOnFail`. */
  | { status: 'failed'; diag: string };

/** What the submitter asks a worker maker for. */
export interface MakeWorkerRequest {
  /** The job chunk for this worker: empty for `NoJob`, one for `OneToOne`/`OneToMany`, several for `ManyToOne`. */
  jobs: readonly JobSpec[];
  queue: QueueInfo;
  jobType: string;
  resourceType: string;
  prodSourceLabel?: string;
  pilotType?: PilotType;
}

/**
 * Shapes workers (cores, memory, walltime) from job chunks (facts §2.4 steps
 * 4–5, §6.2 `make_worker`).
 *
 * The submitter agent asks the sizing questions while it chunks jobs by the
 * queue's `mapType`, then calls `makeWorker` once per chunk.
 */
export interface WorkerMaker {
  /** Builds one worker for a job chunk. */
  makeWorker(request: MakeWorkerRequest): Promise<MakeResult>;

  /** Jobs per worker for `ManyToOne`, given how many workers are wanted. Attribute `nJobsPerWorker`, default 1. */
  getNumJobsPerWorker(nWorkers: number): Promise<number>;

  /** Workers per job for `OneToMany`. Attribute `nWorkersPerJob`, default 1. */
  getNumWorkersPerJob(nWorkers: number): Promise<number>;

  /** Ready resources to fill (dynamic sizing). Attribute `nReadyResources`, default 1. */
  numReadyResources(): Promise<number>;

  /** Cap on workers sharing one job over its life (`OneToMany`). Attribute `maxWorkersPerJobInTotal`, default 10. */
  getMaxWorkersPerJobInTotal(): Promise<number>;

  /** Cap on workers made for one job per cycle (`OneToMany`); null = none. */
  getMaxWorkersPerJobPerCycle(): Promise<number | null>;

  /** Size workers from `numReadyResources()` instead of the adjuster's count. */
  readonly dynamicSizing?: boolean;
  /** With `dynamicSizing`: the static number of workers to keep. */
  readonly staticWorkers?: number;
  /** On a failed make, release the jobs instead of failing them. */
  readonly skipOnFail?: boolean;
}
