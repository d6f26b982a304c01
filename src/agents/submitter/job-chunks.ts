/**
 * Job chunks per mapType (facts §2.4 step 4): which jobs each new worker
 * gets. The claim is `claimJobsToSubmit` (job `lockedBy` + `submitterTime`);
 * the grouping itself is pure (`chunkJobs`) so it is tested without a DB.
 */
import { claimJobsToSubmit } from '../../db/claim';
import { loadJobs, type JobRow } from '../../db/repo/jobs';
import type { SqlExecutor } from '../../db/sql';
import type { MapType } from '../../plugins/types';
import type { WorkerMaker } from '../../plugins/worker-maker';
import type { QueueConfig } from '../../queue-config/types';

export interface ChunkOptions {
  mapType: MapType;
  /** Workers wanted. */
  nWorkers: number;
  /** ManyToOne: jobs per worker. */
  nJobsPerWorker: number;
  /** ManyToOne: may a worker mix jobs of different tasks. */
  allowJobMixture: boolean;
  /** OneToMany: workers per job. */
  nWorkersPerJob: number;
  /** OneToMany: cap on workers per job over its life. */
  maxWorkersPerJobInTotal: number;
  /** OneToMany: cap on workers per job in one cycle; null = none. */
  maxWorkersPerJobPerCycle: number | null;
}

/** Job fields chunking reads. */
export type ChunkJob = Pick<JobRow, 'PandaID' | 'taskID' | 'nWorkers' | 'nWorkersLimit' | 'nWorkersInTotal'>;

/**
 * Groups claimed jobs (in priority order) into at most `nWorkers` chunks.
 * Jobs that fit no chunk are left out (the caller releases them untouched).
 */
export function chunkJobs<J extends ChunkJob>(jobs: readonly J[], o: ChunkOptions): J[][] {
  const n = Math.max(0, o.nWorkers);
  switch (o.mapType) {
    case 'NoJob':
      return Array.from({ length: n }, () => []);
    case 'OneToOne':
      return jobs.slice(0, n).map((j) => [j]);
    case 'ManyToOne': {
      const size = Math.max(1, o.nJobsPerWorker);
      const groups = new Map<string, J[]>();
      for (const j of jobs) {
        const key = o.allowJobMixture ? 'all' : String(j.taskID ?? 'none');
        const g = groups.get(key) ?? [];
        g.push(j);
        groups.set(key, g);
      }
      const out: J[][] = [];
      for (const g of groups.values()) {
        for (let i = 0; i < g.length && out.length < n; i += size) out.push(g.slice(i, i + size));
      }
      return out;
    }
    case 'OneToMany': {
      const out: J[][] = [];
      for (const j of jobs) {
        if (out.length >= n) break;
        let k = Math.min(Math.max(1, o.nWorkersPerJob), n - out.length, o.maxWorkersPerJobInTotal - (j.nWorkersInTotal ?? 0));
        if (o.maxWorkersPerJobPerCycle !== null && o.maxWorkersPerJobPerCycle > 0) k = Math.min(k, o.maxWorkersPerJobPerCycle);
        // A job already running with workers only takes what its limit still allows.
        if (j.nWorkersLimit !== null && j.nWorkersLimit !== undefined && (j.nWorkers ?? 0) > 0) k = Math.min(k, j.nWorkersLimit - (j.nWorkers ?? 0));
        for (let i = 0; i < k; i++) out.push([j]);
      }
      return out;
    }
  }
}

/** How many jobs to claim for `nWorkers` workers. */
export function jobsToClaim(o: ChunkOptions): number {
  switch (o.mapType) {
    case 'NoJob': return 0;
    case 'OneToOne': return o.nWorkers;
    case 'ManyToOne': return o.nWorkers * Math.max(1, o.nJobsPerWorker);
    case 'OneToMany': return Math.ceil(o.nWorkers / Math.max(1, o.nWorkersPerJob));
  }
}

export async function chunkOptions(maker: WorkerMaker, q: QueueConfig, nWorkers: number): Promise<ChunkOptions> {
  const base: ChunkOptions = {
    mapType: q.mapType, nWorkers, nJobsPerWorker: 1, allowJobMixture: q.allowJobMixture,
    nWorkersPerJob: 1, maxWorkersPerJobInTotal: Infinity, maxWorkersPerJobPerCycle: null,
  };
  if (q.mapType === 'ManyToOne') return { ...base, nJobsPerWorker: await maker.getNumJobsPerWorker(nWorkers) };
  if (q.mapType === 'OneToMany') {
    return {
      ...base,
      nWorkersPerJob: await maker.getNumWorkersPerJob(nWorkers),
      maxWorkersPerJobInTotal: await maker.getMaxWorkersPerJobInTotal(),
      maxWorkersPerJobPerCycle: await maker.getMaxWorkersPerJobPerCycle(),
    };
  }
  return base;
}

export interface ClaimedChunks {
  chunks: JobRow[][];
  /** Every job this cycle now holds (in chunks or not): all must be released. */
  claimed: JobRow[];
}

export interface ClaimChunksArgs {
  sql: SqlExecutor;
  owner: string;
  queue: QueueConfig;
  options: ChunkOptions;
  checkInterval: number;
  lockInterval: number;
}

export async function claimJobChunks(a: ClaimChunksArgs): Promise<ClaimedChunks> {
  const limit = jobsToClaim(a.options);
  if (limit === 0) return { chunks: chunkJobs([], a.options), claimed: [] };
  const claim = await claimJobsToSubmit(a.sql, {
    owner: a.owner,
    limit,
    lockInterval: a.lockInterval,
    queueName: a.queue.queueName,
    checkInterval: a.checkInterval,
    includeMultiWorkerJobs: a.queue.mapType === 'OneToMany',
  });
  // loadJobs keeps the claim's priority order; makers and messengers want full rows with files.
  const claimed = await loadJobs(a.sql, claim.rows.map((r) => r.PandaID));
  return { chunks: chunkJobs(claimed, a.options), claimed };
}
