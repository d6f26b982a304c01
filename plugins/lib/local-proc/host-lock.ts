import * as fs from 'node:fs';
import * as path from 'node:path';
import { delay } from '../delay';
import { formatBatchID, isAlive, parseBatchID } from './batch-id';
import { readProcStat } from './proc';

/** `<pid>:<starttime>` of this process: a lock holder id that a reused pid cannot fake. */
function selfID(): string {
  const st = readProcStat(process.pid);
  return formatBatchID({ pid: process.pid, startTime: st?.startTime ?? '0' });
}

export interface HostLockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this (ms) is broken even if its holder lives: nothing holds it for more than a spawn or two. */
  staleMs?: number;
}

/**
 * Runs `fn` holding `<stateDir>/lock`, an exclusive-create file naming its
 * holder. It serialises slot counting across every harvester process on the
 * host; it is not what makes starting a queued payload exactly-once (that is
 * the atomic rename of its queue entry), so breaking a stale lock is safe.
 * @throws Error naming the lock and its holder after `timeoutMs`
 */
export async function withHostLock<T>(stateDir: string, fn: () => Promise<T> | T, opts: HostLockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 30_000;
  const file = path.join(stateDir, 'lock');
  // Unique per acquisition: two callers in one process must not release each other's lock.
  const me = `${selfID()} ${Math.random().toString(36).slice(2)}`;
  fs.mkdirSync(stateDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let holder = '';
  for (;;) {
    try {
      fs.writeFileSync(file, me, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create lock ${file}: ${(err as Error).message}`, { cause: err });
    }
    let stat: fs.Stats | null = null;
    try {
      holder = fs.readFileSync(file, 'utf8').trim();
      stat = fs.statSync(file);
    } catch {
      continue; // released between our create and our read: try again at once
    }
    const ref = parseBatchID(holder.split(' ')[0]);
    // An empty holder is a lock being written right now, not a dead one.
    const dead = holder !== '' && (ref === null || !isAlive(ref));
    if (dead || Date.now() - stat.mtimeMs > staleMs) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lock ${file} still held by process ${holder} after ${timeoutMs} ms`);
    await delay(10 + Math.random() * 30);
  }
  try {
    return await fn();
  } finally {
    try {
      // Only our own lock: if it was broken as stale, another holder's must stay.
      if (fs.readFileSync(file, 'utf8').trim() === me) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }
}
