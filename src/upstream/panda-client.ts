import type {
  CallResult, Communicator, DialogMessage, EventRangeUpdate, EventRangesResponse, EventRangesUpdateResponse,
  GetJobsRequest, GetJobsResponse, JobReport, JobReportResult, JobStatusInfo, PandaCommand, ResourceType,
  ServiceMetrics, WorkerReport, WorkerStats,
} from '../plugins/communicator';
import type { EventRange, EventsRequest } from '../plugins/messenger';
import type { JsonObject, PerJob } from '../plugins/types';
import type { Logger } from '../log';
import { isUpstreamUnreachable, UpstreamError } from './errors';
import { isJsonObject, type JsonValue } from './json';
import { PandaApi, type PandaApiOptions } from './panda-api';
import { StatusCode } from './protocol';
import { dialogToWire, jobReportToWire, serviceMetricsToWire, workerReportToWire } from './wire-mapping';

/** The original sends job updates and status checks in chunks of 100. */
export const JOB_CHUNK_SIZE = 100;

/**
 * A Communicator result with the one thing an agent needs beyond ok/diag:
 * whether the upstream could not be reached at all (then the job fetcher pauses
 * and the propagator keeps updates pending) or answered no.
 */
export interface UpstreamCallResult extends CallResult {
  unreachable: boolean;
}

export interface UpstreamJobReportResult extends JobReportResult {
  /** False when no answer came for this job's chunk: keep the update pending. */
  delivered: boolean;
  unreachable: boolean;
}

export interface UpstreamState {
  reachable: boolean;
  /** When `reachable` last changed (construction time initially). */
  since: Date;
  lastError?: string;
}

export type PandaClientOptions = PandaApiOptions;

type Outcome<T> = { ok: true; value: T } | { ok: false; diag: string; unreachable: boolean };

/**
 * The Communicator over the PanDA API v1 (facts §8.1), used against PanDA and
 * against the embedded WMS alike. Transport failures never throw (the
 * Communicator convention); every result says whether upstream was unreachable,
 * and `state()` tells whether the last call got through.
 */
export class PandaClient implements Communicator {
  readonly api: PandaApi;
  private readonly log?: Logger;
  private upstream: UpstreamState = { reachable: true, since: new Date() };

  constructor(opts: PandaClientOptions) {
    this.api = new PandaApi(opts);
    this.log = opts.log?.child({ component: 'upstream' });
  }

  /** Whether the last call reached the server; agents use it to pause fetching. */
  state(): UpstreamState {
    return { ...this.upstream };
  }

  close(): void {
    this.api.close();
  }

  forceCredentialRenewal(): void {
    this.api.forceCredentialRenewal();
  }

  private note(reachable: boolean, error?: string): void {
    if (reachable !== this.upstream.reachable) {
      this.upstream = { reachable, since: new Date(), ...(error ? { lastError: error } : {}) };
      if (reachable) this.log?.info('upstream reachable again');
      else this.log?.warn({ err: error }, 'upstream unreachable');
    } else if (error) {
      this.upstream.lastError = error;
    }
  }

