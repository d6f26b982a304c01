import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { Monitor, WorkerCheck } from '../../src/plugins/monitor';
import type { WorkerSpec } from '../../src/plugins/types';
import { MAX_CONCURRENT, PUMP_INTERVAL, START_GRACE, STATE_DIR } from '../lib/local-proc/attributes';
import { inspectWorker } from '../lib/local-proc/inspect';
import { pump, type PumpOptions } from '../lib/local-proc/pump';
import { keepPumping } from '../lib/local-proc/pump-timer';

const attributes = {
  stateDir: STATE_DIR,
  maxConcurrent: MAX_CONCURRENT,
  startGrace: START_GRACE,
  pumpInterval: PUMP_INTERVAL,
} as const satisfies AttributeSchema;

/**
 * Watches payloads started by {@link LocalSubmitter} — from any harvester
 * process, including one that has since died: everything it needs is in the
 * access point (`.batchid`, `.exitcode`, `.killed`) and the host's
 * `stateDir`, so a restarted harvester re-attaches to running payloads
 * instead of losing or re-running them. Each check first starts queued
 * payloads for the slots freed since the last one.
 *
 * running ← wrapper alive (same pid and start time); finished ← exit 0;
 * failed ← other exit codes (nativeExitCode = errorCode = the code) or a
 * wrapper gone without exit code; cancelled ← killed by the sweeper;
 * submitted ← waiting for a slot.
 */
export class LocalMonitor implements Monitor {
  static readonly attributes = attributes;
  readonly checkTimeout?: number;
  readonly fifoCheckInterval?: number;
  private readonly a: AttributesOf<typeof attributes>;

  constructor(attrs: AttributesOf<typeof attributes> & { checkTimeout?: number; fifoCheckInterval?: number }, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.checkTimeout = attrs.checkTimeout;
    this.fifoCheckInterval = attrs.fifoCheckInterval;
  }

  private pumpOptions(): PumpOptions {
    return { stateDir: this.a.stateDir, maxConcurrent: this.a.maxConcurrent, startGraceMs: this.a.startGrace * 1000, log: this.ctx.log };
  }

  async checkWorkers(workers: readonly WorkerSpec[]): Promise<WorkerCheck[]> {
    if (workers.length === 0) return [];
    try {
      const r = await pump(this.pumpOptions());
      if (r.queued > 0) keepPumping(this.pumpOptions(), this.a.pumpInterval * 1000);
    } catch (err) {
      // Starting queued payloads can wait for the next check; statuses cannot.
      this.ctx.log.warn({ err, stateDir: this.a.stateDir }, 'local-proc: could not start queued payloads this check');
    }
    return workers.map((w): WorkerCheck => {
      try {
        return inspectWorker(w, this.a.stateDir, this.a.startGrace * 1000);
      } catch (err) {
        const diag = `worker ${w.workerID} batchID ${w.batchID ?? 'null'} (access point ${w.accessPoint ?? 'none'}): check failed: ${(err as Error).message}`;
        this.ctx.log.warn({ workerID: w.workerID, batchID: w.batchID, diag }, 'local-proc: check failed');
        return { status: 'unknown', diag };
      }
    });
  }
}
