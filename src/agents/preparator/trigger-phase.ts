import { claimJobsToPrepare } from '../../db/claim/jobs-to-prepare';
import { loadJobs, type JobRow } from '../../db/repo/jobs';
import { countJobsInPreparation, findInputFileCopies } from '../../db/repo/stage-in';
import type { FileSpec, FileUpdate } from '../../plugins/types';
import type { AgentContext, CycleResult } from '../agent';
import { JobLockKeeper } from '../lock-keeper';
import { guardedCall } from '../queue-plugin';
import { afterAllTriggered, triggerTarget, type StageInTarget } from './aux-input';
import { decideInputFiles, InputFileRegistry, type LookupDecision } from './input-lookup';
import { failedToPrepare, inputsOfType, mergeFileUpdates, ownFileUpdates, type JobSet } from './job-results';
import { preparatorForJob } from './plugin';
import type { PreparatorSettings } from './settings';
import { releaseWithResults, writeFilesOfHeldJobs, type PreparatorWrite } from './write-back';
import { lazyChild } from '../../log';

/** Input files not handed to a preparator yet. */
const UNTRIGGERED = ['to_prepare', 'preparing'];

type TriggerOutcome = 'preparing' | 'partial' | 'waiting' | 'failed' | 'pending' | 'error';

interface Planned {
  job: JobRow;
  target: StageInTarget;
  /** This round's files (≤ maxFilesPerJobToPrepare). */
  batch: FileSpec[];
  /** Untriggered files beyond this round's batch. */
  beyond: number;
  decision: LookupDecision;
}

/**
 * Trigger phase (facts §2.3): jobs in `fetched` whose triggerInterval passed,
 * no more than maxJobsToTrigger minus the preparations already in flight.
 * Input files are first matched against other starting jobs (reuse a ready
 * copy, wait for one being staged), the decisions written, then the plugin's
 * `triggerPreparation` is called for the files left to this job.
 */
export async function runTriggerPhase(ctx: AgentContext, s: PreparatorSettings, clock: () => Date): Promise<CycleResult> {
  const sql = ctx.db.sql;
  const sites = ctx.queue !== undefined ? { computingSites: [ctx.queue] } : {};
  const inFlight = await countJobsInPreparation(sql, { lockInterval: s.lockInterval, now: clock(), ...sites });
  const room = Math.max(0, s.maxJobsToTrigger - inFlight);
  const counts: Record<TriggerOutcome, number> & { inFlight: number; claimed: number; lost: number } = {
    inFlight, claimed: 0, preparing: 0, partial: 0, waiting: 0, failed: 0, pending: 0, error: 0, lost: 0,
  };
  if (room === 0) return prefixed(counts);
  const claim = await claimJobsToPrepare(sql, {
    phase: 'trigger', owner: ctx.owner, limit: room, lockInterval: s.lockInterval, interval: s.triggerInterval, ...sites, now: clock(),
  });
  counts.claimed = claim.rows.length;
  if (claim.rows.length === 0) return prefixed(counts);

  const jobs = await loadJobs(sql, claim.rows.map((r) => r.PandaID));
  const plans = await planLookups(sql, jobs, s);
  // Lookup results go in before any plugin call, so other threads see who stages which LFN.
  const early = await writeFilesOfHeldJobs(sql, ctx.owner, 'fetched', plans.map((p) => ({ pandaID: p.job.PandaID, files: p.decision.updates })), clock());
  const held = new Set(early.written);

  const keeper = new JobLockKeeper(sql, 'preparator', ctx.owner, early.written, s.lockInterval, clock, claim.claimedAt);
  const writes: PreparatorWrite[] = [];
  for (const plan of plans) {
    if (!held.has(plan.job.PandaID)) continue;
    if (plan.decision.wait) {
      ctx.log.debug({ queue: plan.job.computingSite, PandaID: plan.job.PandaID }, 'inputs being staged in by another job; waiting');
      counts.waiting += 1;
      writes.push({ pandaID: plan.job.PandaID });
      continue;
    }
    if (ctx.signal.aborted || !(await keeper.stillHeld(plan.job.PandaID))) {
      writes.push({ pandaID: plan.job.PandaID });
      continue;
    }
    const { outcome, write } = await triggerJob(ctx, plan, clock);
    counts[outcome] += 1;
    writes.push(write);
  }
  const res = await releaseWithResults(sql, ctx.owner, 'fetched', writes, clock());
  const lost = [...early.lost, ...res.lost];
  counts.lost = lost.length;
  if (lost.length) ctx.log.warn({ PandaIDs: lost }, 'preparator trigger: jobs taken over by another owner during the cycle; nothing written to them');
  return prefixed(counts);
}