  /** Run one API call; UpstreamErrors become an outcome, anything else (a bug) propagates. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<Outcome<T>> {
    try {
      const value = await fn();
      this.note(true);
      return { ok: true, value };
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      const unreachable = isUpstreamUnreachable(err);
      // A refusal proves the server is there.
      this.note(!unreachable, unreachable ? err.message : undefined);
      this.log?.warn({ call: what, kind: err.kind, err: err.message }, 'upstream call failed');
      return { ok: false, diag: err.message, unreachable };
    }
  }

  private static result(o: Outcome<unknown>): UpstreamCallResult {
    return o.ok ? { ok: true, diag: '', unreachable: false } : { ok: false, diag: o.diag, unreachable: o.unreachable };
  }

  async checkPanda(): Promise<UpstreamCallResult> {
    const o = await this.guard('checkPanda', () => this.api.isAlive());
    return o.ok ? { ok: true, diag: o.value, unreachable: false } : PandaClient.result(o);
  }

  async heartbeat(data: JsonObject): Promise<UpstreamCallResult> {
    return PandaClient.result(await this.guard('heartbeat', () => this.api.heartbeat(data)));
  }

  async getJobs(request: GetJobsRequest): Promise<GetJobsResponse & { unreachable: boolean }> {
    const o = await this.guard('getJobs', () => this.api.acquireJobs({
      siteName: request.siteName, node: request.node, prodSourceLabel: request.prodSourceLabel,
      computingElement: request.computingElement, nJobs: request.nJobs, criteria: request.additionalCriteria,
    }));
    return o.ok ? { ok: true, diag: '', unreachable: false, jobs: o.value } : { ...PandaClient.result(o), jobs: [] };
  }

  /**
   * Bulk update in chunks of 100. A chunk without an answer gives its jobs
   * StatusCode 999 and `delivered: false`; chunks before it stay delivered.
   */
  async updateJobs(reports: readonly JobReport[]): Promise<UpstreamJobReportResult[]> {
    const results: UpstreamJobReportResult[] = [];
    for (let i = 0; i < reports.length; i += JOB_CHUNK_SIZE) {
      const chunk = reports.slice(i, i + JOB_CHUNK_SIZE);
      const o = await this.guard('updateJobs', () => this.api.updateJobsBulk(chunk.map(jobReportToWire)));
      if (!o.ok) {
        for (let k = 0; k < chunk.length; k += 1) {
          results.push({ ok: false, statusCode: StatusCode.NOT_DELIVERED, diag: o.diag, delivered: false, unreachable: o.unreachable });
        }
        continue;
      }
      chunk.forEach((_, idx) => results.push(parseJobReply(o.value[idx])));
    }
    return results;
  }

  async checkJobs(pandaIDs: readonly number[]): Promise<JobStatusInfo[]> {
    const out: JobStatusInfo[] = [];
    for (let i = 0; i < pandaIDs.length; i += JOB_CHUNK_SIZE) {
      const ids = pandaIDs.slice(i, i + JOB_CHUNK_SIZE);
      const o = await this.guard('checkJobs', () => this.api.getJobStatus(ids));
      ids.forEach((id, idx) => {
        if (!o.ok) {
          out.push({ PandaID: id, diag: o.diag });
          return;
        }
        const e = o.value[idx];
        if (!isJsonObject(e)) {
          out.push({ PandaID: id, diag: 'no entry for this job in the reply' });
          return;
        }
        const info: JobStatusInfo = { PandaID: id, diag: typeof e.ErrorDiag === 'string' ? e.ErrorDiag : '' };
        if (typeof e.status === 'string') info.status = e.status;
        if (typeof e.command === 'string' && e.command !== 'NULL') info.command = e.command;
        out.push(info);
      });
    }
    return out;
  }

  async updateWorkers(workers: readonly WorkerReport[]): Promise<boolean[]> {
    if (workers.length === 0) return [];
    const o = await this.guard('updateWorkers', () => this.api.updateWorkers(workers.map(workerReportToWire)));
    return workers.map((_, i) => o.ok && o.value[i] === true);
  }

  async updateWorkerStats(siteName: string, stats: WorkerStats): Promise<UpstreamCallResult> {
    return PandaClient.result(await this.guard('updateWorkerStats', () => this.api.reportWorkerStatistics(siteName, stats)));
  }

  async getCommands(n: number): Promise<PandaCommand[]> {
    const o = await this.guard('getCommands', () => this.api.acquireCommands(n));
    return o.ok ? o.value.map((c) => ({ command_id: c.command_id, command: c.command, params: c.params, ack_requested: c.ack_requested })) : [];
  }

  async ackCommands(commandIDs: readonly number[]): Promise<UpstreamCallResult> {
    if (commandIDs.length === 0) return { ok: true, diag: '', unreachable: false };
    return PandaClient.result(await this.guard('ackCommands', () => this.api.acknowledgeCommands(commandIDs)));
  }

