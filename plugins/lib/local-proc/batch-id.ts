import { isRunningState, readProcStat } from './proc';

/**
 * A payload's wrapper process, named so that it survives a harvester restart
 * and cannot be confused with a later process that got the same pid: the
 * batchID `<pid>:<starttime>` (starttime = field 22 of /proc/<pid>/stat).
 * The wrapper is a session and process-group leader, so `pid` is also the
 * payload's process-group id.
 */
export interface ProcessRef {
  pid: number;
  startTime: string;
}

/** BatchID of a worker accepted but waiting for a free slot (`maxConcurrent`). */
export const QUEUED_PREFIX = 'queued:';

export function formatBatchID(ref: ProcessRef): string {
  return `${ref.pid}:${ref.startTime}`;
}

/** The process a batchID names, or null for queued workers and foreign ids. */
export function parseBatchID(batchID: string | null | undefined): ProcessRef | null {
  const m = /^(\d+):(\d+)$/.exec((batchID ?? '').trim());
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 1 && Number.isSafeInteger(pid) ? { pid, startTime: m[2] } : null;
}

export function isQueuedBatchID(batchID: string | null | undefined): boolean {
  return typeof batchID === 'string' && batchID.startsWith(QUEUED_PREFIX);
}

/** Is this very process (same pid and start time) still running (not a zombie)? */
export function isAlive(ref: ProcessRef): boolean {
  const st = readProcStat(ref.pid);
  return st !== null && st.startTime === ref.startTime && isRunningState(st.state);
}
