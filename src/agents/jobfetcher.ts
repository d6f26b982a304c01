import os from 'node:os';
import { claimQueuesToFetch, releaseQueuesToFetch, type PandaQueueRow } from '../db/claim';
import { insertJobs } from '../db/repo/jobs';
import type { QueueConfig } from '../queue-config/types';
import type { Agent, AgentContext, CycleResult } from './agent';
import { buildNewJob, inputFilesOf } from './jobfetcher/job-spec';
import { chooseProdSourceLabel } from './jobfetcher/labels';
import { jobsToFetch, type JobLimits, type LocalJobCounts } from './jobfetcher/limits';
import { warnOncePerOutage } from './jobfetcher/outage-log';
import { countLocalJobs, inputFilesInUse } from './jobfetcher/queries';

export interface JobFetcherOptions {
  /** Source of the label draw (prodSourceLabelRandomWeightsPermille); tests pin it. */
  random?: () => number;
  /** `node` and `computingElement` sent with getJob. @defaultValue os.hostname() */
  nodeName?: string;
}

interface CycleCounts {
  queues: number;
  asked: number;
  fetched: number;
  full: number;
  pull: number;
  inactive: number;
  refused: number;
  paused: number;
}

/**
 * The job fetcher (facts §2.1): claims up to nQueues queues not asked within
 * lookupTime, and for each push queue asks upstream for exactly the jobs it
 * is missing — its job limit minus the jobs already starting, capped at
 * maxJobs — then stores them as `starting/fetched` with their input files
 * and makes them due for the propagator. While upstream is unreachable it
 * fetches nothing and gives the claimed queues back, so the first cycle after
 * the outage asks again.
 */
export class JobFetcher implements Agent {
  readonly name = 'jobfetcher';
  private readonly random: () => number;
  private readonly nodeName: string;

  constructor(opts: JobFetcherOptions = {}) {
    this.random = opts.random ?? Math.random;
    this.nodeName = opts.nodeName ?? os.hostname();
  }

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const counts: CycleCounts = { queues: 0, asked: 0, fetched: 0, full: 0, pull: 0, inactive: 0, refused: 0, paused: 0 };
    if (!(await this.upstreamUsable(ctx))) {
      counts.paused = 1;
      return { ...counts };
    }
    const { nQueues, lookupTime } = ctx.config.jobfetcher;
    const claim = await claimQueuesToFetch(ctx.db.sql, {
      limit: nQueues, lookupTime, ...(ctx.queue !== undefined ? { queueName: ctx.queue } : {}),
    });
    const rows = firstRowPerQueue(claim.rows);
    counts.queues = rows.length;
    if (rows.length === 0) return { ...counts };

