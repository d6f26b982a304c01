import { claimWorkersToCheck, markWorkersToKill } from '../../db/claim';
import { loadJobColumns, loadJobs, type JobRow } from '../../db/repo/jobs';
import { MONITORED_JOB_SUBSTATUSES, workerStatuses } from '../../db/repo/monitor-reads';
import { unlockMonitorWorkers, writeMonitorSets, type MonitorSetWrite } from '../../db/repo/monitor-writes';
import { jobsOfWorkers, workersOfJobs } from '../../db/repo/relations';
import { loadWorkers, type WorkerRow } from '../../db/repo/workers';
import type { Messenger } from '../../plugins/messenger';
import type { WorkerCheck } from '../../plugins/monitor';
import type { MapType, WorkerStatus } from '../../plugins/types';
import type { AgentContext, CycleResult } from '../agent';
import { assessWorker, type AssessSettings, type WorkerOutcome } from './assess';
import { checkGroup, type QueueGroup } from './check-group';
import { jobUpdate, MONITOR_JOB_COLUMNS, type MonitoredJob } from './job-update';
import { servicesOf, workerQueueConfig } from './queue-plugins';
import { planWorkerSets, type WorkerSet } from './worker-sets';
import { workerWrite } from './worker-write';

const RUNNING_JOB_STATUSES = new Set(['starting', 'running']);
const RUNNING_SUBSTATUSES = new Set<string>(MONITORED_JOB_SUBSTATUSES);

/** Counts one monitor cycle reports. */
interface Counts {
  claimed: number;
  sets: number;
  checked: number;
  written: number;
  lost: number;
  deferred: number;
  skipped: number;
  killed: number;
  jobs: number;
  files: number;
}

/** Loaded context shared by every set of the cycle. */
interface Loaded {
  workers: Map<number, WorkerRow>;
  jobIDsOfWorker: Map<number, number[]>;
  /**
   * Jobs the monitor may still move (starting/running, subStatus running-ish),
   * only the columns the status derivation reads (no jobParams, no files). Only
   * post-processing wants full jobs (fullJobsLoader), once per worker, where
   * this read runs at every check.
   */
  jobs: Map<number, MonitoredJob>;
  workersOfJob: Map<number, number[]>;
  /** Stored status of every worker of those jobs. */
  statuses: Map<number, WorkerStatus>;
}

async function load(ctx: AgentContext, sets: readonly WorkerSet[]): Promise<Loaded> {
  const sql = ctx.db.sql;
  const ids = [...new Set(sets.flatMap((s) => s.members))];
  const workers = new Map((await loadWorkers(sql, ids)).map((w) => [w.workerID, w]));
  const jobIDsOfWorker = await jobsOfWorkers(sql, ids);
  const pandaIDs = [...new Set([...jobIDsOfWorker.values()].flat())];
  const jobs = new Map(
    (await loadJobColumns(sql, pandaIDs, MONITOR_JOB_COLUMNS))
      .filter((j) => RUNNING_JOB_STATUSES.has(j.status) && RUNNING_SUBSTATUSES.has(j.subStatus))
      .map((j) => [j.PandaID, j]),
  );
  const workersOfJob = await workersOfJobs(sql, [...jobs.keys()]);
  const others = [...new Set([...workersOfJob.values()].flat())].filter((id) => !workers.has(id));
  const statuses = await workerStatuses(sql, others);
  for (const w of workers.values()) statuses.set(w.workerID, w.status);
  return { workers, jobIDsOfWorker, jobs, workersOfJob, statuses };
}

const ENDED = new Set(['finished', 'failed', 'cancelled']);

/**
 * Full jobs (files, jobParams) of a worker for its post-processing. The jobs of
 * every worker the batch system reported ended (or that carries a final
 * monitor status) and that is not post-processed yet are read in one batch on
 * the first call; any other worker that turns out to need them (e.g. failed by
 * checkTimeout) is read on its own.
 */
