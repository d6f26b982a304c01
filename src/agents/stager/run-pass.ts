import { claimJobsToStageOut } from '../../db/claim/jobs-to-stage-out';
import { loadJobColumns, loadJobs, type JobRow } from '../../db/repo/jobs';
import { loadZipMembers } from '../../db/repo/stage-out';
import type { FileSpec, FileStatus, FileUpdate } from '../../plugins/types';
import type { AgentContext, CycleResult } from '../agent';
import { JobLockKeeper } from '../lock-keeper';
import { guardedCall } from '../queue-plugin';
import type { PassSpec } from './passes';
import { groupPendingOutputs } from './zip-grouping';
import { writeStageOutResults, type FileChange, type StagerWrite } from './write-back';
import { lazyChild } from '../../log';

type Outcome = 'done' | 'failed' | 'pending' | 'error';

/**
 * One stager pass: claim the pass's jobs on `stagerLock`/`stagerTime`, load
 * the files it works on, call the plugin per job, write everything back and
 * release in one transaction.
 */
export async function runStagerPass(ctx: AgentContext, spec: PassSpec, lockInterval: number, clock: () => Date): Promise<CycleResult> {
  const sql = ctx.db.sql;
  const claim = await claimJobsToStageOut(sql, {
    pass: spec.pass, owner: ctx.owner, limit: spec.maxJobs, lockInterval, interval: spec.interval,
    ...(ctx.queue !== undefined ? { computingSites: [ctx.queue] } : {}), now: clock(),
  });
  const counts: Record<Outcome | 'claimed' | 'lost' | 'staged' | 'failedToStageOut', number> = {
    claimed: claim.rows.length, done: 0, failed: 0, pending: 0, error: 0, lost: 0, staged: 0, failedToStageOut: 0,
  };
  if (claim.rows.length === 0) return prefixed(spec, counts);

  const jobs = await loadPassJobs(ctx, spec, claim.rows.map((r) => r.PandaID), clock());
  const keeper = new JobLockKeeper(sql, 'stager', ctx.owner, jobs.map((j) => j.PandaID), lockInterval, clock, claim.claimedAt);
  const writes = await mapLimit(jobs, spec.concurrency, async (job): Promise<StagerWrite> => {
    if (ctx.signal.aborted || !(await keeper.stillHeld(job.PandaID))) return { job, decisive: false, files: [] };
    const { outcome, write } = await processJob(ctx, spec, job);
    counts[outcome] += 1;
    return write;
  });
  const res = await writeStageOutResults(sql, ctx.owner, writes, clock());
  counts.lost = res.lost.length;
  counts.staged = res.staged.length;
  counts.failedToStageOut = res.failed.length;
  if (res.lost.length) ctx.log.warn({ PandaIDs: res.lost, pass: spec.pass }, 'stager: jobs taken over by another owner during the cycle; nothing written to them');
  return prefixed(spec, counts);
}

function prefixed(spec: PassSpec, counts: Record<string, number>): CycleResult {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`${spec.pass}_${k}`, v]));
}

/**
 * The claimed jobs with only the pass's files (≤ maxFiles each, fileID order);
 * zip files carry their members. The zip pass first groups `pending` outputs
 * into new zip files.
 */
async function loadPassJobs(ctx: AgentContext, spec: PassSpec, ids: number[], now: Date): Promise<JobRow[]> {
  if (spec.pass === 'zip') {
    // Grouping needs only each job's zipPerMB, not the job.
    const made = await groupPendingOutputs(ctx.db.sql, ctx.owner, await loadJobColumns(ctx.db.sql, ids, ['zipPerMB']), now);
    if (made) ctx.log.debug({ zips: made }, 'pending outputs grouped into zip files');
  }
  const jobs = await loadJobs(ctx.db.sql, ids, { fileStatuses: spec.fileStatuses });
  for (const job of jobs) {
    const files = job.outFiles.sort((a, b) => a.fileID - b.fileID);
    job.outFiles = spec.maxFiles !== undefined ? files.slice(0, spec.maxFiles) : files;
    job.inFiles = [];
  }
  if (spec.pass === 'zip' || spec.pass === 'postZip') {
    const members = await loadZipMembers(ctx.db.sql, jobs.flatMap((j) => j.outFiles.map((f) => f.fileID)));
    for (const job of jobs) for (const f of job.outFiles) f.associatedFiles = members.get(f.fileID) ?? [];
  }
  return jobs;
}

async function processJob(ctx: AgentContext, spec: PassSpec, job: JobRow): Promise<{ outcome: Outcome; write: StagerWrite }> {
  const log = lazyChild(ctx.log, { queue: job.computingSite, PandaID: job.PandaID, pass: spec.pass });
  const found = await spec.resolve(ctx, job);
  if (!found.plugin) {
    log.error(`stager ${spec.pass}: ${found.error}; job released, retried after the pass interval`);
    return { outcome: 'error', write: { job, decisive: false, files: [] } };
  }
  // Plugins get a copy: they must not rely on mutating their input, and we keep the loaded state.
  const call: JobRow = { ...job, outFiles: job.outFiles.map((f) => ({ ...f })) };
  const res = await guardedCall(spec.method, log, () => found.plugin(call));
  if (res.status === 'pending') {
    log.debug({ diag: res.diag }, `${spec.method}: not decided yet`);
    return { outcome: 'pending', write: { job, decisive: false, files: [] } };
  }
  const own = pluginUpdates(res.files, job.outFiles);
  if (res.status === 'failed') {
    log.error({ diag: res.diag }, `${spec.method} failed for ${job.outFiles.map((f) => f.lfn).join(', ') || 'the job'}`);
    return { outcome: 'failed', write: { job, decisive: true, files: failedFiles(job.outFiles, own), failure: `${spec.failurePrefix} ${res.diag}` } };
  }
  const files = job.outFiles.map((f): FileChange => {
    const u = own.get(f.fileID) ?? { fileID: f.fileID };
    const status = spec.statusAfterDone(f, u.status);
    return { ...u, ...(status !== undefined ? { status } : {}), ...attempt(f) };
  });
  return { outcome: 'done', write: { job, decisive: true, files } };
}

/** Each decided call counts as an attempt on the files it was given (the original's attemptNr). */
function attempt(f: FileSpec): { attemptNr: number } {
  return { attemptNr: (f.attemptNr ?? 0) + 1 };
}

/** The plugin's changes for files of this call only, by fileID. */
function pluginUpdates(updates: readonly FileUpdate[] | undefined, files: readonly FileSpec[]): Map<number, FileUpdate> {
  const ids = new Set(files.map((f) => f.fileID));
  return new Map((updates ?? []).filter((u) => ids.has(u.fileID)).map((u) => [u.fileID, u]));
}

/** `failed` answer: every loaded file the plugin did not finish fails. */
function failedFiles(files: readonly FileSpec[], own: ReadonlyMap<number, FileUpdate>): FileChange[] {
  return files.map((f) => {
    const u = own.get(f.fileID) ?? { fileID: f.fileID };
    const status: FileStatus = u.status === 'finished' ? 'finished' : 'failed';
    return { ...u, status, ...attempt(f) };
  });
}

/** `fn` over `items` with at most `limit` calls running; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
