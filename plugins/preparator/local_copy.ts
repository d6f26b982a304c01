import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { Closeable, PluginContext } from '../../src/plugins/context';
import type { InputPathsResult, Preparator, StageInResult } from '../../src/plugins/preparator';
import type { FileSpec, FileUpdate, JobSpec } from '../../src/plugins/types';
import type { Digest } from '../lib/checksum';
import { errText } from '../lib/local-copy/paths';
import { inputDestination, planStageIn, stageIn, type StageInPlan, type StageInSettings } from '../lib/local-copy/stage-in';
import { checkPlaceholders, expandPath, FILE_PLACEHOLDERS, JOB_PLACEHOLDERS, jobValues } from '../lib/local-copy/template';
import { TransferSet } from '../lib/local-copy/transfer-set';

const attributes = {
  sourceDir: { type: 'string', doc: 'directory inputs are copied from; looked up as <sourceDir>/<lfn>, <sourceDir>/<scope>/<lfn>, then the Rucio layout' },
  sourceURL: { type: 'string', doc: 'http(s) URL template of an input (${lfn}, ${scope}, ${dataset}, ${PandaID}, ${taskID}, ...), tried after sourceDir' },
  useFileURL: { type: 'boolean', default: true, doc: 'also try the file\'s own http(s) url (aux inputs, container images)' },
  basePath: { type: 'string', default: 'var/input/${PandaID}', doc: 'destination directory template (${PandaID}, ${taskID}, ${jobsetID}, ${attemptNr}, ${computingSite}, ${harvesterID}); relative = to the working directory' },
  verifyChecksum: { type: 'boolean', default: true, doc: 'verify the job\'s checksum (ad:/md:) of every input; size is always verified when the job gives it' },
  httpTimeout: { type: 'number', min: 0.1, default: 60, doc: 'seconds an http(s) download may make no progress before it is abandoned' },
  httpRetries: { type: 'integer', min: 0, max: 10, default: 2, doc: 'extra attempts of a download after a network error, timeout, HTTP 5xx or 429' },
  retryDelay: { type: 'number', min: 0, default: 1, doc: 'seconds before the first retry (grows linearly)' },
  maxConcurrentCopies: { type: 'integer', min: 1, default: 4, doc: 'copies running at once in this plugin instance; the rest queue' },
} as const satisfies AttributeSchema;

type Planned = { file: FileSpec; plan: StageInPlan };

/**
 * Stage-in by copying: each input comes from a local directory or an
 * http(s) URL into `<basePath>/<lfn>`, verified against the job's size and
 * checksum before it is renamed into place. Copies run in the background:
 * `triggerPreparation` starts them, `checkStageInStatus` reports them.
 */
export class LocalCopyPreparator implements Preparator, Closeable {
  static readonly attributes = attributes;
  private readonly basePath: string;
  private readonly settings: StageInSettings;
  private readonly transfers: TransferSet<Digest>;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    checkPlaceholders('basePath', attrs.basePath, JOB_PLACEHOLDERS);
    if (attrs.sourceURL !== undefined) {
      checkPlaceholders('sourceURL', attrs.sourceURL, FILE_PLACEHOLDERS);
      if (!/^https?:\/\//i.test(attrs.sourceURL)) throw new Error(`sourceURL "${attrs.sourceURL}" must start with http:// or https://`);
    }
    this.basePath = path.resolve(attrs.basePath);
    this.settings = {
      ...(attrs.sourceDir !== undefined ? { sourceDir: path.resolve(attrs.sourceDir) } : {}),
      ...(attrs.sourceURL !== undefined ? { sourceURL: attrs.sourceURL } : {}),
      useFileURL: attrs.useFileURL,
      verifyChecksum: attrs.verifyChecksum,
      httpTimeoutMs: attrs.httpTimeout * 1000,
      httpRetries: attrs.httpRetries,
      retryDelayMs: attrs.retryDelay * 1000,
      harvesterID: ctx.harvesterID,
    };
    this.transfers = new TransferSet(attrs.maxConcurrentCopies);
  }

  async triggerPreparation(job: JobSpec): Promise<StageInResult> {
    const planned = this.plan(job);
    if (!Array.isArray(planned)) return planned;
    for (const p of planned) this.start(p.plan);
    return { status: 'done', diag: planned.length ? `started ${planned.length} ${planned.length === 1 ? 'copy' : 'copies'} into ${this.destDirOrNull(job)}` : 'no inputs' };
  }

