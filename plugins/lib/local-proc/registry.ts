import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './files';

/**
 * The host-wide bookkeeping in `stateDir`, shared by every harvester process
 * and queue using it:
 *
 * - `queue/<entry>`: workers accepted but waiting for a slot, oldest first;
 * - `slots/<entry>`: workers holding a slot (starting or running).
 *
 * An entry keeps its file name for life (`<ms>-<workerID>-<token>.json`), so
 * names sort in submission order and moving an entry between the two
 * directories is one atomic rename: only one process can ever claim a queued
 * worker, which is what makes each payload start exactly once.
 */
export interface SlotEntry {
  workerID: number;
  accessPoint: string;
  token: string;
  /** Set once the wrapper is spawned. */
  batchID?: string;
}

export interface StateDirs {
  queue: string;
  slots: string;
}

export function stateDirs(stateDir: string): StateDirs {
  return { queue: path.join(stateDir, 'queue'), slots: path.join(stateDir, 'slots') };
}

export function ensureStateDirs(stateDir: string): StateDirs {
  const d = stateDirs(stateDir);
  fs.mkdirSync(d.queue, { recursive: true });
  fs.mkdirSync(d.slots, { recursive: true });
  return d;
}

export function entryName(workerID: number, token: string, now = Date.now()): string {
  return `${String(now).padStart(15, '0')}-${workerID}-${token}.json`;
}

/** Entry file names of a directory, oldest first ([] if the directory does not exist). */
export function listEntries(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/** The entry's time of creation (from its name). */
export function entryTime(name: string): number {
  return Number(name.split('-')[0]);
}

export function readEntry(file: string): SlotEntry | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SlotEntry>;
    if (typeof v.workerID !== 'number' || typeof v.accessPoint !== 'string' || typeof v.token !== 'string') return null;
    return { workerID: v.workerID, accessPoint: v.accessPoint, token: v.token, ...(typeof v.batchID === 'string' ? { batchID: v.batchID } : {}) };
  } catch {
    return null;
  }
}

export function writeEntry(file: string, entry: SlotEntry): void {
  writeFileAtomic(file, JSON.stringify(entry));
}

/** Names in `dir` belonging to a worker (its token, when known, makes it exact). */
export function findEntries(dir: string, workerID: number, token?: string): string[] {
  const suffix = token === undefined ? null : `-${workerID}-${token}.json`;
  return listEntries(dir).filter((n) => (suffix ? n.endsWith(suffix) : n.split('-')[1] === String(workerID)));
}

/** Moves an entry between directories; false when someone else moved or removed it first. */
export function moveEntry(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes a worker's entries from both directories. */
export function forgetWorker(stateDir: string, workerID: number, token?: string): number {
  const d = stateDirs(stateDir);
  let n = 0;
  for (const dir of [d.queue, d.slots]) {
    for (const name of findEntries(dir, workerID, token)) {
      fs.rmSync(path.join(dir, name), { force: true });
      n += 1;
    }
  }
  return n;
}
