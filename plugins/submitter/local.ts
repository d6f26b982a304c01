import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { SubmitResult, Submitter } from '../../src/plugins/submitter';
import type { WorkerSpec } from '../../src/plugins/types';
import { MAX_CONCURRENT, PUMP_INTERVAL, START_GRACE, STATE_DIR } from '../lib/local-proc/attributes';
import { QUEUED_PREFIX } from '../lib/local-proc/batch-id';
import { AP_FILES, readIfExists, type LaunchState } from '../lib/local-proc/files';
import { LaunchError } from '../lib/local-proc/launch';
import { prepareWorker } from '../lib/local-proc/prepare';
import { pump, type PumpOptions } from '../lib/local-proc/pump';
import { keepPumping } from '../lib/local-proc/pump-timer';

const attributes = {
  stateDir: STATE_DIR,
  maxConcurrent: MAX_CONCURRENT,
  startGrace: START_GRACE,
  pumpInterval: PUMP_INTERVAL,
  executable: {
    type: 'string',
    doc: 'command template run by sh (default: "{transformation} {jobPars}" of each job); {name} takes a job param or workerID, accessPoint, computingSite, nCore, harvesterID, PandaID; required for job-less (NoJob) workers',
  },
  jobSpecFiles: {
    type: 'string[]',
    default: ['HPCJobs.json', 'pandaJobData.out'],
    doc: 'job spec file names the messenger may have written ([payload_interaction] jobSpecFile); the first found is read',
  },
  stdout: { type: 'string', default: 'payload_stdout.txt', doc: 'file in the access point receiving the payload\'s stdout' },
  stderr: { type: 'string', default: 'payload_stderr.txt', doc: 'file in the access point receiving the payload\'s stderr' },
  inheritEnv: {
    type: 'string[]',
    default: ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'],
    doc: 'variables of harvester\'s environment passed to payloads (the rest, e.g. DB passwords, is not)',
  },
  env: { type: 'object', default: {}, doc: 'extra environment of every payload (string/number/boolean values)' },
} as const satisfies AttributeSchema;

type Attrs = AttributesOf<typeof attributes>;

const CONTROL_FILES: readonly string[] = Object.values(AP_FILES);

/**
 * Runs each worker's payload as a local process (facts §6.3 has no local
 * submitter; this is ours): a detached process group per worker, cwd = its
 * access point, at most `maxConcurrent` at once on the host — the rest are
 * accepted as `submitted` and queued in `stateDir`, started later by the
 * monitor (or a timer) in whichever harvester process runs then.
 *
 * The batchID is `<pid>:<starttime>` of the payload's wrapper, or
 * `queued:<workerID>.<token>` until it starts (the monitor then reports the
 * real one). See docs/plugins.md "Local process submitter/monitor/sweeper".
 */
export class LocalSubmitter implements Submitter {
  static readonly attributes = attributes;

  /** Output file names are joined to the access point: plain names only, not ours. */
  static validate(attrs: Readonly<Record<string, unknown>>): Record<string, unknown> {
    for (const key of ['stdout', 'stderr']) {
      const v = attrs[key];
      if (typeof v !== 'string') continue;
      if (!v || v !== path.basename(v) || v === '.' || v === '..' || CONTROL_FILES.includes(v)) {
        throw new Error(`attribute "${key}" must be a plain file name for the access point, got ${JSON.stringify(v)}`);
      }
    }
    return { ...attrs };
  }

  private readonly a: Attrs;

  constructor(attrs: Attrs, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  private pumpOptions(): PumpOptions {
    return { stateDir: this.a.stateDir, maxConcurrent: this.a.maxConcurrent, startGraceMs: this.a.startGrace * 1000, log: this.ctx.log };
  }

  async submitWorkers(workers: readonly WorkerSpec[]): Promise<SubmitResult[]> {
    if (workers.length === 0) return [];
    const prepared: (LaunchState | SubmitResult)[] = workers.map((w) => this.prepare(w));
    let started = new Map<number, string>();
    let queued = 0;
    if (prepared.some((p) => 'token' in p)) {
      try {
        const r = await pump(this.pumpOptions());
        started = r.started;
        queued = r.queued;
      } catch (err) {
        // Still queued, not lost: the monitor's next pump starts them.
        this.ctx.log.warn({ err, stateDir: this.a.stateDir }, 'local-proc: could not start payloads now; they stay queued');
        queued = 1;
      }
    }
    if (queued > 0) keepPumping(this.pumpOptions(), this.a.pumpInterval * 1000);
    const host = os.hostname();
    return workers.map((w, i): SubmitResult => {
      const p = prepared[i];
      if (!('token' in p)) return p;
      const ap = path.resolve(w.accessPoint as string);
      // The pump could not spawn it (it wrote why): say so now rather than at the first monitor check.
      const launchError = readIfExists(path.join(ap, AP_FILES.launchError));
      if (launchError !== null) return { status: 'failed', temporary: true, diag: launchError };
      const batchID = started.get(w.workerID) ?? `${QUEUED_PREFIX}${w.workerID}.${p.token}`;
      return {
        status: 'submitted',
        batchID,
        diag: started.has(w.workerID) ? '' : 'queued for a free slot (maxConcurrent)',
        update: { submissionHost: host, nodeID: host, computingElement: host },
        logFiles: { stdOut: path.join(ap, p.stdout), stdErr: path.join(ap, p.stderr) },
      };
    });
  }

  private prepare(w: WorkerSpec): LaunchState | SubmitResult {
    if (!w.accessPoint) {
      return { status: 'failed', temporary: false, diag: `worker ${w.workerID} has no access point: the local submitter runs payloads in it (set the messenger's accessPoint)` };
    }
    try {
      return prepareWorker(w, path.resolve(w.accessPoint), {
        stateDir: this.a.stateDir,
        stdout: this.a.stdout,
        stderr: this.a.stderr,
        executable: this.a.executable,
        jobSpecFiles: this.a.jobSpecFiles,
        inheritEnv: this.a.inheritEnv,
        env: this.a.env,
        harvesterID: this.ctx.harvesterID,
        parentEnv: process.env,
      });
    } catch (err) {
      const permanent = err instanceof LaunchError;
      const diag = permanent ? (err as Error).message : `worker ${w.workerID} (access point ${w.accessPoint}): ${(err as Error).message}`;
      this.ctx.log.warn({ workerID: w.workerID, accessPoint: w.accessPoint, diag }, 'local-proc: submission failed');
      return { status: 'failed', temporary: !permanent, diag };
    }
  }
}
