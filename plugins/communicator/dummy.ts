import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type {
  CallResult, Communicator, DialogMessage, EventRangesResponse, EventRangesUpdateResponse, EventRangeUpdate,
  GetJobsRequest, GetJobsResponse, JobReport, JobReportResult, JobStatusInfo, PandaCommand, PandaJob, ResourceType,
  ServiceMetrics, WorkerReport, WorkerStats,
} from '../../src/plugins/communicator';
import type { PluginContext } from '../../src/plugins/context';
import type { EventRange, EventsRequest } from '../../src/plugins/messenger';
import type { JsonObject, PerJob } from '../../src/plugins/types';
import { happens } from '../lib/chance';
import { delay } from '../lib/delay';
import { sharedState } from '../lib/shared-state';

const attributes = {
  stateKey: { type: 'string', default: 'default', doc: 'name of the in-process fake PanDA; dummyPanda(stateKey) inspects and drives it' },
  maxJobs: { type: 'integer', min: -1, default: -1, doc: 'jobs PanDA has to give out in total (-1 = unlimited)' },
  firstPandaID: { type: 'integer', min: 1, default: 1_000_000, doc: 'PandaID of the first generated job' },
  coreCount: { type: 'integer', min: 1, default: 1, doc: 'coreCount of generated jobs' },
  inFilesPerJob: { type: 'integer', min: 0, default: 1, doc: 'input files of each generated job' },
  outFilesPerJob: { type: 'integer', min: 0, default: 1, doc: 'output files of each generated job (plus a log file)' },
  nEventsPerJob: { type: 'integer', min: 0, default: 0, doc: 'event ranges of each job (0 = not an event-service job)' },
  jobTemplate: { type: 'object', default: {}, doc: 'fields merged into every generated job dict' },
  latency: { type: 'number', min: 0, default: 0, doc: 'ms every call takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of calls that fail as transport errors (per method, call number and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
} as const satisfies AttributeSchema;

/** Everything the fake PanDA received and holds; tests read and change it through {@link dummyPanda}. */
export interface DummyPandaState {
  nextPandaID: number | null;
  issuedJobs: Map<number, PandaJob>;
  /** Every job report received, in order. */
  jobReports: JobReport[];
  /** Latest report per workerID. */
  workers: Map<number, WorkerReport>;
  workerStats: Map<string, WorkerStats>;
  heartbeats: JsonObject[];
  /** Commands waiting to be fetched. */
  commands: PandaCommand[];
  /** Commands handed out but not acknowledged. */
  unacked: Map<number, PandaCommand>;
  acked: number[];
  /** Jobs to answer `tobekilled` to on their next report or check. */
  jobsToKill: Set<number>;
  /** Remaining event ranges per PandaID. */
  eventRanges: Map<number, EventRange[]>;
  eventUpdates: EventRangeUpdate[];
  dialogs: DialogMessage[];
  metrics: ServiceMetrics[];
  uploads: Map<string, Buffer>;
  nextCommandID: number;
  calls: number;
}

const newState = (): DummyPandaState => ({
  nextPandaID: null, issuedJobs: new Map(), jobReports: [], workers: new Map(), workerStats: new Map(),
  heartbeats: [], commands: [], unacked: new Map(), acked: [], jobsToKill: new Set(), eventRanges: new Map(),
  eventUpdates: [], dialogs: [], metrics: [], uploads: new Map(), nextCommandID: 1, calls: 0,
});

/** The fake PanDA of a state key, with helpers to queue commands and kill jobs. */
export function dummyPanda(stateKey = 'default') {
  const state = sharedState('dummy-panda', stateKey, newState);
  return {
    state,
    addCommand(command: string, params: PandaCommand['params'] = null, ackRequested = true): number {
      const command_id = state.nextCommandID++;
      state.commands.push({ command_id, command, params, ack_requested: ackRequested });
      return command_id;
    },
    killJob(pandaID: number): void {
      state.jobsToKill.add(pandaID);
    },
  };
}

/**
 * An in-memory PanDA for tests and benchmarks: generates jobs with input and
 * output files (and event ranges), records every report, serves commands.
 * `failureRate` turns calls into transport failures the way the real
 * communicator reports them (ok false / StatusCode 999), never exceptions.
 */
export class DummyCommunicator implements Communicator {
  static readonly attributes = attributes;
  readonly state: DummyPandaState;
  private readonly a: AttributesOf<typeof attributes>;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.state = sharedState('dummy-panda', attrs.stateKey, newState);
    this.state.nextPandaID ??= attrs.firstPandaID;
  }

  /** Latency, call counting and failure injection; returns a diag when this call fails. */
  private async enter(method: string): Promise<string | null> {
    await delay(this.a.latency);
    this.state.calls += 1;
    return happens(this.a.failureRate, this.a.seed, method, this.state.calls) ? `dummy PanDA: ${method} failed (injected)` : null;
  }

  async checkPanda(): Promise<CallResult> {
    const fail = await this.enter('checkPanda');
    return { ok: !fail, diag: fail ?? 'alive' };
  }

  async heartbeat(data: JsonObject): Promise<CallResult> {
    const fail = await this.enter('heartbeat');
    if (fail) return { ok: false, diag: fail };
    this.state.heartbeats.push(data);
    return { ok: true, diag: '' };
  }

  async getJobs(req: GetJobsRequest): Promise<GetJobsResponse> {
    const fail = await this.enter('getJobs');
    if (fail) return { ok: false, diag: fail, jobs: [] };
    const left = this.a.maxJobs < 0 ? req.nJobs : Math.max(0, this.a.maxJobs - this.state.issuedJobs.size);
    const jobs: PandaJob[] = [];
    for (let i = 0; i < Math.min(req.nJobs, left); i++) jobs.push(this.makeJob(req));
    return { ok: true, diag: '', jobs };
  }

  private makeJob(req: GetJobsRequest): PandaJob {
    const PandaID = this.state.nextPandaID as number;
    this.state.nextPandaID = PandaID + 1;
    const taskID = 1000 + Math.floor(PandaID / 100);
    const ins = Array.from({ length: this.a.inFilesPerJob }, (_, i) => `in.${PandaID}.${i}.root`);
    const outs = Array.from({ length: this.a.outFilesPerJob }, (_, i) => `out.${PandaID}.${i}.root`);
    const logFile = `log.${PandaID}.tgz`;
    const job: PandaJob = {
      ...(this.a.jobTemplate as JsonObject),
      PandaID,
      taskID,
      jobsetID: taskID,
      attemptNr: 1,
      currentPriority: 1000,
      coreCount: this.a.coreCount,
      minRamCount: 2000 * this.a.coreCount,
      maxWalltime: 3600,
      prodSourceLabel: req.prodSourceLabel,
      computingSite: req.siteName,
      transformation: 'dummy.sh',
      jobPars: `--sleep 1 --job ${PandaID}`,
      inFiles: ins.join(','),
      scopeIn: ins.map(() => 'mc_test').join(','),
      fsize: ins.map(() => '1024').join(','),
      checksum: ins.map(() => 'ad:00000001').join(','),
      GUID: ins.map((_, i) => `guid-${PandaID}-${i}`).join(','),
      ddmEndPointIn: ins.map(() => 'DUMMY_DATADISK').join(','),
      outFiles: [...outs, logFile].join(','),
      scopeOut: outs.map(() => 'mc_test').join(','),
      scopeLog: 'mc_test',
      logFile,
      logGUID: `logguid-${PandaID}`,
      ddmEndPointOut: [...outs, logFile].map(() => 'DUMMY_DATADISK').join(','),
      eventService: this.a.nEventsPerJob > 0 ? 'True' : 'False',
    };
    this.state.issuedJobs.set(PandaID, job);
    if (this.a.nEventsPerJob > 0) {
      this.state.eventRanges.set(PandaID, Array.from({ length: this.a.nEventsPerJob }, (_, i) => ({
        eventRangeID: `${taskID}-${PandaID}-${i + 1}`, startEvent: i, lastEvent: i, LFN: ins[0] ?? null, GUID: null, scope: 'mc_test',
      })));
    }
    return job;
  }

  async updateJobs(reports: readonly JobReport[]): Promise<JobReportResult[]> {
    const fail = await this.enter('updateJobs');
    return reports.map((r): JobReportResult => {
      if (fail) return { ok: false, statusCode: 999, diag: fail };
      this.state.jobReports.push(structuredClone(r));
      const kill = this.state.jobsToKill.has(r.PandaID);
      return { ok: true, statusCode: 0, diag: '', ...(kill ? { command: 'tobekilled' } : {}) };
    });
  }

  async checkJobs(pandaIDs: readonly number[]): Promise<JobStatusInfo[]> {
    const fail = await this.enter('checkJobs');
    return pandaIDs.map((PandaID): JobStatusInfo => {
      if (fail) return { PandaID, diag: fail };
      const last = [...this.state.jobReports].reverse().find((r) => r.PandaID === PandaID);
      const known = this.state.issuedJobs.has(PandaID);
      return {
        PandaID,
        status: last?.jobStatus ?? (known ? 'starting' : undefined),
        diag: known ? '' : 'unknown job',
        ...(this.state.jobsToKill.has(PandaID) ? { command: 'tobekilled' } : {}),
      };
    });
  }

  async updateWorkers(workers: readonly WorkerReport[]): Promise<boolean[]> {
    const fail = await this.enter('updateWorkers');
    return workers.map((w) => {
      if (fail) return false;
      this.state.workers.set(w.workerID, structuredClone(w));
      return true;
    });
  }

  async updateWorkerStats(siteName: string, stats: WorkerStats): Promise<CallResult> {
    const fail = await this.enter('updateWorkerStats');
    if (fail) return { ok: false, diag: fail };
    this.state.workerStats.set(siteName, structuredClone(stats));
    return { ok: true, diag: '' };
  }

  async getCommands(n: number): Promise<PandaCommand[]> {
    const fail = await this.enter('getCommands');
    if (fail || n <= 0) return [];
    const taken = this.state.commands.splice(0, n);
    for (const c of taken) if (c.ack_requested) this.state.unacked.set(c.command_id, c);
    return taken;
  }

  async ackCommands(commandIDs: readonly number[]): Promise<CallResult> {
    const fail = await this.enter('ackCommands');
    if (fail) return { ok: false, diag: fail };
    for (const id of commandIDs) {
      this.state.unacked.delete(id);
      this.state.acked.push(id);
    }
    return { ok: true, diag: '' };
  }

  async getEventRanges(requests: PerJob<EventsRequest>, _scattered: boolean): Promise<EventRangesResponse> {
    const fail = await this.enter('getEventRanges');
    if (fail) return { ok: false, diag: fail, ranges: {} };
    const ranges: PerJob<EventRange[]> = {};
    for (const [id, req] of Object.entries(requests)) {
      const left = this.state.eventRanges.get(Number(id)) ?? [];
      ranges[id] = left.splice(0, Math.max(0, req.nRanges));
    }
    return { ok: true, diag: '', ranges };
  }

  async updateEventRanges(updates: readonly EventRangeUpdate[]): Promise<EventRangesUpdateResponse> {
    const fail = await this.enter('updateEventRanges');
    if (fail) return { ok: false, diag: fail, statusCode: 999, returns: [] };
    this.state.eventUpdates.push(...structuredClone([...updates]));
    return { ok: true, diag: '', statusCode: 0, returns: updates.map(() => true) };
  }

  async checkEventAvailability(job: { PandaID: number }): Promise<number | null> {
    const fail = await this.enter('checkEventAvailability');
    if (fail) return null;
    return this.state.eventRanges.get(job.PandaID)?.length ?? 0;
  }

  async sendDialogs(dialogs: readonly DialogMessage[]): Promise<CallResult> {
    const fail = await this.enter('sendDialogs');
    if (fail) return { ok: false, diag: fail };
    this.state.dialogs.push(...dialogs);
    return { ok: true, diag: '' };
  }

  async updateServiceMetrics(metrics: readonly ServiceMetrics[]): Promise<CallResult> {
    const fail = await this.enter('updateServiceMetrics');
    if (fail) return { ok: false, diag: fail };
    this.state.metrics.push(...metrics);
    return { ok: true, diag: '' };
  }

  async uploadFile(remoteName: string, data: Buffer): Promise<CallResult> {
    const fail = await this.enter('uploadFile');
    if (fail) return { ok: false, diag: fail };
    const previous = this.state.uploads.get(remoteName);
    this.state.uploads.set(remoteName, previous ? Buffer.concat([previous, data]) : Buffer.from(data));
    return { ok: true, diag: '' };
  }

  async getResourceTypes(): Promise<ResourceType[]> {
    await this.enter('getResourceTypes');
    return [
      { resource_name: 'SCORE', mincore: null, maxcore: 1, minrampercore: null, maxrampercore: 2000 },
      { resource_name: 'MCORE', mincore: 2, maxcore: null, minrampercore: null, maxrampercore: 2000 },
    ];
  }

  async getJobStats(): Promise<JsonObject> {
    await this.enter('getJobStats');
    return {};
  }

  async getWorkerStats(): Promise<JsonObject> {
    await this.enter('getWorkerStats');
    return {};
  }

  async getMaxWorkerID(): Promise<number | null> {
    await this.enter('getMaxWorkerID');
    const ids = [...this.state.workers.keys()];
    return ids.length ? Math.max(...ids) : null;
  }
}
