import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { KillResult, SweepResult, Sweeper } from '../../src/plugins/sweeper';
import type { WorkerSpec } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { forgetBatchJob, markKilled, STATUS_FILE, writeStatusFile } from '../lib/dummy-batch';
import { delay } from '../lib/delay';

const attributes = {
  killDelay: { type: 'number', min: 0, default: 0, doc: 'ms each killWorkers call takes' },
  sweepDelay: { type: 'number', min: 0, default: 0, doc: 'ms each sweepWorkers call takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of kill and sweep attempts that fail (per workerID, attempt and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  removeStatusFile: { type: 'boolean', default: true, doc: 'on sweep, delete <accessPoint>/status.txt (the dummy batch system\'s only file)' },
} as const satisfies AttributeSchema;

/**
 * Kills workers in the dummy batch system (they then check as `cancelled`,
 * `status.txt` says so too) and forgets them on sweep. Workers without a
 * batchID have nothing to kill and are reported killed.
 */
export class DummySweeper implements Sweeper {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private attempts = 0;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async killWorkers(workers: readonly WorkerSpec[]): Promise<KillResult[]> {
    if (workers.length === 0) return [];
    await delay(this.a.killDelay);
    this.attempts += 1;
    const now = Date.now();
    return workers.map((w): KillResult => {
      if (!w.batchID) return { status: 'killed', diag: `worker ${w.workerID} has no batchID: nothing to kill` };
      if (happens(this.a.failureRate, this.a.seed, 'kill', w.workerID, this.attempts)) {
        return { status: 'failed', diag: `dummy kill of ${w.batchID} failed` };
      }
      markKilled(w.batchID, now);
      writeStatusFile(w, 'cancelled');
      return { status: 'killed', diag: '' };
    });
  }

  async sweepWorkers(workers: readonly WorkerSpec[]): Promise<SweepResult[]> {
    if (workers.length === 0) return [];
    await delay(this.a.sweepDelay);
    this.attempts += 1;
    return workers.map((w): SweepResult => {
      if (happens(this.a.failureRate, this.a.seed, 'sweep', w.workerID, this.attempts)) {
        return { status: 'failed', diag: `dummy sweep of worker ${w.workerID} failed` };
      }
      forgetBatchJob(w.batchID);
      if (this.a.removeStatusFile && w.accessPoint) fs.rmSync(path.join(w.accessPoint, STATUS_FILE), { force: true });
      return { status: 'swept', diag: '' };
    });
  }
}
