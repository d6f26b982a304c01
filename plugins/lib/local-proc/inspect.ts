import * as fs from 'node:fs';
import type { WorkerCheck } from '../../../src/plugins/monitor';
import type { WorkerSpec } from '../../../src/plugins/types';
import { isAlive, isQueuedBatchID, parseBatchID, type ProcessRef } from './batch-id';
import { AP_FILES, apPath, mtimeOf, readExitCode, readIfExists, readLaunchState, type LaunchState } from './files';
import { holdsSlot, queuePosition } from './pump';

/** Where a worker's process is, from the access point's records first and the DB's batchID second. */
export interface Located {
  ref: ProcessRef | null;
  /** The batchID as the wrapper announced it (may differ from the DB's `queued:` placeholder). */
  batchID: string | null;
  state: LaunchState | null;
}

/** The access point is the authority (the wrapper writes `.batchid` itself); the DB's batchID is the fallback. */
export function locate(w: WorkerSpec): Located {
  const state = w.accessPoint ? readLaunchState(w.accessPoint) : null;
  let announced: string | null = null;
  if (w.accessPoint) {
    try {
      announced = readIfExists(apPath(w.accessPoint, AP_FILES.batchID))?.trim() || null;
    } catch {
      announced = null;
    }
  }
  const ref = parseBatchID(announced) ?? parseBatchID(w.batchID);
  return { ref, batchID: announced ?? (ref ? (w.batchID as string) : null), state };
}

function withBatchID(w: WorkerSpec, loc: Located, check: WorkerCheck): WorkerCheck {
  // A worker queued at submission learns its real batchID here (the agent writes update.batchID).
  if (!loc.batchID || loc.batchID === w.batchID) return check;
  return { ...check, update: { ...check.update, batchID: loc.batchID } };
}

function ended(ap: string, loc: Located, code: number): WorkerCheck {
  const endTime = mtimeOf(apPath(ap, AP_FILES.exitCode)) ?? undefined;
  const startTime = mtimeOf(apPath(ap, AP_FILES.batchID)) ?? undefined;
  const times = { ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}) };
  const id = `payload ${loc.batchID ?? '(never started)'}`;
  if (fs.existsSync(apPath(ap, AP_FILES.killed))) {
    return { status: 'cancelled', diag: `${id} killed by harvester (exit code ${code})`, update: { nativeStatus: 'killed', nativeExitCode: code, ...times } };
  }
  if (code === 0) return { status: 'finished', diag: `${id} exited with code 0`, update: { nativeStatus: 'exited', nativeExitCode: 0, ...times } };
  const how = code > 128 ? ` (signal ${code - 128})` : '';
  const diag = `${id} exited with code ${code}${how}`;
  return {
    status: 'failed',
    diag,
    // The payload's exit code is the error: nativeExitCode and errorCode both carry it to the worker and its jobs.
    update: { nativeStatus: 'exited', nativeExitCode: code, errorCode: code, errorDiag: diag, ...times },
  };
}

/**
 * One worker's status from its files and processes:
 * `.exitcode` → finished (0) / failed (code) / cancelled (killed);
 * wrapper alive (same pid and start time) → running;
 * wrapper gone without `.exitcode` → failed (or cancelled when killed);
 * not started → submitted while queued for a slot.
 */
export function inspectWorker(w: WorkerSpec, stateDir: string, startGraceMs: number): WorkerCheck {
  const loc = locate(w);
  const ap = w.accessPoint ?? null;
  if (ap) {
    const code = readExitCode(ap);
    if (code !== null) return withBatchID(w, loc, ended(ap, loc, code));
  }
  if (loc.ref) {
    if (isAlive(loc.ref)) {
      const startTime = ap ? mtimeOf(apPath(ap, AP_FILES.batchID)) ?? undefined : undefined;
      return withBatchID(w, loc, { status: 'running', diag: '', update: { nativeStatus: 'running', ...(startTime ? { startTime } : {}) } });
    }
    // It may have written .exitcode between our two looks.
    const code = ap ? readExitCode(ap) : null;
    if (code !== null && ap) return withBatchID(w, loc, ended(ap, loc, code));
    const killed = ap !== null && fs.existsSync(apPath(ap, AP_FILES.killed));
    const diag = ap
      ? `payload ${loc.batchID} (worker ${w.workerID}) is gone without writing ${AP_FILES.exitCode} in ${ap}: killed by SIGKILL, the OOM killer or a reboot`
      : `payload ${loc.batchID} (worker ${w.workerID}) is gone and the worker has no access point to read its exit code from`;
    return withBatchID(w, loc, killed
      ? { status: 'cancelled', diag: `payload ${loc.batchID} killed by harvester`, update: { nativeStatus: 'killed' } }
      : { status: 'failed', diag, update: { nativeStatus: 'vanished', errorDiag: diag } });
  }
  if (!ap || !loc.state) {
    const why = isQueuedBatchID(w.batchID) ? 'its access point has no local-proc launch record' : 'not a local-proc batchID (<pid>:<starttime>) and no launch record';
    return { status: 'unknown', diag: `worker ${w.workerID} batchID ${w.batchID ?? 'null'}: ${why}` };
  }
  if (fs.existsSync(apPath(ap, AP_FILES.killed))) {
    return { status: 'cancelled', diag: `worker ${w.workerID} killed by harvester before its payload started`, update: { nativeStatus: 'killed' } };
  }
  const launchError = readIfExists(apPath(ap, AP_FILES.launchError));
  if (launchError !== null) {
    return { status: 'failed', diag: launchError, update: { nativeStatus: 'launch-failed', errorDiag: launchError.slice(0, 256) } };
  }
  const pos = queuePosition(stateDir, w.workerID, loc.state.token);
  if (pos) return { status: 'submitted', diag: `queued for a slot: ${pos.position} of ${pos.length} waiting`, update: { nativeStatus: 'queued' } };
  if (holdsSlot(stateDir, w.workerID, loc.state.token)) return { status: 'submitted', diag: 'starting', update: { nativeStatus: 'starting' } };
  const age = Date.now() - Date.parse(loc.state.queuedAt);
  if (age < startGraceMs) return { status: 'submitted', diag: 'starting', update: { nativeStatus: 'starting' } };
  const diag = `worker ${w.workerID}: neither queued in ${stateDir} nor started (no ${AP_FILES.batchID} in ${ap}); was the state directory removed?`;
  return { status: 'failed', diag, update: { nativeStatus: 'lost', errorDiag: diag } };
}
