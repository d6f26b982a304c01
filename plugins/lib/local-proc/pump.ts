import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../../src/log';
import { formatBatchID, isAlive, parseBatchID } from './batch-id';
import { AP_FILES, apPath, readIfExists, readLaunchState, writeFileAtomic } from './files';
import { withHostLock } from './host-lock';
import { ensureStateDirs, entryTime, listEntries, moveEntry, readEntry, writeEntry, type SlotEntry, type StateDirs } from './registry';
import { spawnWrapper } from './spawn';

export interface PumpOptions {
  stateDir: string;
  /** Payloads allowed to run at once on this host (0 = one per CPU core). */
  maxConcurrent: number;
  /** A slot whose wrapper has not announced itself after this long (ms) was never started: it is queued again. */
  startGraceMs: number;
  log?: Logger;
}

export interface PumpResult {
  /** Slots held after this pump (running or starting payloads). */
  running: number;
  /** Workers started by this pump, with their batchIDs. */
  started: Map<number, string>;
  /** Workers still waiting. */
  queued: number;
}

export function effectiveMax(maxConcurrent: number): number {
  return maxConcurrent > 0 ? maxConcurrent : Math.max(1, os.cpus().length);
}

/** The batchID a slot's wrapper announced (slot record first, then the access point's `.batchid`). */
function slotBatchID(e: SlotEntry): string | null {
  if (e.batchID) return e.batchID;
  try {
    return readIfExists(apPath(e.accessPoint, AP_FILES.batchID))?.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Counts the slots in use and frees the others: ended payloads, vanished
 * access points, and claims whose spawn never happened (a harvester that died
 * between claiming and spawning) — those go back to the queue, in place,
 * since their wrapper provably never ran (it announces itself first thing).
 */
function countSlots(d: StateDirs, now: number, o: PumpOptions): number {
  let n = 0;
  for (const name of listEntries(d.slots)) {
    const file = path.join(d.slots, name);
    const e = readEntry(file);
    if (!e || !fs.existsSync(e.accessPoint)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const ref = parseBatchID(slotBatchID(e));
    if (ref) {
      if (isAlive(ref)) n += 1;
      else fs.rmSync(file, { force: true });
      continue;
    }
    let claimedAt = now;
    try {
      claimedAt = fs.statSync(file).mtimeMs;
    } catch {
      continue;
    }
    if (now - claimedAt < o.startGraceMs) n += 1;
    else if (moveEntry(file, path.join(d.queue, name))) o.log?.warn({ workerID: e.workerID, accessPoint: e.accessPoint }, 'local-proc: payload claimed but never started (harvester stopped while launching?): queued again');
  }
  return n;
}

/** Starts one claimed worker; false when it must not run (killed, gone) or could not. */
function startClaimed(d: StateDirs, name: string, e: SlotEntry, started: Map<number, string>, o: PumpOptions): boolean {
  const slot = path.join(d.slots, name);
  const drop = (why: string) => {
    fs.rmSync(slot, { force: true });
    o.log?.info({ workerID: e.workerID, accessPoint: e.accessPoint }, `local-proc: queued payload not started: ${why}`);
    return false;
  };
  if (fs.existsSync(apPath(e.accessPoint, AP_FILES.killed))) return drop('killed while queued');
  const state = readLaunchState(e.accessPoint);
  if (!state || state.token !== e.token) return drop('its access point no longer holds its launch record');
  try {
    const ref = spawnWrapper(e.accessPoint, state);
    const batchID = formatBatchID(ref);
    writeEntry(slot, { ...e, batchID });
    started.set(e.workerID, batchID);
    o.log?.info({ workerID: e.workerID, batchID, pid: ref.pid }, 'local-proc: payload started');
    return true;
  } catch (err) {
    const msg = `cannot start the payload of worker ${e.workerID} in ${e.accessPoint}: ${(err as Error).message}`;
    // A spawn failure (no /bin/sh, fd limit) would repeat forever from the queue: fail the worker visibly instead.
    try {
      writeFileAtomic(apPath(e.accessPoint, AP_FILES.launchError), msg);
    } catch {
      // access point unwritable: the monitor reports the worker vanished
    }
    o.log?.error({ err, workerID: e.workerID, accessPoint: e.accessPoint }, 'local-proc: payload start failed');
    return drop(msg);
  }
}

/**
 * Starts queued payloads, oldest first, while fewer than `maxConcurrent`
 * hold a slot on this host. Called by the submitter after queueing, by the
 * monitor every check, and by a timer while anything waits; the queue lives
 * in `stateDir`, so whichever harvester process runs next continues it.
 */
export async function pump(o: PumpOptions): Promise<PumpResult> {
  const d = ensureStateDirs(o.stateDir);
  const max = effectiveMax(o.maxConcurrent);
  return withHostLock(o.stateDir, () => {
    const started = new Map<number, string>();
    let running = countSlots(d, Date.now(), o);
    const queue = listEntries(d.queue);
    let taken = 0;
    for (const name of queue) {
      if (running >= max) break;
      const e = readEntry(path.join(d.queue, name));
      if (!e) {
        fs.rmSync(path.join(d.queue, name), { force: true });
        taken += 1;
        continue;
      }
      // The rename is the claim: a concurrent pump that got here first makes it fail.
      if (!moveEntry(path.join(d.queue, name), path.join(d.slots, name))) {
        taken += 1;
        continue;
      }
      taken += 1;
      if (startClaimed(d, name, e, started, o)) running += 1;
    }
    return { running, started, queued: queue.length - taken };
  });
}

/** Adds a worker to the host queue (its launch record must already be in its access point). */
export function enqueue(stateDir: string, entry: SlotEntry, name: string): void {
  const d = ensureStateDirs(stateDir);
  writeEntry(path.join(d.queue, name), entry);
}

/** Position (1-based) of a worker in the host queue and the queue length; null if it is not queued. */
export function queuePosition(stateDir: string, workerID: number, token: string): { position: number; length: number; since: number } | null {
  const names = listEntries(ensureStateDirs(stateDir).queue);
  const i = names.findIndex((n) => n.endsWith(`-${workerID}-${token}.json`));
  return i < 0 ? null : { position: i + 1, length: names.length, since: entryTime(names[i]) };
}

/** Is the worker holding a slot (claimed, starting or running)? */
export function holdsSlot(stateDir: string, workerID: number, token: string): boolean {
  return listEntries(ensureStateDirs(stateDir).slots).some((n) => n.endsWith(`-${workerID}-${token}.json`));
}
