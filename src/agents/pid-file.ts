import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds a pid file: first line pid (so `kill $(head -1 FILE)` works), then host and start time. */
export interface PidFileHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/** A second master tried to start where a live one already runs. */
export class MasterRunningError extends Error {
  constructor(
    readonly file: string,
    readonly holder: PidFileHolder,
    what: string,
  ) {
    const sameHost = holder.host === hostName();
    super(
      `another harvester master is already running on ${what}: pid ${holder.pid} on host ${holder.host}` +
        ` (since ${holder.startedAt}); lock file ${file}. ` +
        (sameHost
          ? 'Stop it first (pm2 stop, or kill -INT that pid).'
          : 'It runs on another host, so its liveness cannot be checked from here; stop it there, or remove the lock file if that host is gone.'),
    );
    this.name = 'MasterRunningError';
  }
}

export interface PidFile {
  readonly path: string;
  /** The stale holder whose file was taken over, if any (worth a log line). */
  readonly tookOverFrom?: PidFileHolder;
  /** Removes the file if it is still ours. */
  release(): void;
}

function hostName(): string {
  return os.hostname().split('.')[0];
}

function parse(text: string): PidFileHolder | undefined {
  const [pidLine, host, startedAt] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, host: host || hostName(), startedAt: startedAt || 'unknown' };
}

/** EPERM means the pid exists but belongs to someone else: still alive. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A holder is stale when it ran on this host and its pid is gone, or is our own
 * pid (a container restarted and handed us the pid the previous master had).
 * A holder on another host cannot be checked, so it counts as live.
 */
function isStale(holder: PidFileHolder | undefined): boolean {
  if (!holder) return true;
  if (holder.host !== hostName()) return false;
  return holder.pid === process.pid || !isAlive(holder.pid);
}

/**
 * Takes the pid file at `file` exclusively (O_EXCL create), or throws
 * MasterRunningError naming the live holder. `what` describes the guarded
 * resource for the message (e.g. "sqlite database var/harvester.db").
 */
export function acquirePidFile(file: string, what: string): PidFile {
  const mine = `${process.pid}\n${hostName()}\n${new Date().toISOString()}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let tookOverFrom: PidFileHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx', mode: 0o644 });
      return {
        path: file,
        ...(tookOverFrom ? { tookOverFrom } : {}),
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === mine) fs.unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new Error(`cannot create master lock file ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // removed between our create and read: try again
    }
    const holder = parse(text);
    if (!isStale(holder)) throw new MasterRunningError(file, holder as PidFileHolder, what);
    tookOverFrom = holder;
    // Re-read just before unlinking so that a contender who already replaced the
    // stale file keeps its own (narrows, not closes, the window; O_EXCL decides).
    try {
      if (fs.readFileSync(file, 'utf8') === text) fs.unlinkSync(file);
    } catch {
      // Gone already: the next attempt creates it.
    }
  }
  throw new Error(`cannot take master lock file ${file}: it keeps changing (another master starting at the same time?)`);
}
