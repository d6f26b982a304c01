/**
 * The monitor's status rules (facts §5.1, §5.2) as pure functions, so the
 * table can be tested without a database.
 */
import type { JobStatus, JobSubStatus, JsonObject, MonitorStatus, WorkerStatus } from '../../plugins/types';

/** Pilot error codes the monitor sets (the original's PilotErrors). */
export const PILOT_ERRORS = {
  /** A failed worker without a more specific error. */
  GENERALERROR: 1008,
  /** A cancelled worker without a more specific error. */
  PANDAKILL: 1144,
  /** Killed by harvester: checks failing too long, queued too long, heartbeat lost. */
  FAILEDBYSERVER: 1236,
} as const;

const FINAL: ReadonlySet<WorkerStatus> = new Set<WorkerStatus>(['finished', 'failed', 'cancelled', 'missed']);
/** Final statuses whose jobs still have outputs to stage (missed workers never ran). */
const ENDED_WITH_OUTPUT: ReadonlySet<WorkerStatus> = new Set<WorkerStatus>(['finished', 'failed', 'cancelled']);

export function isFinalWorkerStatus(s: WorkerStatus): boolean {
  return FINAL.has(s);
}

/** finished/failed/cancelled: the statuses post-processing and output collection hold back. */
export function isEndedWithOutput(s: WorkerStatus): boolean {
  return ENDED_WITH_OUTPUT.has(s);
}

export interface JobState {
  status: JobStatus;
  subStatus: JobSubStatus;
}

/**
 * The original's `WorkSpec.convert_to_job_status`: the job state a worker
 * status implies. `pending` (a row not yet submitted) maps like submitted.
 */
export function convertToJobStatus(worker: WorkerStatus): JobState {
  switch (worker) {
    case 'pending':
    case 'submitted':
      return { status: 'starting', subStatus: 'submitted' };
    case 'ready':
      return { status: 'starting', subStatus: 'ready' };
    case 'running':
    case 'idle':
      return { status: 'running', subStatus: worker };
    case 'finished':
    case 'failed':
    case 'cancelled':
      return { status: worker, subStatus: 'to_transfer' };
    case 'missed':
      return { status: 'missed', subStatus: 'missed' };
  }
}

/**
 * The job status the payload reported in its attributes (`jobStatus`), when
 * it is one that overrides the worker status (the original's
 * `get_job_status_from_attributes`: only finished and failed count).
 */
export function payloadJobStatus(attrs: JsonObject | null | undefined): 'finished' | 'failed' | null {
  const s = attrs?.jobStatus;
  return s === 'finished' || s === 'failed' ? s : null;
}

/**
 * The job state for a job of a OneToOne/ManyToOne worker: the worker status,
 * unless the payload already reported the job finished or failed (a
 * multi-job worker keeps running after one of its jobs ended).
 */
export function jobStateFromWorker(worker: WorkerStatus, attrs?: JsonObject | null): JobState {
  return convertToJobStatus(payloadJobStatus(attrs) ?? worker);
}

/**
 * The job state for a OneToMany job from the statuses of all its workers:
 * all ended → finished if any finished, else failed if any failed, else
 * cancelled; otherwise running while any worker runs (or the job already ran),
 * else starting.
 */
export function aggregateJobState(workers: readonly WorkerStatus[], jobAlreadyRunning = false): JobState {
  const allDone = workers.length > 0 && workers.every(isFinalWorkerStatus);
  if (allDone) {
    if (workers.includes('finished')) return convertToJobStatus('finished');
    if (workers.includes('failed')) return convertToJobStatus('failed');
    return convertToJobStatus('cancelled');
  }
  const running = workers.some((s) => s === 'running' || s === 'idle');
  return convertToJobStatus(running || jobAlreadyRunning ? 'running' : 'submitted');
}

/**
 * What the monitor writes for a worker: `submitted` never comes back once a
 * worker ran (batch systems report requeued jobs as pending), and final rows
 * are never overwritten.
 */
export function nextWorkerStatus(old: WorkerStatus, reported: WorkerStatus): WorkerStatus {
  if (isFinalWorkerStatus(old)) return old;
  if (reported === 'submitted' && (old === 'running' || old === 'idle')) return old;
  return reported;
}

/**
 * The status shown while a worker that ended still has outputs, events or
 * post-processing pending (facts §2.5 step 3): it stays running if it was
 * running, else idle ("batch job over, harvester not done yet").
 */
export function heldBackStatus(old: WorkerStatus): 'running' | 'idle' {
  return old === 'running' ? 'running' : 'idle';
}

/** Pilot error a worker gets when it ends without one (facts §2.5 step 4). */
export function defaultPilotError(monStatus: MonitorStatus): number | null {
  if (monStatus === 'failed') return PILOT_ERRORS.GENERALERROR;
  if (monStatus === 'cancelled') return PILOT_ERRORS.PANDAKILL;
  return null;
}
