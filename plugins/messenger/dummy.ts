import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { EventRange, EventsRequest, EventUpdate, Messenger, ReportedOutputFile } from '../../src/plugins/messenger';
import type { JobSpec, JsonObject, MapType, OutcomeResult, PerJob, WorkerSpec } from '../../src/plugins/types';
import { adler32, happens } from '../lib/chance';
import { delay } from '../lib/delay';
import { resolveInside } from '../lib/safe-path';
import { sharedState } from '../lib/shared-state';

/** Where outputs are said to be when a worker has no access point (read once: os.tmpdir() reads the environment each call). */
/** Writes `file`, creating its directory only when it is missing (not a mkdir call per file). */
function writeCreatingDir(file: string, content: Buffer): void {
  try {
    fs.writeFileSync(file, content);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

const DEFAULT_OUTPUT_BASE = path.join(os.tmpdir(), 'harvester-dummy-outputs');

const attributes = {
  stateKey: { type: 'string', doc: 'name of the in-process payload state (default: the queue name); dummyPayload(stateKey) drives it' },
  produceOutputs: { type: 'boolean', default: true, doc: 'once a worker is finished (failed), report its jobs\' outFiles and logFile (logFile only) as produced' },
  processEvents: { type: 'boolean', default: true, doc: 'report every fed event range as finished on the next eventsToUpdate' },
  outputFileSize: { type: 'integer', min: 0, default: 1024, doc: 'bytes of each produced output file' },
  writeFiles: { type: 'boolean', default: false, doc: 'write job specs, event ranges and outputs into the access point directory (else memory only)' },
  outputDir: { type: 'string', doc: 'write produced outputs into this one directory shared by all workers (and nothing else to disk), instead of the access point; cleanUp deletes them' },
  postProcessDelay: { type: 'number', min: 0, default: 0, doc: 'ms each postProcessing call takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of post-processing calls that fail (per workerID and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  forcePostProcessing: { type: 'boolean', default: false, doc: 'run post-processing even for heartbeat-suppressed/truePilot queues' },
} as const satisfies AttributeSchema;

/** Marker proving a directory was made by this messenger, so cleanUp never removes anything else. */
const MARKER = '.harvester-dummy-messenger';

interface WorkerState {
  jobs: Map<number, JsonObject>;
  requestedJobs: number;
  eventRequests: PerJob<EventsRequest>;
  fedEvents: PerJob<EventRange[]>;
  eventUpdates: PerJob<EventUpdate[]>;
  outputs: PerJob<ReportedOutputFile[]>;
  outputsProduced: boolean;
  /** Output files written under outputDir, for cleanUp. */
  written: string[];
  attributes: PerJob<JsonObject>;
  killRequested: boolean;
  heartbeatAt?: number;
  /**
   * What the last postProcessing call was given, in brief (a test hook). Not
   * the jobs themselves: this state lives until the worker is swept, and a
   * full job per worker kept the bench's heap growing by ~3 KB per job.
   */
  postProcessedJobs?: PostProcessedJob[];
  pandaIDs: number[];
}

const newWorkerState = (): WorkerState => ({
  jobs: new Map(), requestedJobs: 0, eventRequests: {}, fedEvents: {}, eventUpdates: {}, outputs: {},
  outputsProduced: false, written: [], attributes: {}, killRequested: false, pandaIDs: [],
});

/** One job as postProcessing saw it: enough to tell a full job (files, job dict) from a slim one. */
export interface PostProcessedJob {
  PandaID: number;
  outFileLfns: string[];
  /** The PanDA job dict's PandaID, as given (undefined when the job came without its dict). */
  jobParamsPandaID: unknown;
}

type PayloadStates = Map<number, WorkerState>;
const states = (key: string): PayloadStates => sharedState('dummy-messenger', key, () => new Map<number, WorkerState>());

function stateOf(key: string, workerID: number): WorkerState {
  const all = states(key);
  let s = all.get(workerID);
  if (!s) {
    s = newWorkerState();
    all.set(workerID, s);
  }
  return s;
}

/**
 * The payload side of the dummy messenger, for tests and benchmarks: what a
 * pilot would write into its access point.
 */
export function dummyPayload(stateKey: string) {
  return {
    requestJobs(workerID: number, nJobs = 1): void { stateOf(stateKey, workerID).requestedJobs = nJobs; },
    requestEvents(workerID: number, request: EventsRequest): void { stateOf(stateKey, workerID).eventRequests[String(request.pandaID)] = request; },
    requestKill(workerID: number): void { stateOf(stateKey, workerID).killRequested = true; },
    heartbeat(workerID: number, at: Date = new Date()): void { stateOf(stateKey, workerID).heartbeatAt = at.getTime(); },
    reportEvents(workerID: number, pandaID: number, updates: EventUpdate[]): void {
      const s = stateOf(stateKey, workerID);
      (s.eventUpdates[String(pandaID)] ??= []).push(...updates);
    },
    reportAttributes(workerID: number, pandaID: number, attrs: JsonObject): void {
      const s = stateOf(stateKey, workerID);
      s.attributes[String(pandaID)] = { ...(s.attributes[String(pandaID)] ?? {}), ...attrs };
    },
    setPandaIDs(workerID: number, ids: number[]): void { stateOf(stateKey, workerID).pandaIDs = [...ids]; },
    /** Event ranges the messenger fed to the worker. */
    fedEvents(workerID: number): PerJob<EventRange[]> { return stateOf(stateKey, workerID).fedEvents; },
    /** PandaIDs of the jobs the messenger fed to the worker. */
    fedJobs(workerID: number): number[] { return [...stateOf(stateKey, workerID).jobs.keys()]; },
    /** The jobs harvester handed to the last post-processing of the worker. */
    postProcessedJobs(workerID: number): PostProcessedJob[] | undefined { return stateOf(stateKey, workerID).postProcessedJobs; },
  };
}

const FINAL_FOR_OUTPUTS = new Set(['finished', 'failed']);

function commaList(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter((s) => s && s !== 'NULL') : [];
}

/**
 * An in-memory messenger that emulates a payload: it remembers fed jobs and
 * events, reports outputs once the worker is final, processes events, and
 * honours kill requests and heartbeats set through {@link dummyPayload}.
 * With `writeFiles` it also writes the exchanged files into the access point.
 */
export class DummyMessenger implements Messenger {
  static readonly attributes = attributes;
  readonly forcePostProcessing: boolean;
  private readonly a: AttributesOf<typeof attributes>;
  private readonly key: string;

  constructor(attrs: AttributesOf<typeof attributes> & { queueName?: string }, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.key = attrs.stateKey ?? attrs.queueName ?? 'default';
    this.forcePostProcessing = attrs.forcePostProcessing;
  }

  private s(worker: WorkerSpec): WorkerState {
    return stateOf(this.key, worker.workerID);
  }

  private dir(worker: WorkerSpec): string | null {
    return this.a.writeFiles && worker.accessPoint ? worker.accessPoint : null;
  }

  async setupAccessPoints(workers: readonly WorkerSpec[]): Promise<void> {
    for (const w of workers) {
      states(this.key).set(w.workerID, newWorkerState());
      if (!w.accessPoint) continue;
      if (fs.existsSync(path.join(w.accessPoint, MARKER))) fs.rmSync(w.accessPoint, { recursive: true, force: true });
      fs.mkdirSync(w.accessPoint, { recursive: true });
      fs.writeFileSync(path.join(w.accessPoint, MARKER), String(w.workerID));
    }
  }

  async feedJobs(worker: WorkerSpec, jobs: readonly JobSpec[]): Promise<void> {
    const s = this.s(worker);
    for (const j of jobs) s.jobs.set(j.PandaID, j.jobParams);
    s.requestedJobs = 0;
    const dir = this.dir(worker);
    if (dir) {
      const spec = Object.fromEntries([...s.jobs].map(([id, params]) => [String(id), params]));
      fs.writeFileSync(path.join(dir, 'pandaJobData.out'), JSON.stringify(spec));
    }
  }

  async jobRequested(worker: WorkerSpec): Promise<number> {
    return this.s(worker).requestedJobs;
  }

  async getWorkAttributes(worker: WorkerSpec): Promise<PerJob<JsonObject>> {
    const s = this.s(worker);
    const out: PerJob<JsonObject> = {};
    for (const id of this.pandaIDsOf(s)) out[String(id)] = { ...(s.attributes[String(id)] ?? {}) };
    return out;
  }

  async getFilesToStageOut(worker: WorkerSpec): Promise<PerJob<ReportedOutputFile[]>> {
    const s = this.s(worker);
    if (this.a.produceOutputs && !s.outputsProduced && FINAL_FOR_OUTPUTS.has(worker.status)) {
      s.outputsProduced = true;
      for (const [id, params] of s.jobs) {
        const logFile = typeof params.logFile === 'string' ? params.logFile : '';
        const outs = worker.status === 'finished' ? commaList(params.outFiles).filter((l) => l !== logFile) : [];
        const produced = [
          ...outs.map((lfn) => this.produce(worker, lfn, 'output')),
          ...(logFile ? [this.produce(worker, logFile, 'log')] : []),
        ];
        if (produced.length) s.outputs[String(id)] = produced;
      }
    }
    // A copy the caller may change (flat records: a spread per file; structuredClone cost ~10x more per call, once per check).
    const copy: PerJob<ReportedOutputFile[]> = {};
    for (const id in s.outputs) copy[id] = s.outputs[id].map((f) => ({ ...f }));
    return copy;
  }

  async eventsRequested(worker: WorkerSpec): Promise<PerJob<EventsRequest>> {
    return { ...this.s(worker).eventRequests };
  }

  async feedEvents(worker: WorkerSpec, ranges: PerJob<EventRange[]>): Promise<void> {
    const s = this.s(worker);
    for (const [id, list] of Object.entries(ranges)) {
      (s.fedEvents[id] ??= []).push(...list);
      delete s.eventRequests[id];
      if (this.a.processEvents) {
        (s.eventUpdates[id] ??= []).push(...list.map((r): EventUpdate => ({ eventRangeID: r.eventRangeID, eventStatus: 'finished' })));
      }
    }
    const dir = this.dir(worker);
    if (dir) fs.writeFileSync(path.join(dir, 'JobsEventRanges.json'), JSON.stringify(ranges));
  }

  async eventsToUpdate(worker: WorkerSpec): Promise<PerJob<EventUpdate[]>> {
    return structuredClone(this.s(worker).eventUpdates);
  }

  async acknowledgeEventsFiles(workers: readonly WorkerSpec[]): Promise<void> {
    for (const w of workers) {
      const s = this.s(w);
      s.eventUpdates = {};
      s.outputs = {};
    }
  }

  async postProcessing(worker: WorkerSpec, jobs: readonly JobSpec[], mapType: MapType): Promise<OutcomeResult> {
    this.s(worker).postProcessedJobs = jobs.map((j) => ({
      PandaID: j.PandaID, outFileLfns: j.outFiles.map((f) => f.lfn), jobParamsPandaID: j.jobParams?.PandaID,
    }));
    await delay(this.a.postProcessDelay);
    if (happens(this.a.failureRate, this.a.seed, 'postprocess', worker.workerID)) {
      return { status: 'failed', diag: `dummy post-processing of worker ${worker.workerID} failed` };
    }
    return { status: 'done', diag: `post-processed ${jobs.length} job(s) (${mapType})` };
  }

  async getPandaIDs(worker: WorkerSpec): Promise<number[]> {
    return this.pandaIDsOf(this.s(worker));
  }

  async killRequested(worker: WorkerSpec): Promise<boolean> {
    return this.s(worker).killRequested;
  }

  async isAlive(worker: WorkerSpec, heartbeatMinutes: number): Promise<boolean> {
    if (heartbeatMinutes <= 0) return true;
    const last = this.s(worker).heartbeatAt ?? worker.startTime?.getTime();
    if (last === undefined) return true; // not started yet
    return Date.now() - last <= heartbeatMinutes * 60_000;
  }

  async cleanUp(worker: WorkerSpec): Promise<OutcomeResult> {
    const written = states(this.key).get(worker.workerID)?.written ?? [];
    states(this.key).delete(worker.workerID);
    for (const f of written) fs.rmSync(f, { force: true });
    if (worker.accessPoint && fs.existsSync(path.join(worker.accessPoint, MARKER))) {
      fs.rmSync(worker.accessPoint, { recursive: true, force: true });
      return { status: 'done', diag: `removed ${worker.accessPoint}` };
    }
    return { status: 'done', diag: 'nothing to remove' };
  }

  private pandaIDsOf(s: WorkerState): number[] {
    return s.pandaIDs.length ? [...s.pandaIDs] : [...s.jobs.keys()];
  }

  private produce(worker: WorkerSpec, lfn: string, fileType: 'output' | 'log'): ReportedOutputFile {
    const content = Buffer.alloc(this.a.outputFileSize, `${worker.workerID}:${lfn}`);
    if (this.a.outputDir) {
      // One shared directory: the lfn (from the job) must name a file inside it.
      const file = resolveInside(this.a.outputDir, lfn, { allowAbsolute: false });
      writeCreatingDir(file, content);
      this.s(worker).written.push(file);
      return { lfn, path: file, fileType, fsize: content.length, chksum: `ad:${adler32(content)}` };
    }
    const base = worker.accessPoint ?? path.join(DEFAULT_OUTPUT_BASE, String(worker.workerID));
    const file = path.join(base, lfn);
    if (this.dir(worker)) fs.writeFileSync(file, content);
    return { lfn, path: file, fileType, fsize: content.length, chksum: `ad:${adler32(content)}` };
  }
}
