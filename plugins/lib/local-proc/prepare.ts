import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { WorkerSpec } from '../../../src/plugins/types';
import { AP_FILES, apPath, writeFileAtomic, type LaunchState } from './files';
import { planLaunch, type LaunchOptions } from './launch';
import { enqueue } from './pump';
import { entryName } from './registry';
import { payloadScript, WRAPPER_SCRIPT } from './wrapper';

export interface PrepareOptions extends LaunchOptions {
  stateDir: string;
  stdout: string;
  stderr: string;
}

/** Files of an earlier run in the same access point would be taken for this one's. */
const STALE = [AP_FILES.batchID, AP_FILES.exitCode, AP_FILES.killed, AP_FILES.launchError];

/**
 * Writes a worker's launch into its access point (wrapper, payload script,
 * launch record with the environment) and puts it in the host queue. Nothing
 * runs yet: the pump starts it when a slot is free, in this or any later
 * harvester process.
 * @returns the launch record
 * @throws LaunchError (permanent: bad job or config) or a file-system error
 */
export function prepareWorker(w: WorkerSpec, accessPoint: string, o: PrepareOptions): LaunchState {
  if (!fs.statSync(accessPoint, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`worker ${w.workerID}: access point ${accessPoint} is not a directory (the messenger sets it up before submission)`);
  }
  // Hex only: the token is part of registry file names split on '-'.
  const token = randomBytes(8).toString('hex');
  const plan = planLaunch(w, accessPoint, token, o);
  for (const name of STALE) fs.rmSync(apPath(accessPoint, name), { force: true });
  const state: LaunchState = {
    workerID: w.workerID, token, queuedAt: new Date().toISOString(), stdout: o.stdout, stderr: o.stderr, env: plan.env,
  };
  writeFileAtomic(apPath(accessPoint, AP_FILES.wrapper), WRAPPER_SCRIPT, 0o755);
  writeFileAtomic(apPath(accessPoint, AP_FILES.payload), payloadScript(w.workerID, plan.steps), 0o755);
  // 0600: the environment may carry credentials given in the `env` attribute.
  writeFileAtomic(apPath(accessPoint, AP_FILES.state), JSON.stringify(state, null, 1), 0o600);
  enqueue(o.stateDir, { workerID: w.workerID, accessPoint, token }, entryName(w.workerID, token));
  return state;
}
