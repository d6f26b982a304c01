/**
 * A harvester master (real process, compiled JS) running real shell payloads
 * through the local plugins — LocalSubmitter/Monitor/Sweeper, the shared-file
 * messenger, the local-copy preparator and stager — against a WMS in the test
 * process (so a test can SIGKILL harvester without losing upstream state).
 * Jobs and inputs come from scripts/make-demo-jobs.cjs, the generator of the
 * `npm start` demo; payloads default to etc/demo/payload.sh.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { JsonObject } from '../../src/upstream/json';
import { startWms, type WmsHandle } from '../../src/wms/server';
import { repoRoot, spawnNode, type HarvesterProcess } from './master-process';
import { fastCycleConfig } from './fast-cycle-config';

export const DEMO_PAYLOAD = path.join(repoRoot, 'etc/demo/payload.sh');
export const QUEUE = 'LOCAL_E2E';
export const HARVESTER_ID = 'local-e2e';

export interface LocalDemoOptions {
  nJobs: number;
  /** Payload seconds of work, e.g. '1' or '1-3'. */
  seconds?: string;
  maxConcurrent?: number;
  /** Sweeper keep time for every worker status, in hours. */
  keepHours?: number;
  /** Extra payload environment (DEMO_MARKER ...). */
  env?: Record<string, string>;
  /** Changes the generated job dicts before the WMS loads them. */
  editJobs?: (jobs: JsonObject[]) => void;
}

export interface LocalDemo {
  dir: string;
  configFile: string;
  wms: WmsHandle;
  outputDir: string;
  workersDir: string;
  jobs: JsonObject[];
  start(): HarvesterProcess;
  close(): Promise<void>;
}

function systemConfig(dir: string, apiUrl: string, keepHours: number): string {
  return fastCycleConfig({
    harvesterID: HARVESTER_ID, dir, upstream: { apiUrl, timeout: 10 }, keepHours, sections: { master: { progressInterval: 2 } },
  });
}

function queueConfig(dir: string, o: LocalDemoOptions): JsonObject {
  const ap = path.join(dir, 'workers', '${workerID}');
  return {
    [QUEUE]: {
      prodSourceLabel: 'managed',
      mapType: 'OneToOne',
      maxWorkers: o.nJobs,
      nQueueLimitJob: o.nJobs,
      nQueueLimitWorker: o.nJobs,
      maxNewWorkersPerCycle: o.nJobs,
      maxSubmissionAttempts: 3,
      common: { stateDir: path.join(dir, 'local-proc'), maxConcurrent: o.maxConcurrent ?? 4 },
      preparator: { module: 'local_copy', name: 'LocalCopyPreparator', sourceDir: path.join(dir, 'inputs'), basePath: path.join(dir, 'input', '${PandaID}') },
      workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' },
      messenger: { module: 'shared_file', name: 'SharedFileMessenger', accessPoint: ap },
      submitter: { module: 'local', name: 'LocalSubmitter', pumpInterval: 1, executable: 'sh {transformation} {jobPars}', env: o.env ?? {} },
      monitor: { module: 'local', name: 'LocalMonitor', pumpInterval: 1 },
      stager: { module: 'local_copy', name: 'LocalCopyStager', dstBase: path.join(dir, 'output'), accessPoint: ap },
      sweeper: { module: 'local', name: 'LocalSweeper', killGracePeriod: 2 },
    },
  };
}

export async function makeLocalDemo(o: LocalDemoOptions): Promise<LocalDemo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-local-demo-'));
  execFileSync(process.execPath, [
    path.join(repoRoot, 'scripts/make-demo-jobs.cjs'),
    '--dir', dir, '--count', String(o.nJobs), '--site', QUEUE, '--transformation', DEMO_PAYLOAD, '--seconds', o.seconds ?? '1',
  ], { stdio: 'pipe' });
  const jobsFile = path.join(dir, 'wms-jobs.json');
  const jobs = (JSON.parse(fs.readFileSync(jobsFile, 'utf8')) as { jobs: JsonObject[] }).jobs;
  o.editJobs?.(jobs);
  fs.writeFileSync(jobsFile, JSON.stringify({ jobs }));
  const wms = await startWms({ port: 0, host: '127.0.0.1', jobsFile });
  const configFile = path.join(dir, 'harvester.cfg');
  fs.writeFileSync(configFile, systemConfig(dir, wms.apiUrl, o.keepHours ?? 0.001));
  fs.writeFileSync(path.join(dir, 'queues.json'), JSON.stringify(queueConfig(dir, o), null, 1));
  const procs: HarvesterProcess[] = [];
  return {
    dir, configFile, wms, jobs,
    outputDir: path.join(dir, 'output'),
    workersDir: path.join(dir, 'workers'),
    start() {
      const p = spawnNode('bin/harvester.js', ['-c', configFile, 'start']);
      procs.push(p);
      return p;
    },
    async close() {
      for (const p of procs) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill('SIGKILL');
          await p.exited;
        }
      }
      await wms.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` every 500 ms until it returns a value; the error says what was last seen. */
export async function poll<T>(what: string, timeoutMs: number, fn: () => T | undefined | Promise<T | undefined>, last: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last()}`);
}

/** adler32 written out here, independent of the plugins' implementation. */
export function adler32Hex(buf: Buffer): string {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (((b << 16) | a) >>> 0).toString(16).padStart(8, '0');
}
