/**
 * Turns job chunks into worker rows (facts §2.4 steps 5–6): one
 * `makeWorker` call per chunk, workerIDs from SEQ_workerID, and the columns
 * the submitter owns (status `pending`, configID, accessPoint, syncLevel,
 * eventsRequest...). A failed make leaves its jobs to the caller.
 */
import os from 'node:os';
import { reserveSequence } from '../../db/repo/sequences';
import type { JobRow } from '../../db/repo/jobs';
import type { WorkerRow } from '../../db/repo/workers';
import type { SqlExecutor } from '../../db/sql';
import type { EventsRequestFlag, JobSpec, JsonObject } from '../../plugins/types';
import type { NewWorker, WorkerMaker } from '../../plugins/worker-maker';
import type { QueueConfig } from '../../queue-config/types';
import { expandAccessPoint } from './access-point';
import { queueInfo } from './adjuster-inputs';

/** A worker about to be inserted, with the jobs it carries. */
export interface MadeWorker {
  row: WorkerRow;
  jobs: JobRow[];
}

export interface FailedMake {
  jobs: JobRow[];
  diag: string;
}

export interface MakeResultSet {
  made: MadeWorker[];
  failed: FailedMake[];
}

const ES_KEYS = ['eventService', 'cloneJob', 'isHPO'];

function isEventJob(job: JobSpec): boolean {
  return ES_KEYS.some((k) => {
    const v = job.jobParams[k];
    return v !== undefined && v !== null && v !== false && v !== 'False' && v !== 0 && v !== '';
  });
}

/**
 * Events to prefetch per job (facts §2.4 step 8): nRanges = max(ceil(nCore / nJobs),
 * coreCount) × initEventsMultipler, so the payload has work the moment it starts.
 */
function prefetchParams(worker: NewWorker, jobs: readonly JobRow[], q: QueueConfig): JsonObject {
  const out: JsonObject = {};
  for (const j of jobs) {
    const coreCount = Number(j.jobParams.coreCount ?? 1) || 1;
    const nRanges = Math.max(Math.ceil((worker.nCore ?? 1) / Math.max(1, jobs.length)), coreCount) * q.initEventsMultipler;
    out[String(j.PandaID)] = { pandaID: j.PandaID, taskID: j.taskID ?? null, jobsetID: j.jobsetID ?? null, nRanges };
  }
  return out;
}

export interface MakeWorkersArgs {
  sql: SqlExecutor;
  maker: WorkerMaker;
  queue: QueueConfig;
  chunks: readonly JobRow[][];
  harvesterID: string;
  now?: Date;
}

export async function makeWorkers(a: MakeWorkersArgs): Promise<MakeResultSet> {
  const q = a.queue;
  const now = a.now ?? new Date();
  const harvesterHost = os.hostname();
  const info = queueInfo(q);
  const results = [];
  // Sequential: makers may be stateful or rate-limited, and the chunks are few per cycle.
  for (const jobs of a.chunks) {
    try {
      results.push({ jobs, res: await a.maker.makeWorker({ jobs, queue: info, jobType: q.jobType, resourceType: q.resourceType, prodSourceLabel: q.prodSourceLabel }) });
    } catch (err) {
      results.push({ jobs, res: { status: 'failed' as const, diag: `makeWorker threw: ${err instanceof Error ? err.message : String(err)}` } });
    }
  }
  const failed: FailedMake[] = [];
  const ok: Array<{ worker: NewWorker; jobs: JobRow[] }> = [];
  for (const { jobs, res } of results) {
    if (res.status === 'made') ok.push({ worker: res.worker, jobs });
    else failed.push({ jobs, diag: res.diag });
  }
  if (ok.length === 0) return { made: [], failed };

  const firstID = await reserveSequence(a.sql, 'SEQ_workerID', ok.length);
  const template = typeof q.messenger.accessPoint === 'string' ? q.messenger.accessPoint : null;
  const made = ok.map(({ worker, jobs }, i): MadeWorker => {
    const { pandaIDs: _ids, ...w } = worker;
    const workerID = firstID + i;
    const hasJob = q.mapType === 'NoJob' ? 0 : jobs.length > 0 ? 1 : 0;
    const events = jobs.some(isEventJob);
    const prefetch = events && q.prefetchEvents;
    const eventsRequest: EventsRequestFlag = prefetch ? 2 : events ? 1 : 0;
    const row: WorkerRow = {
      ...w,
      workerID,
      status: 'pending',
      configID: q.configID,
      computingSite: q.queueName,
      mapType: q.mapType,
      hasJob,
      nJobs: jobs.length,
      jobType: w.jobType ?? q.jobType,
      resourceType: w.resourceType ?? q.resourceType,
      // Pull pilots and true pilots report to PanDA themselves: harvester only syncs their status.
      syncLevel: q.mapType === 'NoJob' || q.truePilot ? 1 : (w.syncLevel ?? 0),
      eventsRequest,
      ...(prefetch ? { eventsRequestParams: prefetchParams(worker, jobs, q) } : {}),
      harvesterHost,
      creationTime: now,
      modificationTime: now,
    };
    if (template) row.accessPoint = expandAccessPoint(template, row, a.harvesterID);
    return { row, jobs };
  });
  return { made, failed };
}
