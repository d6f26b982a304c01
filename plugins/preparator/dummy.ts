import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { InputPathsResult, Preparator, StageInResult } from '../../src/plugins/preparator';
import type { FileSpec, JobSpec } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { delay } from '../lib/delay';
import { constructFilePath } from '../lib/file-path';
import { TransferClock } from '../lib/transfers';

const attributes = {
  triggerDelay: { type: 'number', min: 0, default: 0, doc: 'ms each triggerPreparation call takes' },
  checkDelay: { type: 'number', min: 0, default: 0, doc: 'ms each checkStageInStatus call takes' },
  stageInTime: { type: 'number', min: 0, default: 0, doc: 'seconds from trigger until a file is staged in' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of input files whose stage-in fails (per PandaID, lfn and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  basePath: { type: 'string', default: path.join(os.tmpdir(), 'harvester-dummy-inputs'), doc: 'local storage root; inputs land at Rucio-style paths under it' },
  createFiles: { type: 'boolean', default: false, doc: 'create the input files (fsize bytes, max 1 MiB) so payloads can read them' },
} as const satisfies AttributeSchema;

const inputs = (job: JobSpec): FileSpec[] => job.inFiles.filter((f) => f.fileType === 'input' || f.fileType === 'aux_input');

/**
 * Pretend stage-in: triggering starts a clock per file, the check reports
 * `done` once every input's `stageInTime` has passed (`failed` if any input
 * drew a failure), and inputs resolve to Rucio-style paths under `basePath`.
 */
export class DummyPreparator implements Preparator {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private readonly clock = new TransferClock();

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  private key(job: JobSpec, f: FileSpec): string {
    return `${job.PandaID}:${f.lfn}`;
  }

  async triggerPreparation(job: JobSpec): Promise<StageInResult> {
    await delay(this.a.triggerDelay);
    const now = Date.now();
    const files = inputs(job);
    for (const f of files) this.clock.start(this.key(job, f), now);
    return { status: 'done', diag: files.length ? `triggered ${files.length} file(s)` : 'no inputs' };
  }

  async checkStageInStatus(job: JobSpec): Promise<StageInResult> {
    await delay(this.a.checkDelay);
    const now = Date.now();
    const files = inputs(job);
    const failed = files.filter((f) => happens(this.a.failureRate, this.a.seed, 'stagein', job.PandaID, f.lfn));
    if (failed.length) {
      return { status: 'failed', diag: `dummy stage-in failed for ${failed.map((f) => f.lfn).join(', ')}`, files: failed.map((f) => ({ fileID: f.fileID, status: 'failed' })) };
    }
    const waiting = files.filter((f) => this.clock.elapsedSec(this.key(job, f), now) < this.a.stageInTime);
    if (waiting.length) return { status: 'pending', diag: `${waiting.length} of ${files.length} file(s) still in transfer` };
    for (const f of files) this.clock.forget(this.key(job, f));
    if (this.a.createFiles) for (const f of files) this.createFile(f);
    return { status: 'done', diag: '' };
  }

  async resolveInputPaths(job: JobSpec): Promise<InputPathsResult> {
    // Keyed by LFN, unique per job: a null-prototype object is a dictionary in V8 (no new hidden class per key).
    const paths = Object.create(null) as Record<string, string>;
    for (const f of inputs(job)) paths[f.lfn] = constructFilePath(this.a.basePath, f.scope, f.lfn);
    return { status: 'done', diag: '', paths };
  }

  private createFile(f: FileSpec): void {
    const p = constructFilePath(this.a.basePath, f.scope, f.lfn);
    if (fs.existsSync(p)) return;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, Buffer.alloc(Math.min(Math.max(f.fsize ?? 0, 0), 1 << 20)));
  }
}