  /**
   * Ranges per job, asked in chunks of `getEventsChunkSize` until the job's
   * request is met or PanDA has none left. `ok` if any job got an answer (as the original).
   */
  async getEventRanges(requests: PerJob<EventsRequest>, scattered: boolean): Promise<EventRangesResponse & { unreachable: boolean }> {
    const ranges: PerJob<EventRange[]> = {};
    let anyOk = false;
    let unreachable = false;
    const diags: string[] = [];
    for (const [key, req] of Object.entries(requests)) {
      let remaining = Math.max(0, Math.floor(req.nRanges));
      while (remaining > 0) {
        const n = Math.min(this.api.conf.eventsChunkSize, remaining);
        remaining -= n;
        const o = await this.guard('getEventRanges', () => this.api.acquireEventRanges({
          PandaID: req.pandaID, taskID: req.taskID, jobsetID: req.jobsetID, nRanges: n, scattered,
        }));
        if (!o.ok) {
          diags.push(`PandaID=${req.pandaID}: ${o.diag}`);
          unreachable ||= o.unreachable;
          break;
        }
        anyOk = true;
        (ranges[key] ??= []).push(...(o.value as EventRange[]));
        if (o.value.length === 0) break;
      }
    }
    return { ok: anyOk || Object.keys(requests).length === 0, diag: diags.join('; '), ranges, unreachable };
  }

  async updateEventRanges(updates: readonly EventRangeUpdate[]): Promise<EventRangesUpdateResponse & { unreachable: boolean }> {
    const o = await this.guard('updateEventRanges', () => this.api.updateEventRanges(updates as unknown as JsonValue[]));
    if (!o.ok) return { ...PandaClient.result(o), statusCode: StatusCode.NOT_DELIVERED, returns: [] };
    return {
      ok: o.value.StatusCode === StatusCode.OK, diag: o.value.ErrorDiag ?? '', unreachable: false,
      statusCode: o.value.StatusCode, returns: o.value.Returns,
    };
  }

  async checkEventAvailability(job: { PandaID: number; jobsetID: number | null; taskID: number | null }): Promise<number | null> {
    const o = await this.guard('checkEventAvailability', () => this.api.availableEventRangeCount(job));
    return o.ok ? o.value : null;
  }

  async sendDialogs(dialogs: readonly DialogMessage[]): Promise<UpstreamCallResult> {
    if (dialogs.length === 0) return { ok: true, diag: '', unreachable: false };
    return PandaClient.result(await this.guard('sendDialogs', () => this.api.addDialogs(dialogs.map(dialogToWire))));
  }

  async updateServiceMetrics(metrics: readonly ServiceMetrics[]): Promise<UpstreamCallResult> {
    if (metrics.length === 0) return { ok: true, diag: '', unreachable: false };
    return PandaClient.result(await this.guard('updateServiceMetrics', () => this.api.updateServiceMetrics(metrics.map(serviceMetricsToWire))));
  }

  async uploadFile(remoteName: string, data: Buffer): Promise<UpstreamCallResult> {
    return PandaClient.result(await this.guard('uploadFile', () => this.api.uploadJediLog(remoteName, data)));
  }

  async getResourceTypes(): Promise<ResourceType[]> {
    const o = await this.guard('getResourceTypes', () => this.api.getResourceTypes());
    return o.ok ? o.value : [];
  }

  async getJobStats(): Promise<JsonObject> {
    const o = await this.guard('getJobStats', () => this.api.getDetailedJobStats());
    return o.ok ? o.value : {};
  }

  async getWorkerStats(): Promise<JsonObject> {
    const o = await this.guard('getWorkerStats', () => this.api.getWorkerStatistics());
    return o.ok ? o.value : {};
  }

  async getMaxWorkerID(): Promise<number | null> {
    const o = await this.guard('getMaxWorkerID', () => this.api.getCurrentWorkerId());
    return o.ok ? o.value : null;
  }
}

/** One per-job reply `{success, message, data: {StatusCode, ErrorDiag?, command?}}`. */
function parseJobReply(reply: JsonValue | undefined): UpstreamJobReportResult {
  if (!isJsonObject(reply)) {
    return { ok: false, statusCode: StatusCode.NOT_DELIVERED, diag: 'no reply for this job', delivered: false, unreachable: false };
  }
  const data = isJsonObject(reply.data) ? reply.data : {};
  const message = typeof reply.message === 'string' ? reply.message : '';
  let code = typeof data.StatusCode === 'number' ? data.StatusCode : reply.success === true ? StatusCode.OK : StatusCode.FAILED;
  if (reply.success === false && code === StatusCode.OK) code = StatusCode.FAILED;
  const result: UpstreamJobReportResult = {
    ok: code === StatusCode.OK,
    statusCode: code,
    diag: typeof data.ErrorDiag === 'string' ? data.ErrorDiag : message,
    delivered: true,
    unreachable: false,
  };
  if (typeof data.command === 'string' && data.command !== 'NULL') result.command = data.command;
  return result;
}