function fullJobsLoader(ctx: AgentContext, workers: readonly WorkerRow[], checks: ReadonlyMap<number, WorkerCheck>, loaded: Loaded): (workerID: number) => Promise<JobRow[]> {
  const mine = (workerID: number): number[] => (loaded.jobIDsOfWorker.get(workerID) ?? []).filter((p) => loaded.jobs.has(p));
  let batch: Promise<Map<number, JobRow>> | undefined;
  return async (workerID) => {
    batch ??= (async () => {
      const ended = workers.filter((w) => !w.postProcessed && (ENDED.has(String(checks.get(w.workerID)?.status)) || ENDED.has(String(w.workParams?.finalMonStatus))));
      const ids = [...new Set(ended.flatMap((w) => mine(w.workerID)))];
      return new Map((await loadJobs(ctx.db.sql, ids)).map((j) => [j.PandaID, j]));
    })();
    const full = await batch;
    const ids = mine(workerID);
    const missing = ids.filter((p) => !full.has(p));
    if (missing.length > 0) for (const j of await loadJobs(ctx.db.sql, missing)) full.set(j.PandaID, j);
    return ids.map((p) => full.get(p)).filter((j): j is JobRow => j !== undefined);
  };
}

/** Sets grouped by the queue and configID of their lowest worker: one plugin call per group. */
function groupByQueue(sets: readonly WorkerSet[], workers: ReadonlyMap<number, WorkerRow>): QueueGroup[] {
  const groups = new Map<string, QueueGroup>();
  for (const s of sets) {
    const w = workers.get(s.key);
    if (!w) continue; // deleted meanwhile: nothing to do
    const k = JSON.stringify([w.computingSite, w.configID ?? null]);
    const g = groups.get(k) ?? { queueName: w.computingSite, configID: w.configID ?? null, sets: [] };
    g.sets.push(s);
    groups.set(k, g);
  }
  return [...groups.values()];
}

/** Builds the write of one set from its outcomes. */
function setWrite(set: WorkerSet, outcomes: readonly WorkerOutcome[], loaded: Loaded, mapType: MapType, now: Date): MonitorSetWrite {
  const byWorker = new Map(outcomes.map((o) => [o.worker.workerID, o]));
  const statusOf = (id: number): WorkerStatus | undefined => byWorker.get(id)?.newStatus ?? loaded.statuses.get(id);
  const pandaIDs = [...new Set(set.writable.flatMap((id) => loaded.jobIDsOfWorker.get(id) ?? []))];
  const jobs = pandaIDs.flatMap((pandaID) => {
    const job = loaded.jobs.get(pandaID);
    if (!job) return [];
    const jobWorkers = loaded.workersOfJob.get(pandaID) ?? [];
    const mine = outcomes.filter((o) => jobWorkers.includes(o.worker.workerID));
    if (mine.length === 0) return [];
    const allWorkerStatuses = jobWorkers.map(statusOf).filter((s): s is WorkerStatus => s !== undefined);
    const jobsOnWorker = loaded.jobIDsOfWorker.get(mine[0].worker.workerID)?.length ?? 1;
    return [jobUpdate({ job, outcomes: mine, allWorkerStatuses, jobsOnWorker, mapType, now })];
  });
  return {
    workers: outcomes.map((o) => workerWrite(o, now)),
    jobs,
    relations: outcomes.flatMap((o) => o.pandaIDs.map((PandaID) => ({ workerID: o.worker.workerID, PandaID }))),
  };
}

/**
 * One DB-mode monitor cycle (facts §2.5): claim due workers, group them into
 * worker sets, check them in bulk per queue/configID, derive worker and job
 * states, and write everything back under the owner check.
 */
