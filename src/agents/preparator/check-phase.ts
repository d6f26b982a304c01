import { claimJobsToPrepare } from '../../db/claim/jobs-to-prepare';
import { loadJobs, type JobRow } from '../../db/repo/jobs';
import type { FileUpdate } from '../../plugins/types';
import type { AgentContext, CycleResult } from '../agent';
import { JobLockKeeper } from '../lock-keeper';
import { guardedCall } from '../queue-plugin';
import { afterAllReady, checkTarget } from './aux-input';
import { localContainerParams } from './container-params';
import { failedToPrepare, inputsOfType, mergeFileUpdates, ownFileUpdates, type JobSet } from './job-results';
import { preparatorForJob } from './plugin';
import type { PreparatorSettings } from './settings';
import { releaseWithResults, type PreparatorWrite } from './write-back';
import { lazyChild } from '../../log';

/** Input files the check still waits for (everything not staged in yet, nor failed). */
const OPEN = ['to_prepare', 'triggered', 'preparing'];

type CheckOutcome = 'prepared' | 'partial' | 'failed' | 'pending' | 'error';

/**
 * Check phase (facts §2.3): jobs in `preparing` whose checkInterval passed.
 * `done` → input paths resolved, the checked files `ready`, and the job
 * `prepared` once nothing (nor any aux input) is left; `failed` →
 * failed_to_prepare; `pending` → released as is.
 */
export async function runCheckPhase(ctx: AgentContext, s: PreparatorSettings, clock: () => Date): Promise<CycleResult> {
  const sql = ctx.db.sql;
  const claim = await claimJobsToPrepare(sql, {
    phase: 'check', owner: ctx.owner, limit: s.maxJobsToCheck, lockInterval: s.lockInterval, interval: s.checkInterval,
    ...(ctx.queue !== undefined ? { computingSites: [ctx.queue] } : {}), now: clock(),
  });
  const counts: Record<CheckOutcome, number> & { claimed: number; lost: number } = {
    claimed: claim.rows.length, prepared: 0, partial: 0, failed: 0, pending: 0, error: 0, lost: 0,
  };
  if (claim.rows.length === 0) return prefixed(counts);

  const jobs = await loadJobs(sql, claim.rows.map((r) => r.PandaID));
  const keeper = new JobLockKeeper(sql, 'preparator', ctx.owner, jobs.map((j) => j.PandaID), s.lockInterval, clock, claim.claimedAt);
  const writes: PreparatorWrite[] = [];
  for (const job of jobs) {
    // After a stop request no new plugin call starts; the job is released untouched below.
    if (ctx.signal.aborted || !(await keeper.stillHeld(job.PandaID))) {
      writes.push({ pandaID: job.PandaID });
      continue;
    }
    const { outcome, write } = await checkJob(ctx, s, job, clock);
    counts[outcome] += 1;
    writes.push(write);
  }
  const res = await releaseWithResults(sql, ctx.owner, 'preparing', writes, clock());
  counts.lost = res.lost.length;
  if (res.lost.length) ctx.log.warn({ PandaIDs: res.lost }, 'preparator check: jobs taken over by another owner during the cycle; nothing written to them');
  return prefixed(counts);
}

function prefixed(counts: Record<string, number>): CycleResult {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`check_${k}`, v]));
}

async function checkJob(ctx: AgentContext, s: PreparatorSettings, job: JobRow, clock: () => Date): Promise<{ outcome: CheckOutcome; write: PreparatorWrite }> {
  const log = lazyChild(ctx.log, { queue: job.computingSite, PandaID: job.PandaID });
  const target = checkTarget(job.auxInput);
  const found = await preparatorForJob(ctx, job, target.section);
  if (!found.plugin) {
    log.error(`preparator check: ${found.error}; job released, retried after checkInterval`);
    return { outcome: 'error', write: { pandaID: job.PandaID } };
  }
  const open = inputsOfType(job, target.fileType, OPEN);
  const batch = s.maxFilesPerJobToCheck !== undefined ? open.slice(0, s.maxFilesPerJobToCheck) : open;
  const call: JobRow = { ...job, inFiles: batch };

  const res = await guardedCall('checkStageInStatus', log, () => found.plugin.checkStageInStatus(call));
  const pluginFiles = ownFileUpdates(res.files, batch);
  if (res.status === 'pending') {
    log.debug({ diag: res.diag }, 'stage-in still running; checked again later');
    return { outcome: 'pending', write: { pandaID: job.PandaID } };
  }
  const now = clock();
  if (res.status === 'failed') {
    log.error({ diag: res.diag }, `stage-in failed for ${batch.map((f) => f.lfn).join(', ') || 'the job'}`);
    return { outcome: 'failed', write: { pandaID: job.PandaID, set: failedToPrepare(job, res.diag, now), files: pluginFiles } };
  }

  const resolved = await guardedCall('resolveInputPaths', log, () => found.plugin.resolveInputPaths(call));
  if (resolved.status !== 'done') {
    // As the original: a path that cannot be resolved is an error, not a job failure; the check repeats.
    log.error({ diag: resolved.diag, status: resolved.status }, 'could not resolve input file paths; job released');
    return { outcome: 'error', write: { pandaID: job.PandaID } };
  }
  const paths = resolved.paths ?? {};
  const ready: FileUpdate[] = batch.map((f) => {
    const p = paths[f.lfn];
    return p !== undefined ? { fileID: f.fileID, status: 'ready', path: p } : { fileID: f.fileID, status: 'ready' };
  });
  const files = mergeFileUpdates(pluginFiles, ready);

  const set: JobSet = {};
  const staged = batch.map((f) => ({ url: f.url, path: paths[f.lfn] ?? f.path }));
  const params = localContainerParams(job.jobParams, staged);
  if (params) set.jobParams = JSON.stringify(params);

  if (open.length > batch.length) {
    // More files than maxFilesPerJobToCheck: look at the job again right away for the next batch.
    set.preparatorTime = null;
    return { outcome: 'partial', write: { pandaID: job.PandaID, set, files } };
  }
  const next = afterAllReady(job.auxInput);
  if (next.auxInput !== null) set.auxInput = next.auxInput;
  set.preparatorTime = null;
  if (!next.done) {
    // Ordinary inputs are in; the aux inputs are checked with aux_preparator at the next look (at once).
    return { outcome: 'partial', write: { pandaID: job.PandaID, set, files } };
  }
  set.subStatus = 'prepared';
  set.stateChangeTime = now;
  log.debug({ files: batch.length }, 'inputs staged in; job prepared');
  return { outcome: 'prepared', write: { pandaID: job.PandaID, set, files } };
}
