import * as fs from 'node:fs';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { KillResult, SweepResult, Sweeper } from '../../src/plugins/sweeper';
import type { WorkerSpec } from '../../src/plugins/types';
import { STATE_DIR } from '../lib/local-proc/attributes';
import { AP_FILES, apPath, readExitCode, writeFileAtomic } from '../lib/local-proc/files';
import { locate } from '../lib/local-proc/inspect';
import { killGroup } from '../lib/local-proc/kill';
import { forgetWorker } from '../lib/local-proc/registry';

const attributes = {
  stateDir: STATE_DIR,
  killGracePeriod: { type: 'number', min: 0, default: 10, doc: 'seconds between SIGTERM and SIGKILL to a payload\'s process group' },
} as const satisfies AttributeSchema;

/**
 * Kills payloads started by {@link LocalSubmitter}: marks the worker killed in
 * its access point (a queued payload then never starts, a running one is
 * reported `cancelled`), then SIGTERM to the whole process group and SIGKILL
 * after `killGracePeriod`. Sweeping removes the worker's queue/slot entries
 * and kills leftover processes of its group; the access point itself is the
 * messenger's (cleanUp).
 */
export class LocalSweeper implements Sweeper {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async killWorkers(workers: readonly WorkerSpec[]): Promise<KillResult[]> {
    // In parallel: each kill may wait up to the grace period.
    return Promise.all(workers.map((w) => this.killOne(w, this.a.killGracePeriod * 1000)));
  }

  async sweepWorkers(workers: readonly WorkerSpec[]): Promise<SweepResult[]> {
    return Promise.all(workers.map(async (w): Promise<SweepResult> => {
      // The worker is final and old: leftovers get no grace.
      const k = await this.killOne(w, 0, false);
      if (k.status === 'failed') return { status: 'failed', diag: k.diag };
      try {
        const token = w.accessPoint ? locate(w).state?.token : undefined;
        forgetWorker(this.a.stateDir, w.workerID, token);
      } catch (err) {
        return { status: 'failed', diag: `worker ${w.workerID}: cannot remove its entries from ${this.a.stateDir}: ${(err as Error).message}` };
      }
      return { status: 'swept', diag: k.diag };
    }));
  }

  private async killOne(w: WorkerSpec, graceMs: number, mark = true): Promise<KillResult> {
    const ap = w.accessPoint ?? null;
    try {
      const loc = locate(w);
      // The mark comes first: a wrapper starting right now sees it, or has already announced its
      // batchID so that locate() finds it (the wrapper writes .batchid before checking .killed).
      if (mark && ap && fs.existsSync(ap) && loc.state && readExitCode(ap) === null) {
        writeFileAtomic(apPath(ap, AP_FILES.killed), new Date().toISOString());
      }
      const after = locate(w);
      if (!after.ref) {
        if (after.state) forgetWorker(this.a.stateDir, w.workerID, after.state.token);
        return { status: 'killed', diag: after.state ? `worker ${w.workerID} had not started: dropped from the queue` : `worker ${w.workerID} batchID ${w.batchID ?? 'null'}: no local process to kill` };
      }
      const out = await killGroup(after.ref, after.state?.token ?? null, graceMs);
      if (out.signalled) this.ctx.log.info({ workerID: w.workerID, batchID: after.batchID, pid: after.ref.pid, forced: out.forced }, 'local-proc: payload killed');
      return { status: 'killed', diag: out.diag };
    } catch (err) {
      const diag = `worker ${w.workerID} batchID ${w.batchID ?? 'null'}: kill failed: ${(err as Error).message}`;
      this.ctx.log.warn({ workerID: w.workerID, batchID: w.batchID, diag }, 'local-proc: kill failed');
      return { status: 'failed', diag };
    }
  }
}