export async function runMonitorCycle(ctx: AgentContext): Promise<CycleResult> {
  const services = servicesOf(ctx, 'monitor');
  const cfg = ctx.config.monitor;
  const sql = ctx.db.sql;
  const now = new Date();
  const counts: Counts = { claimed: 0, sets: 0, checked: 0, written: 0, lost: 0, deferred: 0, skipped: 0, killed: 0, jobs: 0, files: 0 };

  const claim = await claimWorkersToCheck(sql, {
    owner: ctx.owner, limit: cfg.maxWorkers, lockInterval: cfg.lockInterval, checkInterval: cfg.checkInterval, now,
    ...(ctx.queue !== undefined ? { computingSites: [ctx.queue] } : {}),
  });
  counts.claimed = claim.rows.length;
  if (claim.rows.length === 0) return { ...counts };

  const plan = await planWorkerSets(sql, ctx.owner, claim.rows.map((r) => r.workerID), cfg.lockInterval, now);
  counts.deferred = await unlockMonitorWorkers(sql, ctx.owner, plan.deferred);
  counts.sets = plan.sets.length;
  const held = plan.sets.flatMap((s) => s.writable);
  try {
    const loaded = await load(ctx, plan.sets);
    const writes: MonitorSetWrite[] = [];
    const ackBy: Array<{ messenger: Messenger; workers: WorkerRow[]; setIndex: number[]; queue: string }> = [];
    const untouched: number[] = [];
    const kills: number[] = [];
    const settings: AssessSettings = {
      now, checkTimeout: cfg.checkTimeout, workerQueueTimeLimit: cfg.workerQueueTimeLimit, postProcessTimeout: cfg.postProcessTimeout,
    };

    for (const group of groupByQueue(plan.sets, loaded.workers)) {
      const log = ctx.log.child({ queue: group.queueName, configID: group.configID });
      const qc = await workerQueueConfig(services, group.queueName, group.configID);
      const writable = group.sets.flatMap((s) => s.writable);
      if (!qc) {
        log.warn({ workerIDs: writable }, 'queue not in the queue config: workers left as they are');
        untouched.push(...writable);
        continue;
      }
      const checked = await checkGroup({ services, qc, group, workers: loaded.workers, log, checkTimeoutDefault: cfg.checkTimeout });
      if (!checked) {
        untouched.push(...writable);
        continue;
      }
      const { messenger, checks, checkTimeout } = checked;
      counts.checked += checks.size;
      const ack = { messenger, workers: [] as WorkerRow[], setIndex: [] as number[], queue: qc.queueName };
      const groupWorkers = writable.map((id) => loaded.workers.get(id)).filter((w): w is WorkerRow => w !== undefined);
      const fullJobs = fullJobsLoader(ctx, groupWorkers, checks, loaded);
      for (const set of group.sets) {
        const outcomes: WorkerOutcome[] = [];
        try {
          for (const id of set.writable) {
            const worker = loaded.workers.get(id);
            if (!worker) continue;
            outcomes.push(await assessWorker({
              worker, check: checks.get(id), qc, messenger, jobs: () => fullJobs(id), log, settings: { ...settings, checkTimeout },
            }));
          }
        } catch (err) {
          // A broken messenger must not finalise a worker without its outputs: leave the set for the next cycle.
          log.error({ err, workerIDs: set.writable }, 'messenger failed for a worker set: left unchanged');
          untouched.push(...set.writable);
          continue;
        }
        kills.push(...outcomes.filter((o) => o.kill).map((o) => o.worker.workerID));
        const mapType = (loaded.workers.get(set.key)?.mapType ?? qc.mapType) as MapType;
        ack.setIndex.push(writes.length);
        ack.workers.push(...outcomes.map((o) => o.worker));
        writes.push(setWrite(set, outcomes, loaded, mapType, now));
      }
      ackBy.push(ack);
    }

    await unlockMonitorWorkers(sql, ctx.owner, untouched);
    counts.skipped = untouched.length;
    // Before the write: a worker made final (cancelled) in it would no longer be markable.
    counts.killed = await markWorkersToKill(sql, kills, now);
    const res = await writeMonitorSets(sql, ctx.owner, writes);
    counts.written = res.written.length;
    counts.lost = res.lost.length;
    counts.files = res.files;
    const written = new Set(res.written);
    counts.jobs = res.written.reduce((n, i) => n + writes[i].jobs.filter((j) => j.set.status !== undefined).length, 0);
    if (res.lost.length > 0) {
      ctx.log.warn({ workerIDs: res.lost.flatMap((i) => writes[i].workers.map((w) => w.workerID)) }, 'lost the lock of workers during the cycle (cycle longer than lockInterval?): their results were dropped');
    }
    for (const a of ackBy) {
      const ids = new Set(a.setIndex.filter((i) => written.has(i)).flatMap((i) => writes[i].workers.map((w) => w.workerID)));
      const ackWorkers = a.workers.filter((w) => ids.has(w.workerID));
      if (ackWorkers.length === 0) continue;
      try {
        await a.messenger.acknowledgeEventsFiles(ackWorkers);
      } catch (err) {
        // Unacknowledged reports come again next cycle; the lfn check keeps them from being inserted twice.
        ctx.log.warn({ err, queue: a.queue, workerIDs: [...ids] }, 'messenger acknowledgeEventsFiles failed');
      }
    }
    return { ...counts };
  } catch (err) {
    // Do not leave the workers locked until lockInterval: they are due again after checkInterval.
    await unlockMonitorWorkers(sql, ctx.owner, held).catch(() => undefined);
    throw err;
  }
}
