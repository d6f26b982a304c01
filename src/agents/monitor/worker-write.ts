import { secondsBefore } from '../../db/dates';
import type { MonitorWorkerWrite } from '../../db/repo/monitor-writes';
import type { WorkerRow } from '../../db/repo/workers';
import type { JsonObject } from '../../plugins/types';
import type { WorkerOutcome } from './assess';
import { defaultPilotError, isEndedWithOutput, isFinalWorkerStatus } from './status-map';

/**
 * The pilot error a worker ends with: one the monitor set (kill reasons),
 * else the plugin's errorCode, else one already stored, else the default for
 * failed (1008) / cancelled (1144); none while the worker has not ended badly.
 */
export function effectivePilotError(o: WorkerOutcome): { code: number; diag: string } | null {
  if (o.pilotError) return o.pilotError;
  const stored = o.worker.workAttributes?.pilotErrorCode;
  if (typeof stored === 'number') return { code: stored, diag: String(o.worker.workAttributes?.pilotErrorDiag ?? '') };
  const code = o.update.errorCode ?? defaultPilotError(o.monStatus === 'pending' ? 'submitted' : o.monStatus);
  if (code === null || code === undefined) return null;
  return { code, diag: o.update.errorDiag ?? (o.diag || `worker ${o.monStatus}`) };
}

/**
 * The worker row changes of one outcome (the original's set_status /
 * set_work_attributes / checkTime / times / finalMonStatus, facts §2.5 step 4).
 */
export function workerWrite(o: WorkerOutcome, now: Date): MonitorWorkerWrite {
  const w: WorkerRow = o.worker;
  const set: MonitorWorkerWrite['set'] = { ...o.update };
  // A plugin's workParams add to ours (finalMonStatus and friends live there too).
  if (o.update.workParams) set.workParams = { ...(w.workParams ?? {}), ...o.update.workParams };
  const changed = o.newStatus !== w.status;
  if (changed) {
    set.status = o.newStatus;
    // The propagator reports the worker next cycle.
    set.lastUpdate = secondsBefore(now, 86400);
  }

  const attrs: JsonObject = { ...(w.workAttributes ?? {}), ...(o.update.workAttributes ?? {}), ...o.workAttributes };
  const endedBadly = o.monStatus === 'failed' || o.monStatus === 'cancelled';
  const pilotError = endedBadly || o.pilotError ? effectivePilotError(o) : null;
  if (pilotError && attrs.pilotErrorCode === undefined) {
    attrs.pilotErrorCode = pilotError.code;
    attrs.pilotErrorDiag = pilotError.diag.slice(0, 256);
  }
  if (Object.keys(attrs).length > 0 && JSON.stringify(attrs) !== JSON.stringify(w.workAttributes ?? {})) set.workAttributes = attrs;
  if (pilotError && (w.errorCode === null || w.errorCode === undefined) && set.errorCode === undefined) {
    set.errorCode = pilotError.code;
    set.errorDiag = pilotError.diag.slice(0, 256);
  }

  if (isEndedWithOutput(o.monStatus) && w.workParams?.finalMonStatus !== o.monStatus) {
    set.workParams = { ...(set.workParams ?? w.workParams ?? {}), finalMonStatus: o.monStatus };
  }
  if (o.checked) set.checkTime = now;
  if (o.postProcessed) set.postProcessed = 1;
  if (o.diag) set.diagMessage = o.diag.slice(0, 500);

  if (o.newStatus === 'running' && !w.startTime) set.startTime = o.update.startTime ?? now;
  if (isFinalWorkerStatus(o.newStatus)) {
    if (!w.startTime) set.startTime = o.update.startTime ?? now;
    if (!w.endTime) set.endTime = o.update.endTime ?? now;
  } else if (o.setEndTime) {
    set.endTime = now;
  }
  // nextLookup: due at once (now − 1 h), so the held-back final status lands next cycle.
  set.modificationTime = o.nextLookup ? secondsBefore(now, 3600) : now;
  return { workerID: w.workerID, set };
}
