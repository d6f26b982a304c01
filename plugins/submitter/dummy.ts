import * as os from 'node:os';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { SubmitResult, Submitter } from '../../src/plugins/submitter';
import type { WorkerSpec } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { newBatchID, writeStatusFile } from '../lib/dummy-batch';
import { delay } from '../lib/delay';

const attributes = {
  submitDelay: { type: 'number', min: 0, default: 0, doc: 'ms each submitWorkers call takes (scheduler round trip)' },
  submitDelayPerWorker: { type: 'number', min: 0, default: 0, doc: 'extra ms per worker in the call' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of workers whose submission fails (decided per workerID and seed)' },
  temporaryFailures: { type: 'boolean', default: true, doc: 'report failures as temporary (jobs retried) rather than permanent' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  batchQueue: { type: 'string', default: 'dummy', doc: 'batch-system queue name reported as the worker\'s queueName' },
  computingElement: { type: 'string', default: 'dummy-ce', doc: 'CE reported for each worker' },
  writeStatusFile: { type: 'boolean', default: true, doc: 'write `submitted` into <accessPoint>/status.txt when the directory exists' },
} as const satisfies AttributeSchema;

/**
 * A submitter for a pretend batch system: hands out batchIDs that encode the
 * submission time (the dummy monitor derives each worker's life from it) and,
 * like the original's dummy_submitter, writes `submitted` into
 * `<accessPoint>/status.txt` when the access point directory exists.
 */
export class DummySubmitter implements Submitter {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async submitWorkers(workers: readonly WorkerSpec[]): Promise<SubmitResult[]> {
    if (workers.length === 0) return [];
    await delay(this.a.submitDelay + this.a.submitDelayPerWorker * workers.length);
    const now = Date.now();
    const submissionHost = os.hostname();
    return workers.map((w): SubmitResult => {
      if (happens(this.a.failureRate, this.a.seed, 'submit', w.workerID)) {
        return { status: 'failed', temporary: this.a.temporaryFailures, diag: `dummy submission of worker ${w.workerID} failed (failureRate ${this.a.failureRate})` };
      }
      const batchID = newBatchID(w.workerID, now);
      if (this.a.writeStatusFile) writeStatusFile(w, 'submitted');
      return {
        status: 'submitted',
        batchID,
        diag: '',
        update: { queueName: this.a.batchQueue, computingElement: this.a.computingElement, submissionHost },
        ...(w.accessPoint
          ? { logFiles: { stdOut: `${w.accessPoint}/stdout.txt`, stdErr: `${w.accessPoint}/stderr.txt`, batchLog: `${w.accessPoint}/batch.log` } }
          : {}),
      };
    });
  }
}
