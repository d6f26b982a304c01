/**
 * The propagator's worker step (facts §2.2 step 4): claim workers whose
 * lastUpdate is due, send them in chunks of nWorkersInBulk; a final worker
 * PanDA has heard of gets lastUpdate = NULL (never sent again), a live one is
 * sent again after updateInterval, and one that could not be delivered
 * (upstream unreachable) is due again at once.
 */
import { claimWorkersToPropagate, markWorkersPropagated } from '../../db/claim';
import { jobsOfWorkers } from '../../db/repo/relations';
import { loadWorkerColumns } from '../../db/repo/workers';
import { FINAL_WORKER_STATUSES } from '../../plugins/types';
import type { AgentContext } from '../agent';
import { retriggerUnsentWorkers } from './queries';
import { buildWorkerReport, REPORT_WORKER_COLUMNS, type ReportedWorker } from './worker-report';

export interface WorkerStepCounts {
  claimed: number;
  sent: number;
  /** Final and delivered: never sent again. */
  finalized: number;
  /** Refused by upstream; retried after updateInterval. */
  rejected: number;
  /** Not delivered; due again at once. */
  pending: number;
}

const isFinal = (w: ReportedWorker): boolean => (FINAL_WORKER_STATUSES as readonly string[]).includes(w.status);

export async function propagateWorkers(ctx: AgentContext): Promise<WorkerStepCounts> {
  const counts: WorkerStepCounts = { claimed: 0, sent: 0, finalized: 0, rejected: 0, pending: 0 };
  const { maxWorkers, nWorkersInBulk, updateInterval } = ctx.config.propagator;
  const sql = ctx.db.sql;
  const claim = await claimWorkersToPropagate(sql, { limit: maxWorkers, updateInterval });
  counts.claimed = claim.rows.length;
  if (claim.rows.length === 0) return counts;

  // A `pending` row is not submitted yet: PanDA hears of it once it is (the submitter triggers it then).
  // Only the columns a report uses: about half of a worker row, no workParams.
  const workers = (await loadWorkerColumns(sql, claim.rows.map((r) => r.workerID), REPORT_WORKER_COLUMNS)).filter((w) => w.status !== 'pending');
  const jobs = await jobsOfWorkers(sql, workers.map((w) => w.workerID));
  const finalIDs: number[] = [];
  const unsentIDs: number[] = [];
  let reachable = true;
  for (let i = 0; i < workers.length; i += nWorkersInBulk) {
    const chunk = workers.slice(i, i + nWorkersInBulk);
    if (!reachable) {
      unsentIDs.push(...chunk.map((w) => w.workerID));
      continue;
    }
    const results = await ctx.services.upstream.updateWorkers(chunk.map((w) => buildWorkerReport(w, jobs.get(w.workerID) ?? [])));
    reachable = ctx.services.upstreamHealth().reachable;
    chunk.forEach((w, k) => {
      if (results[k] === true) {
        counts.sent++;
        if (isFinal(w)) finalIDs.push(w.workerID);
      } else if (!reachable) {
        unsentIDs.push(w.workerID);
      } else {
        counts.rejected++;
        ctx.log.error({ workerID: w.workerID, queue: w.computingSite, status: w.status }, 'upstream refused the worker update; retrying after updateInterval');
      }
    });
  }
  if (finalIDs.length) counts.finalized = (await markWorkersPropagated(sql, claim.claimedAt, finalIDs)).released.length;
  if (unsentIDs.length) counts.pending = await retriggerUnsentWorkers(sql, claim.claimedAt, unsentIDs);
  return counts;
}
