import type { Logger } from '../../log';
import type { Messenger, ReportedOutputFile } from '../../plugins/messenger';
import type { WorkerCheck } from '../../plugins/monitor';
import type { JobSpec, JsonObject, MapType, PerJob, WorkerStatus, WorkerUpdate } from '../../plugins/types';
import type { WorkerRow } from '../../db/repo/workers';
import type { QueueConfig } from '../../queue-config/types';
import { heldBackStatus, isEndedWithOutput, nextWorkerStatus, PILOT_ERRORS } from './status-map';
import { noHeartbeatStatuses } from '../no-heartbeat';

/** What the monitor decided about one worker this cycle (the original's `retMap` entry). */
export interface WorkerOutcome {
  worker: WorkerRow;
  /** The status the resource reported (or the stored one when the check could not tell). */
  monStatus: WorkerStatus;
  /** The status to write: monStatus, held back as running/idle while outputs or post-processing are pending. */
  newStatus: WorkerStatus;
  diag: string;
  /** The check told something: checkTime moves on (checkTimeout counts from the last such check). */
  checked: boolean;
  /** Ask the sweeper to kill it (killTime). */
  kill: boolean;
  pilotError?: { code: number; diag: string };
  update: WorkerUpdate;
  workAttributes: PerJob<JsonObject>;
  files: PerJob<ReportedOutputFile[]>;
  /** PandaIDs a NoJob worker fetched itself. */
  pandaIDs: number[];
  /** Post-processing ran (or was skipped for good) this cycle. */
  postProcessed: boolean;
  /** Make the worker due again at once, so the held-back final status is written next cycle. */
  nextLookup: boolean;
  /** Set endTime now (post-processing retry clock). */
  setEndTime: boolean;
}

export interface AssessSettings {
  now: Date;
  /** Seconds; the plugin's `checkTimeout` wins over `[monitor] checkTimeout`. */
  checkTimeout: number;
  workerQueueTimeLimit: number;
  /** Minutes; 0 = a pending post-processing is given up at once. */
  postProcessTimeout: number;
}

export interface AssessInput {
  worker: WorkerRow;
  /** The plugin's answer; undefined when the plugin was not asked (finalMonStatus, late binding). */
  check?: WorkerCheck;
  qc: QueueConfig;
  messenger: Messenger;
  /** Jobs bound to the worker, full (files, jobParams): asked for only when post-processing runs. */
  jobs: () => Promise<readonly JobSpec[]>;
  settings: AssessSettings;
  log: Logger;
}

const FINAL_MON = new Set<string>(['finished', 'failed', 'cancelled']);


function heartbeatMinutes(qc: QueueConfig): number | null {
  const v = qc.messenger.worker_heartbeat;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

const ageSec = (now: Date, t: Date | null | undefined): number | null => (t ? (now.getTime() - t.getTime()) / 1000 : null);

/**
 * Facts §2.5 steps 1–3 for one worker: status from the plugin (or the stored
 * final monitor status), kill conditions, payload reports, and the hold-back
 * of a final status until outputs are collected and post-processing ran.
 * Messenger errors propagate: the caller leaves the worker untouched this
 * cycle rather than finalise it without its outputs.
 */
export async function assessWorker(input: AssessInput): Promise<WorkerOutcome> {
  const { worker: w, qc, messenger, settings } = input;
  const { now } = settings;
  const base = (status: WorkerStatus): WorkerOutcome => ({
    worker: w, monStatus: status, newStatus: status, diag: '', checked: true, kill: false, update: {},
    workAttributes: {}, files: {}, pandaIDs: [], postProcessed: false, nextLookup: false, setEndTime: false,
  });

  // Late binding: a worker without jobs only asks for some; the batch system is not queried.
  if (w.hasJob === 0 && w.mapType !== 'NoJob') {
    const requested = await messenger.jobRequested(w);
    return base(requested > 0 ? 'ready' : w.status);
  }

  const finalMon = w.workParams?.finalMonStatus;
  const out = base(w.status);
  if (typeof finalMon === 'string' && FINAL_MON.has(finalMon)) {
    // Already seen ended: the batch system may have forgotten it; finish post-processing.
    out.monStatus = finalMon as WorkerStatus;
  } else if (!input.check || input.check.status === 'unknown') {
    out.checked = false;
    out.diag = input.check?.diag ?? '';
    const since = w.checkTime ?? w.submitTime ?? w.creationTime ?? null;
    const age = ageSec(now, since);
    if (age !== null && age > settings.checkTimeout) {
      out.kill = true;
      out.monStatus = 'cancelled';
      out.diag = `Killed by Harvester due to consecutive worker check failures. ${out.diag}`.trim();
      out.pilotError = { code: PILOT_ERRORS.FAILEDBYSERVER, diag: out.diag };
    }
  } else {
    out.monStatus = input.check.status;
    out.diag = input.check.diag;
    out.update = input.check.update ?? {};
  }

  if (await messenger.killRequested(w)) out.kill = true;
  const queued = ageSec(now, w.submitTime);
  if (w.status === 'submitted' && queued !== null && queued > settings.workerQueueTimeLimit) {
    out.kill = true;
    out.diag = `Killed by Harvester due to worker queuing too long. ${out.diag}`.trim();
    out.pilotError ??= { code: PILOT_ERRORS.FAILEDBYSERVER, diag: out.diag };
  }
  const hb = heartbeatMinutes(qc);
  if (hb !== null && !(await messenger.isAlive(w, hb))) {
    out.kill = true;
    out.diag = `Killed by Harvester due to worker heartbeat expired. ${out.diag}`.trim();
    out.pilotError ??= { code: PILOT_ERRORS.FAILEDBYSERVER, diag: out.diag };
  }

  // The messenger sees the status just reported: a payload's outputs count once its batch job ended.
  const seen: WorkerRow = { ...w, status: out.monStatus };
  out.workAttributes = await messenger.getWorkAttributes(seen);
  out.files = await messenger.getFilesToStageOut(seen);
  if (w.mapType === 'NoJob') out.pandaIDs = await messenger.getPandaIDs(seen);

  out.newStatus = out.monStatus;
  if (isEndedWithOutput(out.monStatus)) {
    let done = true;
    const hasFiles = Object.values(out.files).some((list) => list.length > 0);
    if (hasFiles) {
      out.newStatus = heldBackStatus(w.status);
    } else if (!w.postProcessed) {
      const suppressed = noHeartbeatStatuses(qc.noHeartbeat).has(out.monStatus) || qc.truePilot;
      if (!suppressed || messenger.forcePostProcessing === true) {
        const res = await messenger.postProcessing(seen, await input.jobs(), (w.mapType ?? qc.mapType) as MapType);
        if (res.status === 'pending' && settings.postProcessTimeout > 0) {
          const limit = now.getTime() - settings.postProcessTimeout * 60_000;
          if (!w.endTime || w.endTime.getTime() > limit) {
            done = false;
            out.setEndTime = !w.endTime;
          }
        } else if (res.status === 'failed') {
          input.log.warn({ queue: qc.queueName, workerID: w.workerID, diag: res.diag }, 'post-processing failed; the worker ends anyway');
        }
      }
      out.postProcessed = done;
      out.newStatus = heldBackStatus(w.status);
    }
    out.nextLookup = done;
  }
  out.newStatus = nextWorkerStatus(w.status, out.newStatus);
  return out;
}
