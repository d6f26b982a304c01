import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MonitorStatus, WorkerSpec } from '../../src/plugins/types';
import { MONITOR_STATUSES } from '../../src/plugins/types';
import { sharedState } from './shared-state';

/**
 * The dummy batch system behind the dummy submitter, monitor and sweeper.
 *
 * It keeps no state a second process would miss: the batchID carries the
 * submission time (`dummy-<epochMs>-<workerID>-<pid>.<n>`), so any process derives
 * a worker's state from the clock. Kills are remembered in memory and, like
 * the original's dummy plugins, written as `status.txt` into the worker's
 * access point when that directory exists — an operator or test can force a
 * status the same way.
 */

export const STATUS_FILE = 'status.txt';

let counter = 0;

export function newBatchID(workerID: number, now: number): string {
  counter += 1;
  return `dummy-${now}-${workerID}-${process.pid}.${counter}`;
}

/** Submission time from a dummy batchID, else the worker's submitTime, else null. */
export function submittedAt(worker: WorkerSpec): number | null {
  const m = /^dummy-(\d+)-/.exec(worker.batchID ?? '');
  if (m) return Number(m[1]);
  return worker.submitTime ? worker.submitTime.getTime() : null;
}

const killed = () => sharedState('dummy-batch-killed', 'all', () => new Map<string, number>());

export function markKilled(batchID: string, now: number): void {
  if (!killed().has(batchID)) killed().set(batchID, now);
}

export function killedAt(batchID: string | null | undefined): number | undefined {
  return batchID ? killed().get(batchID) : undefined;
}

export function forgetBatchJob(batchID: string | null | undefined): void {
  if (batchID) killed().delete(batchID);
}

/** "No such directory" (missing, or the access point is not a directory): the file is simply not there. */
function noDir(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/*
 * Synchronous on purpose. Measured in bench/e2e.ts (issue 4): moving these
 * calls (and the dummy messenger's) to the libuv thread pool, in parallel or
 * one at a time, cost 1.5–2.5× the process CPU of calling them here — every
 * hand-off is a thread wake-up, dear on a VM, and a write of a few bytes is
 * cheaper than that. No separate stat either: the read or write itself fails
 * with ENOENT/ENOTDIR when the access point directory is not there.
 */

/** Writes `status.txt` when the worker has an existing access point directory. */
export function writeStatusFile(worker: WorkerSpec, status: string): boolean {
  const ap = worker.accessPoint;
  if (!ap) return false;
  try {
    fs.writeFileSync(path.join(ap, STATUS_FILE), status);
    return true;
  } catch (err) {
    if (noDir(err)) return false;
    throw err;
  }
}

/** The status forced through `status.txt`, if any (and valid). */
export function readStatusFile(worker: WorkerSpec): MonitorStatus | null {
  const ap = worker.accessPoint;
  if (!ap) return null;
  try {
    const text = fs.readFileSync(path.join(ap, STATUS_FILE), 'utf8').trim();
    return (MONITOR_STATUSES as readonly string[]).includes(text) ? (text as MonitorStatus) : null;
  } catch {
    return null;
  }
}
