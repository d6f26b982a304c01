import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { Monitor, UpdatedWorker, WorkerCheck } from '../../src/plugins/monitor';
import type { WorkerSpec } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { killedAt, readStatusFile, submittedAt, writeStatusFile } from '../lib/dummy-batch';
import { delay } from '../lib/delay';

const attributes = {
  runAfter: { type: 'number', min: 0, default: 0, doc: 'seconds from submission until a worker runs' },
  finishAfter: { type: 'number', min: 0, default: 0, doc: 'seconds a worker runs before it ends' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of workers that end failed instead of finished (per workerID and seed)' },
  unknownRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of checks that cannot tell (scheduler hiccup; per workerID, call and seed)' },
  checkDelay: { type: 'number', min: 0, default: 0, doc: 'ms each checkWorkers call takes' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic choices' },
  writeStatusFile: { type: 'boolean', default: true, doc: 'write the final status into <accessPoint>/status.txt when the directory exists' },
} as const satisfies AttributeSchema;

/**
 * Monitors the dummy batch system: a worker is `submitted` for `runAfter`
 * seconds after its submission, then `running` for `finishAfter` seconds,
 * then `finished` (or `failed` for a `failureRate` share). Killed workers are
 * `cancelled`; a valid status in `<accessPoint>/status.txt` other than
 * `submitted` overrides the clock (the original's dummy monitor read it).
 * A worker without a dummy batchID or submitTime is `unknown`.
 */
export class DummyMonitor implements Monitor {
  static readonly attributes = attributes;
  readonly checkTimeout?: number;
  readonly fifoCheckInterval?: number;
  private readonly a: AttributesOf<typeof attributes>;
  private calls = 0;
  private readonly lastChanged = new Map<number, { status: string; at: number }>();

  constructor(attrs: AttributesOf<typeof attributes> & { checkTimeout?: number; fifoCheckInterval?: number }, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.checkTimeout = attrs.checkTimeout;
    this.fifoCheckInterval = attrs.fifoCheckInterval;
  }

  async checkWorkers(workers: readonly WorkerSpec[]): Promise<WorkerCheck[]> {
    if (workers.length === 0) return [];
    await delay(this.a.checkDelay);
    this.calls += 1;
    const now = Date.now();
    return workers.map((w) => {
      const check = this.checkOne(w, now);
      const prev = this.lastChanged.get(w.workerID);
      if (!prev || prev.status !== check.status) this.lastChanged.set(w.workerID, { status: check.status, at: now });
      return check;
    });
  }

  /** Workers whose dummy status changed within the window, as seen by this instance's checks. */
  async reportUpdatedWorkers(timeWindowSec: number): Promise<UpdatedWorker[]> {
    const since = Date.now() - timeWindowSec * 1000;
    return [...this.lastChanged.entries()]
      .filter(([, v]) => v.at >= since)
      .map(([workerID, v]) => ({ workerID, updatedAt: new Date(v.at) }));
  }

  private checkOne(w: WorkerSpec, now: number): WorkerCheck {
    if (happens(this.a.unknownRate, this.a.seed, 'unknown', w.workerID, this.calls)) {
      return { status: 'unknown', diag: 'dummy scheduler did not answer' };
    }
    const killed = killedAt(w.batchID);
    if (killed !== undefined) {
      return { status: 'cancelled', diag: 'killed', update: { nativeStatus: 'CANCELLED', endTime: new Date(killed) } };
    }
    const forced = readStatusFile(w);
    if (forced && forced !== 'submitted') return { status: forced, diag: 'status.txt', update: { nativeStatus: forced } };
    const t0 = submittedAt(w);
    if (t0 === null) return { status: 'unknown', diag: `batchID ${w.batchID ?? 'null'} not known to the dummy batch system` };
    const start = t0 + this.a.runAfter * 1000;
    const end = start + this.a.finishAfter * 1000;
    if (now < start) return { status: 'submitted', diag: '', update: { nativeStatus: 'PENDING' } };
    if (now < end) return { status: 'running', diag: '', update: { nativeStatus: 'RUNNING', startTime: new Date(start) } };
    const failed = happens(this.a.failureRate, this.a.seed, 'fail', w.workerID);
    const status = failed ? 'failed' : 'finished';
    if (this.a.writeStatusFile) writeStatusFile(w, status);
    return {
      status,
      diag: failed ? `dummy payload failed (failureRate ${this.a.failureRate})` : '',
      update: {
        nativeStatus: failed ? 'FAILED' : 'COMPLETED',
        nativeExitCode: failed ? 1 : 0,
        startTime: new Date(start),
        endTime: new Date(end),
        ...(failed ? { errorCode: 1008, errorDiag: 'dummy payload failure' } : {}),
      },
    };
  }
}
