/**
 * The propagator's job step (facts §2.2 steps 1–3): claim jobs whose
 * propagatorTime is due, report them in bulk (or only check them, for
 * statuses a true pilot reports itself), then write back per job under the
 * propagatorLock: fully reported → `done`; PanDA's `tobekilled` → kill the
 * job's workers, or cancel the job when it has none; not delivered → due
 * again at once, so an outage delays reports but never drops one.
 */
import { claimJobsToPropagate, markWorkersToKill, releaseJobsFromPropagator, type ReleaseRow } from '../../db/claim';
import type { JobColumn } from '../../db/columns';
import { secondsBefore } from '../../db/dates';
import { loadJobColumns } from '../../db/repo/jobs';
import type { JobReportResult, JobStatusInfo } from '../../plugins/communicator';
import { StatusCode } from '../../upstream/protocol';
import type { AgentContext } from '../agent';
import { withPilotError } from '../pilot-error';
import { buildJobReport, isFullyReported, REPORT_JOB_COLUMNS, reportedStatus, type ReportedJob } from './job-report';
import { noHeartbeatStatuses } from '../no-heartbeat';
import { liveWorkersOfJobs, markFilesToDelete } from './queries';
import { lazyChild } from '../../log';

/** The original's PilotErrors.PANDAKILL, set on a job PanDA killed before it had a worker. */
const PANDAKILL = { code: 1144, diag: 'job killed by the PanDA server before it reached a worker' };

export interface JobStepCounts {
  claimed: number;
  /** Sent with update_jobs. */
  reported: number;
  /** Asked with check_jobs instead (running jobs of noHeartbeat queues). */
  checked: number;
  /** Neither (other noHeartbeat statuses). */
  suppressed: number;
  /** Final and fully reported: subStatus done, propagatorTime NULL. */
  done: number;
  /** tobekilled: workers marked to kill, or the job cancelled when it had none. */
  killRequested: number;
  /** PanDA answered but refused; retried after updateInterval. */
  rejected: number;
  /** Not delivered (upstream unreachable); due again at once. */
  pending: number;
}

type Outcome =
  | { kind: 'sent'; command?: string }
  | { kind: 'rejected'; diag: string }
  | { kind: 'pending' };

export async function propagateJobs(ctx: AgentContext): Promise<JobStepCounts> {
  const counts: JobStepCounts = { claimed: 0, reported: 0, checked: 0, suppressed: 0, done: 0, killRequested: 0, rejected: 0, pending: 0 };
  const { maxJobs, nJobsInBulk, lockInterval, updateInterval } = ctx.config.propagator;
  const sql = ctx.db.sql;
  const claim = await claimJobsToPropagate(sql, { owner: ctx.owner, limit: maxJobs, lockInterval, updateInterval });
  counts.claimed = claim.rows.length;
  if (claim.rows.length === 0) return counts;

  // Only what the report and the write-back use: about a third of a job row's columns, no jobParams.
  const jobs = await loadJobColumns(sql, claim.rows.map((r) => r.PandaID), REPORT_JOB_COLUMNS);
  const outcomes = new Map<number, Outcome>();
  let reachable = true;
  for (let i = 0; i < jobs.length; i += nJobsInBulk) {
    const chunk = jobs.slice(i, i + nJobsInBulk);
    if (!reachable) {
      for (const j of chunk) outcomes.set(j.PandaID, { kind: 'pending' });
      continue;
    }
    reachable = await sendChunk(ctx, chunk, outcomes, counts);
  }
  await writeBack(ctx, jobs, outcomes, counts);
  return counts;
}

/** Reports or checks one chunk; returns false when upstream turned out unreachable. */
async function sendChunk(ctx: AgentContext, chunk: readonly ReportedJob[], outcomes: Map<number, Outcome>, counts: JobStepCounts): Promise<boolean> {
  const { upstream, queueConfig } = ctx.services;
  const toUpdate: ReportedJob[] = [];
  const toCheck: ReportedJob[] = [];
  for (const job of chunk) {
    const suppressed = noHeartbeatStatuses(queueConfig.getQueue(job.computingSite)?.noHeartbeat).has(reportedStatus(job));
    // A missed job is never suppressed: the pilot that would report it never ran.
    if (!suppressed || job.subStatus === 'missed') toUpdate.push(job);
    else if (job.status === 'running') toCheck.push(job);
    else {
      counts.suppressed++;
      outcomes.set(job.PandaID, { kind: 'sent' });
    }
  }
  if (toUpdate.length) {
    const results = await upstream.updateJobs(toUpdate.map(buildJobReport));
    toUpdate.forEach((job, k) => outcomes.set(job.PandaID, outcomeOfUpdate(results[k])));
    counts.reported += toUpdate.length;
  }
  if (toCheck.length) {
    const infos = await upstream.checkJobs(toCheck.map((j) => j.PandaID));
    toCheck.forEach((job, k) => outcomes.set(job.PandaID, outcomeOfCheck(infos[k])));
    counts.checked += toCheck.length;
  }
  return ctx.services.upstreamHealth().reachable;
}