function prefixed(counts: Record<string, number>): CycleResult {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`trigger_${k}`, v]));
}

/** Decides every job's files against one lookup of all the batch's LFNs, in claim order. */
async function planLookups(sql: AgentContext['db']['sql'], jobs: readonly JobRow[], s: PreparatorSettings): Promise<Planned[]> {
  const pre = jobs.map((job) => {
    const target = triggerTarget(job.auxInput);
    const untriggered = inputsOfType(job, target.fileType, UNTRIGGERED);
    const batch = s.maxFilesPerJobToPrepare !== undefined ? untriggered.slice(0, s.maxFilesPerJobToPrepare) : untriggered;
    return { job, target, batch, beyond: untriggered.length - batch.length };
  });
  const registry = new InputFileRegistry(await findInputFileCopies(sql, pre.flatMap((p) => p.batch.map((f) => f.lfn))));
  return pre.map((p) => ({ ...p, decision: decideInputFiles(p.job.PandaID, p.batch, registry) }));
}

async function triggerJob(ctx: AgentContext, plan: Planned, clock: () => Date): Promise<{ outcome: TriggerOutcome; write: PreparatorWrite }> {
  const { job, target, decision } = plan;
  const log = lazyChild(ctx.log, { queue: job.computingSite, PandaID: job.PandaID });
  const found = await preparatorForJob(ctx, job, target.section);
  if (!found.plugin) {
    log.error(`preparator trigger: ${found.error}; job released, retried after triggerInterval`);
    return { outcome: 'error', write: { pandaID: job.PandaID } };
  }
  const call: JobRow = { ...job, inFiles: decision.toPrepare };
  const res = await guardedCall('triggerPreparation', log, () => found.plugin.triggerPreparation(call));
  const pluginFiles = ownFileUpdates(res.files, decision.toPrepare);
  if (res.status === 'pending') {
    log.debug({ diag: res.diag }, 'stage-in could not start now; retried after triggerInterval');
    return { outcome: 'pending', write: { pandaID: job.PandaID } };
  }
  const now = clock();
  if (res.status === 'failed') {
    log.error({ diag: res.diag }, `stage-in trigger failed for ${decision.toPrepare.map((f) => f.lfn).join(', ') || 'the job'}`);
    return { outcome: 'failed', write: { pandaID: job.PandaID, set: failedToPrepare(job, res.diag, now), files: pluginFiles } };
  }

  const { files, leftOver } = triggeredFiles(decision.toPrepare, pluginFiles);
  const set: JobSet = { preparatorTime: null };
  if (leftOver > 0 || plan.beyond > 0) {
    // Partial batch (plugin took some files, or maxFilesPerJobToPrepare): look the job up again at once.
    log.debug({ left: leftOver + plan.beyond }, 'part of the inputs triggered; more in the next round');
    return { outcome: 'partial', write: { pandaID: job.PandaID, set, files } };
  }
  const next = afterAllTriggered(job.auxInput);
  if (next.auxInput !== null) set.auxInput = next.auxInput;
  if (!next.done) return { outcome: 'partial', write: { pandaID: job.PandaID, set, files } };
  set.subStatus = 'preparing';
  set.stateChangeTime = now;
  log.debug({ files: decision.toPrepare.length }, 'stage-in triggered; job preparing');
  return { outcome: 'preparing', write: { pandaID: job.PandaID, set, files } };
}

/**
 * File changes after a `done` trigger. A bulk plugin that handled only some
 * files says so by giving those a status (`triggered`, or `ready` when no
 * transfer is needed); the rest stay `to_prepare` for the next round. A
 * plugin that sets no status handled them all: they become `triggered`.
 */
export function triggeredFiles(toPrepare: readonly FileSpec[], pluginFiles: readonly FileUpdate[]): { files: FileUpdate[]; leftOver: number } {
  const explicit = pluginFiles.filter((u) => u.status !== undefined);
  if (explicit.length === 0) {
    return { files: mergeFileUpdates(pluginFiles, toPrepare.map((f) => ({ fileID: f.fileID, status: 'triggered' }))), leftOver: 0 };
  }
  const handled = new Set(explicit.filter((u) => u.status !== 'to_prepare').map((u) => u.fileID));
  return { files: [...pluginFiles], leftOver: toPrepare.filter((f) => !handled.has(f.fileID)).length };
}
