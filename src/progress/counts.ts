import type { Database } from '../db/connect';

/** Job statuses after which nothing changes any more (upstream and here). */
export const FINAL_JOB_STATUSES: ReadonlySet<string> = new Set(['finished', 'failed', 'cancelled', 'closed']);

/** The order a person reads a job's life in; unknown states come after, alphabetically. */
export const JOB_STATE_ORDER = [
  'fetched', 'preparing', 'prepared', 'submitted', 'running', 'to_transfer', 'transferring', 'staged',
  'finished', 'failed', 'cancelled', 'closed',
];
/** Sub statuses of a job on its way through this harvester (facts §5.1). */
const PIPELINE_STEPS: ReadonlySet<string> = new Set(JOB_STATE_ORDER.slice(0, JOB_STATE_ORDER.indexOf('finished')));
export const WORKER_STATE_ORDER = ['pending', 'ready', 'submitted', 'idle', 'running', 'finished', 'failed', 'cancelled', 'missed'];

export type Counts = Record<string, number>;

export interface LocalCounts {
  /** Jobs in the database by pipeline step (sub status), or by status once done with (or off) the pipeline. */
  jobs: Counts;
  workers: Counts;
}

/**
 * Read-only snapshot of job and worker rows by state. Two GROUP BY queries on
 * indexed columns: cheap enough every few seconds. Rows the sweeper already
 * deleted are gone from here (upstream counts are the lasting record).
 */
export async function localCounts(db: Database): Promise<LocalCounts> {
  const jobRows = await db.sql.all<{ status: string | null; subStatus: string | null; n: number }>(
    'SELECT status, subStatus, COUNT(*) AS n FROM job_table GROUP BY status, subStatus',
  );
  const jobs: Counts = {};
  for (const r of jobRows) {
    // A job is `finished` as soon as its payload is, while its outputs are still staged out:
    // the pipeline step says more until it is done.
    const key = r.subStatus && PIPELINE_STEPS.has(r.subStatus) ? r.subStatus : (r.status ?? r.subStatus ?? 'unknown');
    jobs[key] = (jobs[key] ?? 0) + Number(r.n);
  }
  const workerRows = await db.sql.all<{ status: string | null; n: number }>('SELECT status, COUNT(*) AS n FROM work_table GROUP BY status');
  const workers: Counts = {};
  for (const r of workerRows) workers[r.status ?? 'unknown'] = (workers[r.status ?? 'unknown'] ?? 0) + Number(r.n);
  return { jobs, workers };
}

/** Upstream totals (the embedded WMS's jobs by status). */
export interface UpstreamCounts {
  total: number;
  byStatus: Counts;
  /** Jobs in a final status. */
  done: number;
}

export function upstreamCounts(byStatus: Counts): UpstreamCounts {
  let total = 0;
  let done = 0;
  for (const [status, n] of Object.entries(byStatus)) {
    total += n;
    if (FINAL_JOB_STATUSES.has(status)) done += n;
  }
  return { total, byStatus, done };
}