function outcomeOfUpdate(r: JobReportResult | undefined): Outcome {
  if (!r || r.statusCode === StatusCode.NOT_DELIVERED) return { kind: 'pending' };
  if (r.statusCode !== StatusCode.OK) return { kind: 'rejected', diag: `StatusCode=${r.statusCode} ${r.diag}` };
  return r.command ? { kind: 'sent', command: r.command } : { kind: 'sent' };
}

function outcomeOfCheck(info: JobStatusInfo | undefined): Outcome {
  // No status in the answer = no answer for this job: ask again, it costs nothing.
  if (!info || info.status === undefined) return { kind: 'pending' };
  return info.command ? { kind: 'sent', command: info.command } : { kind: 'sent' };
}

async function writeBack(ctx: AgentContext, jobs: readonly ReportedJob[], outcomes: ReadonlyMap<number, Outcome>, counts: JobStepCounts): Promise<void> {
  const sql = ctx.db.sql;
  const now = new Date();
  const dueNow = secondsBefore(now, 3600);
  const killIDs = jobs.filter((j) => {
    const o = outcomes.get(j.PandaID);
    return o?.kind === 'sent' && o.command === 'tobekilled' && !isFullyReported(j);
  }).map((j) => j.PandaID);
  const liveWorkers = killIDs.length ? await liveWorkersOfJobs(sql, killIDs) : new Map<number, number[]>();
  const toKill = [...liveWorkers.values()].flat();
  if (toKill.length) await markWorkersToKill(sql, toKill, now);

  const rows: Array<ReleaseRow<number, JobColumn>> = [];
  const done = new Set<number>();
  for (const job of jobs) {
    const o = outcomes.get(job.PandaID) ?? { kind: 'pending' };
    const log = lazyChild(ctx.log, { PandaID: job.PandaID, queue: job.computingSite });
    if (o.kind === 'pending') {
      counts.pending++;
      rows.push({ id: job.PandaID, set: { propagatorTime: dueNow } });
    } else if (o.kind === 'rejected') {
      counts.rejected++;
      log.error({ status: job.status, subStatus: job.subStatus, diag: o.diag }, 'upstream refused the job update; retrying after updateInterval');
      rows.push({ id: job.PandaID });
    } else if (o.command === 'tobekilled' && !isFullyReported(job)) {
      counts.killRequested++;
      const workers = liveWorkers.get(job.PandaID) ?? [];
      if (workers.length) {
        log.info({ workerIDs: workers }, 'PanDA asked to kill the job: its workers are marked to be killed');
        rows.push({ id: job.PandaID });
      } else {
        log.info({ status: job.status, subStatus: job.subStatus }, 'PanDA asked to kill the job and it has no live worker: cancelled');
        rows.push({
          id: job.PandaID,
          set: {
            status: 'cancelled', subStatus: 'killed', stateChangeTime: now, modificationTime: now, propagatorTime: dueNow,
            jobAttributes: JSON.stringify(withPilotError(job.jobAttributes, PANDAKILL.code, PANDAKILL.diag)),
          },
          expect: { status: job.status },
        });
      }
    } else if (isFullyReported(job)) {
      done.add(job.PandaID);
      rows.push({ id: job.PandaID, set: { subStatus: 'done', propagatorTime: null, modificationTime: now }, expect: { status: job.status, subStatus: job.subStatus } });
    } else {
      // Reported and still alive: propagatorTime stays at the claim time, the next heartbeat comes after updateInterval.
      rows.push({ id: job.PandaID });
    }
  }
  const released = await releaseJobsFromPropagator(sql, ctx.owner, rows);
  // A row that changed under us (the monitor moved it on) was not written and is still ours: release it due again.
  const changed = released.lost.filter((id) => rows.find((r) => r.id === id)?.expect !== undefined);
  if (changed.length) await releaseJobsFromPropagator(sql, ctx.owner, changed.map((id) => ({ id, set: { propagatorTime: dueNow } })));
  const lostIds = new Set(released.lost);
  const doneIDs = [...done].filter((id) => !lostIds.has(id));
  if (doneIDs.length) await markFilesToDelete(sql, doneIDs);
  counts.done = doneIDs.length;
  const lockLost = released.lost.filter((id) => !changed.includes(id));
  if (lockLost.length) ctx.log.warn({ PandaIDs: lockLost }, 'propagator lock lost before write-back (cycle longer than lockInterval?); nothing written for these jobs');
}
