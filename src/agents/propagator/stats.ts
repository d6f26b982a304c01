/**
 * Worker statistics and service metrics (facts §2.2 steps 5–7), each at most
 * once per period across every thread and process: the period is a process
 * lock (`lock_table`) whose holder cannot take it again before it expires.
 */
import { getProcessLock, releaseProcessLock } from '../../db/process-lock';
import { fromSqlDateTime, secondsBefore } from '../../db/dates';
import type { WorkerStats } from '../../plugins/communicator';
import type { JsonObject } from '../../plugins/types';
import type { AgentContext } from '../agent';
import { countWorkersForStats, newWorkersPerQueue, purgeOldServiceMetrics, serviceMetricsSince } from './queries';

/** The original's STATS_PERIOD and METRICS_PERIOD (s). */
export const STATS_PERIOD = 300;
export const METRICS_PERIOD = 300;

const STATS_LOCK = 'propagator_stats';
const METRICS_LOCK = 'propagator_metrics';

/**
 * How often one process asks lock_table whether a period is due: each ask is
 * three writes, and with 1 s cycles and several threads that adds up for nothing.
 */
const LOCK_PROBE_MS = 10_000;
/** Last ask per database (a process normally has one; tests open several) and lock name. */
const lastProbe = new WeakMap<object, Map<string, number>>();

function probes(ctx: AgentContext): Map<string, number> {
  let m = lastProbe.get(ctx.db);
  if (!m) {
    m = new Map();
    lastProbe.set(ctx.db, m);
  }
  return m;
}

async function periodDue(ctx: AgentContext, name: string, periodSec: number): Promise<boolean> {
  const now = Date.now();
  if (now - (probes(ctx).get(name) ?? 0) < Math.min(LOCK_PROBE_MS, periodSec * 1000)) return false;
  probes(ctx).set(name, now);
  return getProcessLock(ctx.db.sql, name, ctx.owner, periodSec);
}

/** Gives a period back (its work did not get through) and lets this process ask again at once. */
async function periodUndone(ctx: AgentContext, name: string): Promise<void> {
  probes(ctx).delete(name);
  await releaseProcessLock(ctx.db.sql, name, ctx.owner);
}

type Counter = 'running' | 'submitted' | 'finished' | 'to_submit';

/** Worker status → the counter PanDA's statistics have for it (ready waits like submitted, idle runs). */
const COUNTER_OF: Readonly<Record<string, Counter>> = { submitted: 'submitted', ready: 'submitted', running: 'running', idle: 'running', finished: 'finished' };

/** `{queue: {jobType: {resourceType: {running, submitted, finished, to_submit}}}}` for the given queues. */
export async function buildWorkerStats(ctx: AgentContext, queueNames: readonly string[]): Promise<Map<string, WorkerStats>> {
  const out = new Map<string, WorkerStats>(queueNames.map((q) => [q, {}]));
  const slot = (queue: string, jobType: string, resourceType: string): Record<Counter, number> | undefined => {
    const stats = out.get(queue);
    if (!stats) return undefined;
    const byRt = (stats[jobType] ??= {});
    return (byRt[resourceType] ??= { running: 0, submitted: 0, finished: 0, to_submit: 0 }) as Record<Counter, number>;
  };
  for (const q of queueNames) {
    const config = ctx.services.queueConfig.getQueue(q);
    slot(q, config?.jobType ?? 'ANY', config?.resourceType ?? 'ANY');
  }
  for (const r of await countWorkersForStats(ctx.db.sql)) {
    const counter = COUNTER_OF[r.status];
    const s = counter ? slot(r.computingSite, r.jobType, r.resourceType) : undefined;
    if (s && counter) s[counter] += r.n;
  }
  for (const r of await newWorkersPerQueue(ctx.db.sql)) {
    const s = slot(r.queueName, r.jobType, r.resourceType);
    if (s) s.to_submit += r.nNewWorkers;
  }
  return out;
}

/** Sends the statistics of `queueNames`; returns how many queues were delivered. */
export async function sendWorkerStats(ctx: AgentContext, queueNames: readonly string[]): Promise<number> {
  let sent = 0;
  for (const [queue, stats] of await buildWorkerStats(ctx, queueNames)) {
    const res = await ctx.services.upstream.updateWorkerStats(queue, stats);
    if (res.ok) sent++;
    else ctx.log.warn({ queue, diag: res.diag }, 'sending worker statistics failed');
    if (!ctx.services.upstreamHealth().reachable) break;
  }
  return sent;
}

/** Every STATS_PERIOD: statistics of every active queue. Returns queues sent (0 when not due). */
export async function periodicWorkerStats(ctx: AgentContext): Promise<number> {
  if (!(await periodDue(ctx, STATS_LOCK, STATS_PERIOD))) return 0;
  const queues = [...ctx.services.queueConfig.getActiveQueues().keys()];
  const sent = await sendWorkerStats(ctx, queues);
  // Not delivered: give the period back so the next cycle tries again.
  if (sent < queues.length) await periodUndone(ctx, STATS_LOCK);
  return sent;
}

/** Every METRICS_PERIOD: the service monitor's samples of the last period. Returns rows sent. */
export async function periodicServiceMetrics(ctx: AgentContext): Promise<number> {
  const sql = ctx.db.sql;
  if (!(await periodDue(ctx, METRICS_LOCK, METRICS_PERIOD))) return 0;
  await purgeOldServiceMetrics(sql);
  const rows = await serviceMetricsSince(sql, secondsBefore(new Date(), METRICS_PERIOD));
  if (rows.length === 0) return 0;
  const metrics = rows.map((r) => ({
    creationTime: fromSqlDateTime(r.creationTime) ?? new Date(),
    hostName: r.hostName ?? '',
    metrics: parseMetrics(r.metrics),
  }));
  const res = await ctx.services.upstream.updateServiceMetrics(metrics);
  if (!res.ok) {
    await periodUndone(ctx, METRICS_LOCK);
    ctx.log.warn({ rows: rows.length, diag: res.diag }, 'sending service metrics failed; retrying next cycle');
    return 0;
  }
  return rows.length;
}

function parseMetrics(text: string | null): JsonObject {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : { value: text };
  } catch {
    return { value: text };
  }
}
