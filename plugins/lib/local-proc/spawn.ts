import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBatchID, type ProcessRef } from './batch-id';
import { AP_FILES, readIfExists, type LaunchState } from './files';
import { readProcStat } from './proc';

/**
 * Starts a worker's wrapper as a detached session and process-group leader
 * (setsid): it survives harvester, and a kill can reach the whole payload
 * through the group. stdout/stderr go to files in the access point (appended,
 * never pipes: a pipe would break when harvester exits), stdin is closed.
 * @returns the wrapper's pid and start time (its batchID)
 * @throws Error with workerID and access point when the spawn fails
 */
export function spawnWrapper(accessPoint: string, state: LaunchState): ProcessRef {
  const where = `worker ${state.workerID} (access point ${accessPoint})`;
  const out = fs.openSync(path.join(accessPoint, state.stdout), 'a');
  let err: number | undefined;
  try {
    err = fs.openSync(path.join(accessPoint, state.stderr), 'a');
    const child = spawn('/bin/sh', [AP_FILES.wrapper], {
      cwd: accessPoint,
      detached: true,
      stdio: ['ignore', out, err],
      env: state.env,
    });
    // Spawn failures are also emitted asynchronously; without a listener they would crash harvester.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`${where}: could not start /bin/sh ${AP_FILES.wrapper}`);
    child.unref();
    // Read at once: the child cannot have been reaped yet (that needs an event-loop turn), so
    // /proc/<pid>/stat exists even if it already exited. The wrapper writes the same id itself.
    const st = readProcStat(child.pid);
    if (st) return { pid: child.pid, startTime: st.startTime };
    const own = parseBatchID(readIfExists(path.join(accessPoint, AP_FILES.batchID)));
    if (own && own.pid === child.pid) return own;
    throw new Error(`${where}: started pid ${child.pid} but cannot read its start time from /proc`);
  } finally {
    fs.closeSync(out);
    if (err !== undefined) fs.closeSync(err);
  }
}
