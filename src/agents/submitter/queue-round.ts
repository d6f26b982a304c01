/**
 * One queue's submission under its site lock (facts §2.4 steps 1–9):
 * orphan cleanup, counts, worker adjuster, job chunks, worker maker, insert
 * as `pending`, messenger + submitter plugin, results. Every job it claims is
 * released before it returns, whatever happens.
 */
import { releaseJobsFromSubmitter } from '../../db/claim';
import type { JobRelease } from '../../db/claim/job-lock';
import type { PandaQueueRow } from '../../db/claim/queues';
import type { JobRow } from '../../db/repo/jobs';
import { countQueueWorkers, deleteOrphanPendingWorkers, insertPendingWorkersUnderSiteLock, SiteLockLostError } from '../../db/repo/submission';
import { triggerJobPropagation } from '../../db/repo/triggers';
import type { SqlExecutor } from '../../db/sql';
import type { Logger } from '../../log';
import type { PluginFactory } from '../../plugins/factory';
import type { QueueConfigMapper } from '../../queue-config/mapper';
import type { QueueConfig } from '../../queue-config/types';
import { adjusterInput } from './adjuster-inputs';
import { chunkOptions, claimJobChunks } from './job-chunks';
import { jobFailedToMake, jobUnused } from './job-writes';
import { makeWorkers, type FailedMake, type MadeWorker } from './make-workers';
import { submitterPlugins } from './plugins';
import { recordOutcomes } from './record-results';
import type { SubmitterSettings } from './settings';
import { submitWorkers } from './submit-workers';
import { defineNumWorkers } from './worker-adjuster';

/** What every submitter round works with: the database, its owner id and the shared services. */
export interface SubmitterRoundContext {
  sql: SqlExecutor;
  owner: string;
  log: Logger;
  plugins: PluginFactory;
  mapper: QueueConfigMapper;
  settings: SubmitterSettings;
}

export interface QueueRoundArgs extends SubmitterRoundContext {
  siteName: string;
  queue: QueueConfig;
  pqRows: readonly PandaQueueRow[];
}

export interface QueueRoundResult {
  orphansDeleted: number;
  newWorkers: number;
  submitted: number;
  missed: number;
  makeFailed: number;
  jobsSubmitted: number;
  jobsRetried: number;
  jobsFailed: number;
}

const EMPTY: QueueRoundResult = { orphansDeleted: 0, newWorkers: 0, submitted: 0, missed: 0, makeFailed: 0, jobsSubmitted: 0, jobsRetried: 0, jobsFailed: 0 };

/** Releases for jobs whose worker could not be made: failed_to_make, or untouched with the maker's skipOnFail. */
function failedMakeReleases(failed: readonly FailedMake[], made: readonly MadeWorker[], skipOnFail: boolean, q: QueueConfig, now: Date): JobRelease[] {
  // OneToMany: a job may also sit in a worker that was made; that worker decides its fate.
  const inMade = new Set(made.flatMap((m) => m.jobs.map((j) => j.PandaID)));
  const out = new Map<number, JobRelease>();
  for (const f of failed) {
    for (const job of f.jobs) {
      if (inMade.has(job.PandaID) || out.has(job.PandaID)) continue;
      out.set(job.PandaID, skipOnFail ? jobUnused(job) : jobFailedToMake(job, job.submissionAttempts ?? 0, `queue ${q.queueName}: worker maker failed: ${f.diag}`, now));
    }
  }
  return [...out.values()];
}

