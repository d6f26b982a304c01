import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expandAccessPoint } from '../../src/agents/submitter/access-point';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { Closeable, PluginContext } from '../../src/plugins/context';
import type { Stager, StageOutResult } from '../../src/plugins/stager';
import type { FileSpec, FileUpdate, JobSpec } from '../../src/plugins/types';
import type { Digest } from '../lib/checksum';
import { errText } from '../lib/local-copy/paths';
import { outputDestination, planStageOut, stageOut, type StageOutPlan, type StageOutProblem } from '../lib/local-copy/stage-out';
import { checkPlaceholders, expandPath, JOB_PLACEHOLDERS, jobValues, placeholdersOf } from '../lib/local-copy/template';
import { TransferSet } from '../lib/local-copy/transfer-set';

const attributes = {
  dstBase: { type: 'string', default: 'var/output', doc: 'output tree: files land in <dstBase>/<PandaID>/<lfn>; a dstBase with placeholders (${PandaID}, ${taskID}, ...) is the directory itself; relative = to the working directory' },
  accessPoint: { type: 'string', doc: 'the messenger\'s worker directory template (set it in the queue\'s common block to share it); outputs must lie inside their worker\'s access point' },
  allowedSourceDirs: { type: 'string[]', default: [], doc: 'further directories outputs may be copied from' },
  maxConcurrentCopies: { type: 'integer', min: 1, default: 4, doc: 'copies running at once in this plugin instance; the rest queue' },
} as const satisfies AttributeSchema;

/**
 * Stage-out by copying each output (and the log tarball) the payload reported
 * into a local output tree, computing its size and adler32 on the way: they
 * are written to the file row, so `outputFilesToReport` tells PanDA what was
 * stored. Sources must resolve inside the worker's access point or an
 * allowed directory; anything else is refused and logged.
 */
export class LocalCopyStager implements Stager, Closeable {
  static readonly attributes = attributes;
  private readonly dstBase: string;
  private readonly dstTemplated: boolean;
  private readonly allowed: string[];
  private readonly transfers: TransferSet<Digest>;

  constructor(private readonly a: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    checkPlaceholders('dstBase', a.dstBase, JOB_PLACEHOLDERS);
    this.dstBase = path.resolve(a.dstBase);
    this.dstTemplated = placeholdersOf(a.dstBase).length > 0;
    this.allowed = a.allowedSourceDirs.map((d) => path.resolve(d));
    this.transfers = new TransferSet(a.maxConcurrentCopies);
  }

  async triggerStageOut(job: JobSpec): Promise<StageOutResult> {
    const dir = this.destDir(job);
    if (typeof dir !== 'string') return this.refuse(job, job.outFiles.map((file) => ({ file, ...dir })));
    const plans: StageOutPlan[] = [];
    const problems: Array<{ file: FileSpec } & StageOutProblem> = [];
    for (const file of job.outFiles) {
      const plan = await planStageOut(file, this.roots(job, file), dir);
      if ('problem' in plan) problems.push({ file, ...plan });
      else plans.push(plan);
    }
    if (problems.length) return this.refuse(job, problems);
    for (const plan of plans) this.start(plan);
    return {
      status: 'done',
      diag: plans.length ? `copying ${plans.length} file(s) to ${dir}` : 'no outputs',
      files: job.outFiles.map((f): FileUpdate => ({ fileID: f.fileID, status: 'transferring' })),
    };
  }

  async checkStageOutStatus(job: JobSpec): Promise<StageOutResult> {
    const dir = this.destDir(job);
    if (typeof dir !== 'string') return this.refuse(job, job.outFiles.map((file) => ({ file, ...dir })));
    const ended: Array<{ file: FileSpec; dest: string; digest?: Digest; error?: string }> = [];
    let running = 0;
    for (const file of job.outFiles) {
      const dest = outputDestination(dir, file.lfn);
      if (typeof dest !== 'string') return this.refuse(job, [{ file, ...dest }]);
      const st = this.transfers.get(dest);
      if (st === undefined) {
        // Not started by this instance (restart, new configID): vet and copy again.
        const plan = await planStageOut(file, this.roots(job, file), dir);
        if ('problem' in plan) return this.refuse(job, [{ file, ...plan }]);
        this.start(plan);
        running += 1;
      } else if (st.state === 'running') running += 1;
      else ended.push(st.state === 'done' ? { file, dest, digest: st.result } : { file, dest, error: st.error });
    }
    // Report only when all are settled: a `pending` answer writes nothing, so earlier results would be lost.
    if (running) return { status: 'pending', diag: `${running} of ${job.outFiles.length} output copies still running` };
    for (const e of ended) this.transfers.forget(e.dest);
    const files = ended.map((e): FileUpdate => (e.digest
      ? { fileID: e.file.fileID, status: 'finished', fsize: e.digest.fsize, chksum: `ad:${e.digest.adler32 ?? ''}`, url: pathToFileURL(e.dest).href }
      : { fileID: e.file.fileID, status: 'failed' }));
    const failed = ended.filter((e) => e.error !== undefined);
    if (failed.length === 0) return { status: 'done', diag: '', files };
    const diag = `stage-out failed for PandaID ${job.PandaID}: ${failed.map((e) => `lfn ${e.file.lfn} (${e.file.path ?? '?'} → ${e.dest}): ${e.error}`).join('; ')}`;
    this.ctx.log.warn({ PandaID: job.PandaID, lfns: failed.map((e) => e.file.lfn) }, diag);
    return { status: 'failed', diag, files };
  }

  close(): void {
    this.transfers.close();
  }

  private start(plan: StageOutPlan): void {
    this.transfers.start(plan.dest, (signal) => stageOut(plan, signal));
  }

  /** `failed` for outputs that cannot be copied at all; path-safety refusals are logged with the offending path. */
  private refuse(job: JobSpec, problems: ReadonlyArray<{ file: FileSpec } & StageOutProblem>): StageOutResult {
    for (const p of problems.filter((x) => x.rejected)) {
      this.ctx.log.warn({ PandaID: job.PandaID, lfn: p.file.lfn, path: p.file.path, workerID: p.file.workerID }, `stage-out source rejected: ${p.problem}`);
    }
    const diag = `stage-out refused for PandaID ${job.PandaID}: ${problems.map((p) => `lfn ${JSON.stringify(p.file.lfn)}: ${p.problem}`).join('; ')}`;
    return { status: 'failed', diag, files: problems.map((p): FileUpdate => ({ fileID: p.file.fileID, status: 'failed' })) };
  }

  /** Where a file may come from: its worker's access point (when known), then `allowedSourceDirs`. */
  private roots(job: JobSpec, f: FileSpec): string[] {
    const roots: string[] = [];
    if (this.a.accessPoint !== undefined && typeof f.workerID === 'number') {
      const ap = expandAccessPoint(this.a.accessPoint, { workerID: f.workerID, computingSite: job.computingSite }, this.ctx.harvesterID);
      // A placeholder only the worker row could fill stays unexpanded: no usable root rather than a wrong one.
      if (!ap.includes('${')) roots.push(path.resolve(ap));
    }
    return [...roots, ...this.allowed];
  }

  private destDir(job: JobSpec): string | StageOutProblem {
    try {
      return this.dstTemplated
        ? path.resolve(expandPath(this.dstBase, jobValues(job, this.ctx.harvesterID)))
        : path.join(this.dstBase, String(job.PandaID));
    } catch (err) {
      return { problem: `dstBase: ${errText(err)}`, rejected: false };
    }
  }
}