  async checkStageInStatus(job: JobSpec): Promise<StageInResult> {
    const planned = this.plan(job);
    if (!Array.isArray(planned)) return planned;
    const failures: Array<{ p: Planned; error: string }> = [];
    let running = 0;
    for (const p of planned) {
      const st = this.transfers.get(p.plan.dest);
      if (st === undefined) {
        // Not started by this instance (restart, new configID): start it; an intact earlier copy is reused.
        this.start(p.plan);
        running += 1;
      } else if (st.state === 'running') running += 1;
      else if (st.state === 'failed') failures.push({ p, error: st.error });
    }
    if (failures.length) {
      for (const { p } of failures) this.transfers.forget(p.plan.dest);
      const diag = `stage-in failed for PandaID ${job.PandaID}: ${failures.map(({ p, error }) => `lfn ${p.file.lfn}: ${error}`).join('; ')}`;
      this.ctx.log.warn({ PandaID: job.PandaID, lfns: failures.map(({ p }) => p.file.lfn) }, diag);
      return { status: 'failed', diag, files: failures.map(({ p }): FileUpdate => ({ fileID: p.file.fileID, status: 'failed' })) };
    }
    if (running) return { status: 'pending', diag: `${running} of ${planned.length} input copies still running` };
    for (const p of planned) this.transfers.forget(p.plan.dest);
    return { status: 'done', diag: '' };
  }

  async resolveInputPaths(job: JobSpec): Promise<InputPathsResult> {
    const dir = this.destDir(job);
    if (typeof dir !== 'string') return { status: 'failed', diag: `PandaID ${job.PandaID}: ${dir.problem}` };
    // Keyed by LFN, unique per job: a null-prototype object is a dictionary in V8 (no new hidden class per key).
    const paths = Object.create(null) as Record<string, string>;
    const problems: string[] = [];
    for (const f of job.inFiles) {
      const dest = inputDestination(dir, f.lfn);
      if (typeof dest === 'string') paths[f.lfn] = dest;
      else problems.push(`lfn ${JSON.stringify(f.lfn)}: ${dest.problem}`);
    }
    if (problems.length) return { status: 'failed', diag: `PandaID ${job.PandaID}: ${problems.join('; ')}` };
    return { status: 'done', diag: '', paths };
  }

  close(): void {
    this.transfers.close();
  }

  private start(plan: StageInPlan): void {
    this.transfers.start(plan.dest, (signal) => stageIn(plan, this.settings, signal));
  }

  /** Every input's plan, or the `failed` result naming each input that cannot be staged in at all. */
  private plan(job: JobSpec): Planned[] | StageInResult {
    const dir = this.destDir(job);
    if (typeof dir !== 'string') {
      return { status: 'failed', diag: `PandaID ${job.PandaID}: ${dir.problem}`, files: job.inFiles.map((f) => ({ fileID: f.fileID, status: 'failed' })) };
    }
    const planned: Planned[] = [];
    const problems: Array<{ file: FileSpec; problem: string }> = [];
    for (const file of job.inFiles) {
      const plan = planStageIn(job, file, dir, this.settings);
      if ('problem' in plan) problems.push({ file, problem: plan.problem });
      else planned.push({ file, plan });
    }
    if (problems.length === 0) return planned;
    const diag = `stage-in impossible for PandaID ${job.PandaID}: ${problems.map((p) => `lfn ${JSON.stringify(p.file.lfn)}: ${p.problem}`).join('; ')}`;
    this.ctx.log.warn({ PandaID: job.PandaID }, diag);
    return { status: 'failed', diag, files: problems.map((p): FileUpdate => ({ fileID: p.file.fileID, status: 'failed' })) };
  }

  private destDir(job: JobSpec): string | { problem: string } {
    try {
      return path.resolve(expandPath(this.basePath, jobValues(job, this.ctx.harvesterID)));
    } catch (err) {
      return { problem: `basePath: ${errText(err)}` };
    }
  }

  private destDirOrNull(job: JobSpec): string {
    const d = this.destDir(job);
    return typeof d === 'string' ? d : '?';
  }
}