    const local = await countLocalJobs(ctx.db.sql, rows.map((r) => r.queueName));
    const giveBack: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (ctx.signal.aborted) {
        giveBack.push(...rows.slice(i).map((r) => r.queueName));
        break;
      }
      const outcome = await this.fetchForQueue(ctx, row, local.get(row.queueName), counts);
      if (outcome === 'unreachable') {
        // Nothing was fetched for this and the remaining queues: let the next cycle ask at once.
        giveBack.push(...rows.slice(i).map((r) => r.queueName));
        break;
      }
    }
    if (giveBack.length) await releaseQueuesToFetch(ctx.db.sql, claim.claimedAt, giveBack);
    return { ...counts };
  }

  /**
   * While the client last saw upstream down, one cheap is_alive decides; the
   * fetcher must not wait for another agent's call to notice the recovery.
   */
  private async upstreamUsable(ctx: AgentContext): Promise<boolean> {
    const { services } = ctx;
    if (services.upstreamHealth().reachable) return true;
    const probe = await services.upstream.checkPanda();
    if (probe.ok) return true;
    warnOncePerOutage(services.upstream, services.upstreamHealth(), ctx.log, 'jobfetcher', 'upstream unreachable: job fetching paused until it answers again');
    return false;
  }

  private async fetchForQueue(
    ctx: AgentContext, row: PandaQueueRow & { queueName: string }, local: LocalJobCounts | undefined, counts: CycleCounts,
  ): Promise<'done' | 'unreachable'> {
    const { services } = ctx;
    const queue = services.queueConfig.getActiveQueues().get(row.queueName);
    const log = ctx.log.child({ queue: row.queueName });
    if (!queue) {
      // pq_table lags a reload by at most one load; an offline or removed queue fetches nothing.
      counts.inactive++;
      log.debug('queue not active in the queue config; not fetching');
      return 'done';
    }
    const decision = jobsToFetch(limitsOf(row, queue), local ?? { starting: 0, startingCores: 0, running: 0, runningCores: 0 });
    if (!decision.fetch) {
      counts[decision.reason]++;
      log.debug({ reason: decision.reason, limit: decision.limit, local }, 'no jobs to fetch');
      return 'done';
    }
    const nJobs = Math.min(decision.nJobs, ctx.config.jobfetcher.maxJobs);
    if (nJobs <= 0) return 'done';
    const prodSourceLabel = chooseProdSourceLabel(queue.prodSourceLabel, queue.prodSourceLabelRandomWeightsPermille, this.random);
    counts.asked += nJobs;
    const res = await services.upstream.getJobs({
      siteName: queue.siteName,
      node: this.nodeName,
      prodSourceLabel,
      computingElement: this.nodeName,
      nJobs,
      ...(queue.getJobCriteria ? { additionalCriteria: { ...queue.getJobCriteria } } : {}),
    });
    if (!res.ok) {
      if (!services.upstreamHealth().reachable) {
        warnOncePerOutage(services.upstream, services.upstreamHealth(), ctx.log, 'jobfetcher', 'upstream unreachable: job fetching paused until it answers again');
        return 'unreachable';
      }
      counts.refused++;
      log.warn({ nJobs, prodSourceLabel, diag: res.diag }, 'getJobs refused; asking again after lookupTime');
      return 'done';
    }
    if (res.jobs.length === 0) {
      log.debug({ nJobs, prodSourceLabel }, 'no jobs available upstream');
      return 'done';
    }
    const now = new Date();
    const inUse = await inputFilesInUse(ctx.db.sql, res.jobs.flatMap((j) => inputFilesOf(j).map((f) => f.lfn)), queue.ddmEndpointIn);
    const target = { queueName: queue.queueName, configID: queue.configID, zipPerMB: queue.zipPerMB, ddmEndpointIn: queue.ddmEndpointIn };
    const jobs = res.jobs.map((dict) => buildNewJob(dict, target, ctx.config.master.harvester_id, inUse, now));
    try {
      await insertJobs(ctx.db.sql, jobs);
    } catch (err) {
      // These jobs are now assigned to us upstream; PanDA's own timeout gets them back.
      throw Object.assign(new Error(`queue ${queue.queueName}: storing ${jobs.length} fetched jobs failed: ${(err as Error).message}`, { cause: err }), {
        PandaIDs: jobs.map((j) => j.PandaID),
        queue: queue.queueName,
      });
    }
    counts.fetched += jobs.length;
    log.info({ asked: nJobs, got: jobs.length, prodSourceLabel, limit: decision.limit, starting: local?.starting ?? 0 }, 'fetched jobs');
    return 'done';
  }
}

/** pq_table has a row per resource/job type; the limits are the queue's, so its first row stands for it. */
function firstRowPerQueue(rows: readonly PandaQueueRow[]): Array<PandaQueueRow & { queueName: string }> {
  const seen = new Map<string, PandaQueueRow & { queueName: string }>();
  for (const r of rows) {
    if (r.queueName !== null && !seen.has(r.queueName)) seen.set(r.queueName, { ...r, queueName: r.queueName });
  }
  return [...seen.values()];
}

/**
 * Job limits from pq_table (where the mapper, and operators, put them) and the
 * core limits, which pq_table does not carry, from the queue config.
 */
function limitsOf(row: PandaQueueRow, queue: QueueConfig): JobLimits {
  return {
    nQueueLimitJob: row.nQueueLimitJob,
    nQueueLimitJobRatio: row.nQueueLimitJobRatio,
    nQueueLimitJobMin: row.nQueueLimitJobMin,
    nQueueLimitJobMax: row.nQueueLimitJobMax,
    nQueueLimitJobCores: queue.nQueueLimitJobCores,
    nQueueLimitJobCoresRatio: queue.nQueueLimitJobCoresRatio,
    nQueueLimitJobCoresMin: queue.nQueueLimitJobCoresMin,
  };
}
