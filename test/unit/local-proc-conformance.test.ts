import * as fs from 'node:fs';
import { afterAll, describe } from 'vitest';
import type { WorkerSpec } from '../../src/plugins/types';
import { monitorConformance, submitterConformance, sweeperConformance } from '../conformance';
import { asSubmitted, localPlugin, makeEnv, makeJobWorker } from '../fixtures/local-proc/harness';

// Real processes, kept short: `exit 0` payloads, `sleep 3` ones only where the sweeper must kill something.
const env = makeEnv('local-proc-conf-');
const common = { stateDir: env.stateDir };
const submitterAttrs = { ...common, maxConcurrent: 8, pumpInterval: 0 };

async function submitted(n: number, command: string) {
  const submitter = await localPlugin('submitter', submitterAttrs);
  const ws = Array.from({ length: n }, () => makeJobWorker(env, command));
  const results = await submitter.submitWorkers(ws);
  return asSubmitted(ws, results.map((r) => r.batchID));
}

async function killAll(submittedWorkers: { worker: WorkerSpec; batchID: string }[]) {
  const sweeper = await localPlugin('sweeper', { ...common, killGracePeriod: 1 });
  await sweeper.killWorkers(asSubmitted(submittedWorkers.map((s) => s.worker), submittedWorkers.map((s) => s.batchID)));
}

afterAll(() => {
  fs.rmSync(env.root, { recursive: true, force: true });
});

describe('local-process plugins pass their conformance suites', () => {
  submitterConformance(() => localPlugin('submitter', submitterAttrs), {
    name: 'local submitter, real payloads',
    makeWorkers: (n) => Array.from({ length: n }, () => makeJobWorker(env, 'exit 0')),
    cleanup: killAll,
  });
  // Default workers have no access point: every submission fails, permanently and with a reason.
  submitterConformance(() => localPlugin('submitter', submitterAttrs), { name: 'local submitter, workers without access point' });

  monitorConformance(() => localPlugin('monitor', submitterAttrs), { name: 'local monitor', submitWorkers: (n) => submitted(n, 'exit 0') });

  sweeperConformance(() => localPlugin('sweeper', { ...common, killGracePeriod: 1 }), {
    name: 'local sweeper',
    submitWorkers: (n) => submitted(n, 'sleep 3'),
  });
});
