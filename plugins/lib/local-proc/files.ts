import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Files the local-process plugins keep in a worker's access point. They are
 * the durable record of the payload (the DB holds only the batchID), so a
 * restarted harvester — or another process on the host — finds everything
 * here. Hidden names keep them out of the payload's way; the messenger's
 * cleanUp removes them with the access point.
 */
export const AP_FILES = {
  /** Launch record written at submission ({@link LaunchState}). Not named *.json: the messenger's log tarball takes those, and this holds the payload's environment. */
  state: '.localproc-state',
  /** The wrapper (static sh) that records batchID and exit code around the payload. */
  wrapper: '.localproc-run.sh',
  /** The payload itself: the job's command(s), generated at submission. */
  payload: '.localproc-payload.sh',
  /** `<pid>:<starttime>` of the wrapper, written by the wrapper itself before the payload starts. */
  batchID: '.batchid',
  /** The payload's exit status, written atomically by the wrapper when the payload ends. */
  exitCode: '.exitcode',
  /** Written by the sweeper's kill: the wrapper refuses to start and the monitor reports `cancelled`. */
  killed: '.killed',
  /** Why a queued payload could not be started (spawn failed): the monitor reports `failed` with it. */
  launchError: '.launcherror',
} as const;

/** What the submitter records about a worker's launch (in `.localproc-state`). */
export interface LaunchState {
  workerID: number;
  /** Random id put into the payload's environment, to recognise its processes later. */
  token: string;
  /** ISO time the worker was accepted (queued or started). */
  queuedAt: string;
  stdout: string;
  stderr: string;
  /** The payload's whole environment, fixed at submission (a later start from the queue uses the same). */
  env: Record<string, string>;
}

export function apPath(accessPoint: string, name: string): string {
  return path.join(accessPoint, name);
}

/** Write-then-rename, so a reader (or a crash) never sees half a file. */
export function writeFileAtomic(file: string, data: string, mode?: number): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  fs.renameSync(tmp, file);
}

/** File content, or null when it does not exist. Other errors (EACCES, EIO) propagate with the path in the message. */
export function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

export function mtimeOf(file: string): Date | null {
  try {
    return fs.statSync(file).mtime;
  } catch {
    return null;
  }
}

function isLaunchState(v: unknown): v is LaunchState {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.workerID === 'number' && typeof o.token === 'string' && typeof o.queuedAt === 'string'
    && typeof o.stdout === 'string' && typeof o.stderr === 'string'
    && o.env !== null && typeof o.env === 'object' && Object.values(o.env).every((v) => typeof v === 'string');
}

/** The launch record of an access point, or null when there is none (never submitted by us) or it is unreadable. */
export function readLaunchState(accessPoint: string): LaunchState | null {
  let text: string | null;
  try {
    text = readIfExists(apPath(accessPoint, AP_FILES.state));
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    return isLaunchState(v) ? v : null;
  } catch {
    return null;
  }
}

/** The exit status the wrapper recorded, or null while it has not (running, queued, or killed hard). */
export function readExitCode(accessPoint: string): number | null {
  const text = readIfExists(apPath(accessPoint, AP_FILES.exitCode));
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isInteger(n) ? n : null;
}