export async function submitQueue(a: QueueRoundArgs): Promise<QueueRoundResult> {
  const { sql, owner, queue: q, settings } = a;
  const log = a.log.child({ queue: q.queueName });
  const orphans = await deleteOrphanPendingWorkers(sql, q.queueName, settings.lockInterval);
  if (orphans.length) log.warn({ workerIDs: orphans }, 'deleted pending workers left by a submitter that died or overran lockInterval');
  const counts = await countQueueWorkers(sql, q.queueName);
  const input = await adjusterInput({ sql, plugins: a.plugins, mapper: a.mapper, settings, queue: q, pqRows: a.pqRows, counts });
  const decision = defineNumWorkers(input);
  log.debug({ counts, decision, throttle: input.throttleDiag }, 'worker adjuster');
  const result: QueueRoundResult = { ...EMPTY, orphansDeleted: orphans.length, newWorkers: decision.nNewWorkers };
  if (decision.nNewWorkers === 0) return result;

  const plugins = await submitterPlugins(a.plugins, a.mapper, q);
  const options = await chunkOptions(plugins.workerMaker, q, decision.nNewWorkers);
  const { chunks, claimed } = await claimJobChunks({ sql, owner, queue: q, options, checkInterval: settings.checkInterval, lockInterval: settings.lockInterval });
  // Jobs this round still holds; whatever is left here at the end is released untouched.
  const open = new Map<number, JobRow>(claimed.map((j) => [j.PandaID, j]));
  try {
    if (chunks.length === 0) return result;
    const now = new Date();
    const { made, failed } = await makeWorkers({ sql, maker: plugins.workerMaker, queue: q, chunks, harvesterID: settings.harvesterID, now });
    if (failed.length) {
      result.makeFailed = failed.length;
      const releases = failedMakeReleases(failed, made, plugins.workerMaker.skipOnFail === true, q, now);
      const res = await releaseJobsFromSubmitter(sql, owner, releases);
      releases.forEach((r) => open.delete(r.id));
      const failedIDs = releases.filter((r) => r.set?.subStatus === 'failed_to_make').map((r) => r.id).filter((id) => res.released.includes(id));
      result.jobsFailed += failedIDs.length;
      await triggerJobPropagation(sql, failedIDs, now);
      log.warn({ nFailed: failed.length, PandaIDs: failedIDs, diag: failed[0].diag, skipOnFail: plugins.workerMaker.skipOnFail === true }, 'worker maker failed');
    }
    if (made.length === 0) return result;

    try {
      await insertPendingWorkersUnderSiteLock(sql, a.siteName, owner, made.map((m) => m.row));
    } catch (err) {
      if (!(err instanceof SiteLockLostError)) throw err;
      // Another submitter owns the site now and counts its own workers: submitting ours could over-submit.
      log.warn({ err: err.message }, 'site lock lost before insert: nothing submitted, jobs released');
      return result;
    }
    const outcomes = await submitWorkers(q.queueName, plugins.messenger, plugins.submitter, made);
    const jobExtra: JobRelease['set'] = q.mapType === 'OneToMany'
      ? { nWorkersLimit: options.nWorkersPerJob, ...(Number.isFinite(options.maxWorkersPerJobInTotal) ? { maxWorkersInTotal: options.maxWorkersPerJobInTotal } : {}) }
      : {};
    const summary = await recordOutcomes({ sql, owner, queue: q, outcomes, jobExtra });
    for (const m of made) for (const j of m.jobs) open.delete(j.PandaID);

    Object.assign(result, {
      submitted: summary.submitted.length,
      missed: summary.missed.length,
      jobsSubmitted: summary.jobsSubmitted.length,
      jobsRetried: summary.jobsRetried.length,
      jobsFailed: result.jobsFailed + summary.jobsFailed.length,
    });
    if (summary.missed.length) {
      const first = outcomes.find((o) => o.result.status !== 'submitted');
      log.warn({ workerIDs: summary.missed, diag: first?.result.diag, jobsRetried: summary.jobsRetried, jobsFailed: summary.jobsFailed }, 'workers missed');
    }
    if (summary.jobsLost.length) log.warn({ PandaIDs: summary.jobsLost }, 'jobs taken over by another submitter before their result was written (cycle longer than lockInterval?)');
    if (summary.workersLost.length) log.error({ workerIDs: summary.workersLost }, 'workers deleted as orphans while being submitted (cycle longer than lockInterval?)');
    log.info({ submitted: result.submitted, missed: result.missed, jobs: result.jobsSubmitted }, 'submitted workers');
    return result;
  } finally {
    if (open.size) await releaseJobsFromSubmitter(sql, owner, [...open.values()].map(jobUnused));
  }
}
