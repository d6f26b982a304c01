import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { Stager, StageOutResult } from '../../src/plugins/stager';
import type { FileUpdate, JobSpec } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { delay } from '../lib/delay';
import { TransferClock } from '../lib/transfers';

const attributes = {
  triggerDelay: { type: 'number', min: 0, default: 0, doc: 'ms each triggerStageOut call takes' },
  checkDelay: { type: 'number', min: 0, default: 0, doc: 'ms each checkStageOutStatus call takes' },
  transferTime: { type: 'number', min: 0, default: 0, doc: 'seconds from trigger until a file has arrived' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of output files whose transfer fails (per PandaID, lfn and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  destination: { type: 'string', default: 'dummy://storage', doc: 'URL prefix reported for transferred files' },
} as const satisfies AttributeSchema;

/**
 * Pretend stage-out: triggering marks the job's files `transferring` and
 * starts their clocks; each check reports the files whose `transferTime` has
 * passed as `finished` (or `failed` for a `failureRate` share) and is `done`
 * once none is left in flight.
 */
export class DummyStager implements Stager {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private readonly clock = new TransferClock();

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async triggerStageOut(job: JobSpec): Promise<StageOutResult> {
    await delay(this.a.triggerDelay);
    const now = Date.now();
    const files = job.outFiles.map((f): FileUpdate => {
      this.clock.start(`${job.PandaID}:${f.lfn}`, now);
      return { fileID: f.fileID, status: 'transferring' };
    });
    return { status: 'done', diag: files.length ? `triggered ${files.length} file(s)` : 'no outputs', files };
  }

  async checkStageOutStatus(job: JobSpec): Promise<StageOutResult> {
    await delay(this.a.checkDelay);
    const now = Date.now();
    const files: FileUpdate[] = [];
    let inFlight = 0;
    for (const f of job.outFiles) {
      const key = `${job.PandaID}:${f.lfn}`;
      if (this.clock.elapsedSec(key, now) < this.a.transferTime) {
        inFlight += 1;
        continue;
      }
      this.clock.forget(key);
      const failed = happens(this.a.failureRate, this.a.seed, 'stageout', job.PandaID, f.lfn);
      files.push(failed
        ? { fileID: f.fileID, status: 'failed' }
        : { fileID: f.fileID, status: 'finished', url: `${this.a.destination}/${f.scope ?? 'panda'}/${f.lfn}` });
    }
    const nFailed = files.filter((f) => f.status === 'failed').length;
    return {
      status: inFlight ? 'pending' : 'done',
      diag: [inFlight ? `${inFlight} file(s) in transfer` : '', nFailed ? `${nFailed} file(s) failed` : ''].filter(Boolean).join('; '),
      files,
    };
  }
}
