import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { JobSpec } from '../../src/plugins/types';
import type { MakeResult, MakeWorkerRequest, NewWorker, WorkerMaker } from '../../src/plugins/worker-maker';
import { happens } from '../lib/chance';
import { delay } from '../lib/delay';

const attributes = {
  nJobsPerWorker: { type: 'integer', min: 1, default: 1, doc: 'jobs per worker for ManyToOne' },
  nWorkersPerJob: { type: 'integer', min: 1, default: 1, doc: 'workers per job for OneToMany' },
  nReadyResources: { type: 'integer', min: 0, default: 1, doc: 'ready resources reported for dynamic sizing' },
  maxWorkersPerJobInTotal: { type: 'integer', min: 1, default: 10, doc: 'OneToMany: workers per job over its life' },
  maxWorkersPerJobPerCycle: { type: 'integer', min: 0, default: 0, doc: 'OneToMany: workers per job per cycle (0 = no cap)' },
  nCorePerWorker: { type: 'integer', min: 0, default: 0, doc: 'cores of a worker; 0 = sum of its jobs\' coreCount (1 without jobs)' },
  ramPerCore: { type: 'integer', min: 0, default: 2000, doc: 'MB per core when jobs give no minRamCount' },
  walltime: { type: 'integer', min: 0, default: 3600, doc: 'seconds of walltime when jobs give no maxWalltime' },
  makeDelay: { type: 'number', min: 0, default: 0, doc: 'ms each makeWorker call takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of makeWorker calls that fail (per first PandaID or call, and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  dynamicSizing: { type: 'boolean', default: false, doc: 'size by numReadyResources()' },
  staticWorkers: { type: 'integer', min: 0, default: 0, doc: 'with dynamicSizing: workers to keep' },
  skipOnFail: { type: 'boolean', default: false, doc: 'release jobs instead of failing them when a make fails' },
} as const satisfies AttributeSchema;

function numberParam(job: JobSpec, key: string): number | undefined {
  const v = job.jobParams[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Makes workers sized from their jobs like the original's simple worker maker:
 * cores = sum of `coreCount`, memory = sum of `minRamCount` (else cores ×
 * ramPerCore), walltime = max `maxWalltime`, disk = sum of `maxDiskCount`.
 */
export class DummyWorkerMaker implements WorkerMaker {
  static readonly attributes = attributes;
  readonly dynamicSizing: boolean;
  readonly staticWorkers: number;
  readonly skipOnFail: boolean;
  private readonly a: AttributesOf<typeof attributes>;
  private calls = 0;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.dynamicSizing = attrs.dynamicSizing;
    this.staticWorkers = attrs.staticWorkers;
    this.skipOnFail = attrs.skipOnFail;
  }

  async makeWorker(req: MakeWorkerRequest): Promise<MakeResult> {
    await delay(this.a.makeDelay);
    this.calls += 1;
    const key = req.jobs.length ? req.jobs[0].PandaID : `call${this.calls}`;
    if (happens(this.a.failureRate, this.a.seed, 'make', key)) {
      return { status: 'failed', diag: `dummy worker maker failed for ${req.jobs.length} job(s)` };
    }
    const sum = (k: string) => req.jobs.reduce((n, j) => n + (numberParam(j, k) ?? 0), 0);
    const nCore = this.a.nCorePerWorker || Math.max(1, sum('coreCount'));
    const walltimes = req.jobs.map((j) => numberParam(j, 'maxWalltime') ?? 0);
    const worker: NewWorker = {
      computingSite: req.queue.queueName,
      mapType: req.queue.mapType,
      hasJob: req.jobs.length > 0 ? 1 : 0,
      nJobs: req.jobs.length,
      nCore,
      minRamCount: sum('minRamCount') || nCore * this.a.ramPerCore,
      maxDiskCount: sum('maxDiskCount') || null,
      maxWalltime: Math.max(0, ...walltimes) || this.a.walltime,
      jobType: req.jobType,
      resourceType: req.resourceType,
      pilotType: req.pilotType ?? null,
      pandaIDs: req.jobs.map((j) => j.PandaID),
    };
    return { status: 'made', worker, diag: '' };
  }

  async getNumJobsPerWorker(_nWorkers: number): Promise<number> {
    return this.a.nJobsPerWorker;
  }

  async getNumWorkersPerJob(_nWorkers: number): Promise<number> {
    return this.a.nWorkersPerJob;
  }

  async numReadyResources(): Promise<number> {
    return this.a.nReadyResources;
  }

  async getMaxWorkersPerJobInTotal(): Promise<number> {
    return this.a.maxWorkersPerJobInTotal;
  }

  async getMaxWorkersPerJobPerCycle(): Promise<number | null> {
    return this.a.maxWorkersPerJobPerCycle || null;
  }
}
