import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import { UpstreamRejectedError } from './errors';
import { HttpTransport, type TransportRequest } from './http-transport';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import {
  API_PATHS,
  type CommandWire,
  type DialogWire,
  type EventRangeWire,
  type JobDict,
  type JobUpdateWire,
  StatusCode,
  type WorkerReportWire,
  type WorkerStatsWire,
} from './protocol';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { type PandaConSettings, resolvePandaCon, type ResolvedPandaCon } from './settings';

export interface PandaApiOptions {
  /** The `[pandacon]` section. */
  settings: PandaConSettings;
  /** `[master] harvester_id`: identifies this instance to PanDA. */
  harvesterId: string;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}

export interface ResourceTypeWire {
  resource_name: string;
  mincore: number | null;
  maxcore: number | null;
  minrampercore: number | null;
  maxrampercore: number | null;
}

/**
 * One call per PanDA API v1 endpoint (facts §8.1), wire shapes in and out, one
 * HTTP request each (plus retries). Throws `UpstreamUnreachableError` when no
 * answer could be had and `UpstreamRejectedError` when the server said no.
 * `PandaClient` builds the Communicator on top (chunking, mapping, no throws).
 */
export class PandaApi {
  readonly conf: ResolvedPandaCon;
  readonly harvesterId: string;
  private readonly transport: HttpTransport;
  private readonly log?: Logger;

  constructor(opts: PandaApiOptions) {
    this.conf = resolvePandaCon(opts.settings);
    this.harvesterId = opts.harvesterId;
    this.log = opts.log;
    this.transport = new HttpTransport(this.conf, { ...DEFAULT_RETRY_POLICY, ...opts.retry }, opts.log);
  }

  close(): void {
    this.transport.close();
  }

  forceCredentialRenewal(): void {
    this.transport.forceCredentialRenewal();
  }

  /** Send and unwrap `{success, message, data}`; `success: false` → UpstreamRejectedError. */
  private async call(req: TransportRequest): Promise<{ data: JsonValue; message: string }> {
    const res = await this.transport.request(req);
    const body = res.body;
    if (!isJsonObject(body) || typeof body.success !== 'boolean') {
      throw new UpstreamRejectedError(`${req.method} ${req.path}: reply is not {success, message, data}`, {
        path: req.path, httpStatus: res.status, attempts: res.attempts,
      });
    }
    const message = typeof body.message === 'string' ? body.message : '';
    if (!body.success) {
      throw new UpstreamRejectedError(`${req.method} ${req.path}: server refused: ${message || '(no message)'}`, {
        path: req.path, httpStatus: res.status, attempts: res.attempts,
      });
    }
    return { data: body.data ?? null, message };
  }

  private rejected(path: string, what: string): UpstreamRejectedError {
    return new UpstreamRejectedError(`${path}: ${what}`, { path, attempts: 1 });
  }

  /** system/is_alive: the server's message. */
  async isAlive(): Promise<string> {
    const { data, message } = await this.call({ method: 'GET', path: API_PATHS.isAlive, idempotent: true });
    return message || (typeof data === 'string' ? data : JSON.stringify(data));
  }

  /** harvester/heartbeat. */
  async heartbeat(data: JsonObject): Promise<void> {
    await this.call({ method: 'POST', path: API_PATHS.heartbeat, idempotent: true, params: { harvester_id: this.harvesterId, data } });
  }

  /**
   * pilot/acquire_jobs. Not idempotent: a lost reply would lose the jobs it
   * carried, so it is retried only when the server provably did not act.
   */
  async acquireJobs(req: { siteName: string; node: string; prodSourceLabel: string; computingElement: string; nJobs: number; criteria?: Readonly<Record<string, JsonValue>> }): Promise<JobDict[]> {
    const path = API_PATHS.acquireJobs;
    const params: Record<string, JsonValue> = {
      ...(req.criteria ?? {}),
      site_name: req.siteName,
      node: req.node,
      prod_source_label: req.prodSourceLabel,
      computing_element: req.computingElement,
      n_jobs: req.nJobs,
      scheduler_id: `harvester-${this.harvesterId}`,
    };
    const { data } = await this.call({ method: 'POST', path, params, idempotent: false });
    if (!isJsonObject(data) || typeof data.StatusCode !== 'number') throw this.rejected(path, `site ${req.siteName}: reply data lacks StatusCode`);
    if (data.StatusCode === StatusCode.NO_JOBS) return [];
    if (data.StatusCode !== StatusCode.OK) {
      throw this.rejected(path, `site ${req.siteName}: ${typeof data.errorDialog === 'string' ? data.errorDialog : `StatusCode=${data.StatusCode}`}`);
    }
    const out: JobDict[] = [];
    for (const j of Array.isArray(data.jobs) ? data.jobs : []) {
      if (isJsonObject(j) && typeof j.PandaID === 'number') out.push(j as JobDict);
      else this.log?.warn({ site: req.siteName }, 'acquire_jobs returned a job without a numeric PandaID; ignored');
    }
    return out;
  }

  /** pilot/update_jobs_bulk for one chunk; the per-job replies `{success, message, data}` in order. */
  async updateJobsBulk(jobList: readonly JobUpdateWire[]): Promise<JsonValue[]> {
    const { data } = await this.call({
      method: 'POST', path: API_PATHS.updateJobsBulk, idempotent: true,
      params: { job_list: jobList as unknown as JsonValue, harvester_id: this.harvesterId },
    });
    return Array.isArray(data) ? data : [];
  }

  /** job/get_status for one chunk of ids; per-job dicts in order. */
  async getJobStatus(ids: readonly number[]): Promise<JsonValue[]> {
    const { data } = await this.call({ method: 'GET', path: API_PATHS.getJobStatus, params: { job_ids: [...ids] }, idempotent: true });
    return Array.isArray(data) ? data : [];
  }

  /** harvester/update_workers; the server's list (booleans) as sent. */
  async updateWorkers(workers: readonly WorkerReportWire[]): Promise<JsonValue[]> {
    const { data } = await this.call({
      method: 'POST', path: API_PATHS.updateWorkers, idempotent: true,
      params: { harvester_id: this.harvesterId, workers: workers as unknown as JsonValue },
    });
    return Array.isArray(data) ? data : [];
  }

  /** harvester/report_worker_statistics (statistics JSON-encoded, as the original). */
  async reportWorkerStatistics(pandaQueue: string, stats: WorkerStatsWire): Promise<void> {
    await this.call({
      method: 'POST', path: API_PATHS.reportWorkerStatistics, idempotent: true,
      params: { harvester_id: this.harvesterId, panda_queue: pandaQueue, statistics: JSON.stringify(stats) },
    });
  }

  /** harvester/acquire_commands (not idempotent: acquired commands are not handed out again). */
  async acquireCommands(n: number): Promise<CommandWire[]> {
    const { data } = await this.call({
      method: 'POST', path: API_PATHS.acquireCommands, idempotent: false,
      params: { harvester_id: this.harvesterId, n_commands: n },
    });
    const out: CommandWire[] = [];
    for (const c of Array.isArray(data) ? data : []) {
      if (!isJsonObject(c) || typeof c.command_id !== 'number' || typeof c.command !== 'string') {
        this.log?.warn('acquire_commands returned a malformed command; ignored');
        continue;
      }
      out.push({ command_id: c.command_id, command: c.command, params: c.params ?? null, ack_requested: c.ack_requested === true || c.ack_requested === 1 });
    }
    return out;
  }

  /** harvester/acknowledge_commands. */
  async acknowledgeCommands(ids: readonly number[]): Promise<void> {
    await this.call({ method: 'POST', path: API_PATHS.acknowledgeCommands, idempotent: true, params: { command_ids: [...ids] } });
  }

  /** event/acquire_event_ranges for one chunk. */
  async acquireEventRanges(req: { PandaID: number; taskID: number | null; jobsetID: number | null; nRanges: number; scattered?: boolean }): Promise<EventRangeWire[]> {
    const path = API_PATHS.acquireEventRanges;
    const params: Record<string, JsonValue> = { job_id: req.PandaID, task_id: req.taskID, jobset_id: req.jobsetID, n_ranges: req.nRanges };
    if (req.scattered) params.scattered = true;
    const { data } = await this.call({ method: 'POST', path, params, idempotent: false });
    if (!isJsonObject(data) || data.StatusCode !== StatusCode.OK) {
      const diag = isJsonObject(data) && typeof data.ErrorDiag === 'string' ? data.ErrorDiag : '';
      throw this.rejected(path, `PandaID=${req.PandaID}: StatusCode=${String(isJsonObject(data) ? data.StatusCode : undefined)} ${diag}`.trim());
    }
    const out: EventRangeWire[] = [];
    for (const r of Array.isArray(data.eventRanges) ? data.eventRanges : []) if (isJsonObject(r) && typeof r.eventRangeID === 'string') out.push(r as EventRangeWire);
    return out;
  }

  /** event/update_event_ranges (event_ranges JSON-encoded, version 1, as the original). */
  async updateEventRanges(eventRanges: readonly JsonValue[]): Promise<{ StatusCode: number; Returns: JsonValue[]; ErrorDiag?: string }> {
    const path = API_PATHS.updateEventRanges;
    const { data } = await this.call({ method: 'POST', path, idempotent: true, params: { event_ranges: JSON.stringify(eventRanges), version: 1 } });
    if (!isJsonObject(data) || typeof data.StatusCode !== 'number') throw this.rejected(path, 'reply data lacks StatusCode');
    return {
      StatusCode: data.StatusCode,
      Returns: Array.isArray(data.Returns) ? data.Returns : [],
      ...(typeof data.ErrorDiag === 'string' ? { ErrorDiag: data.ErrorDiag } : {}),
    };
  }

  /** event/get_available_event_range_count. */
  async availableEventRangeCount(job: { PandaID: number; jobsetID: number | null; taskID: number | null }): Promise<number> {
    const path = API_PATHS.availableEventRangeCount;
    const { data } = await this.call({ method: 'GET', path, idempotent: true, params: { job_id: job.PandaID, jobset_id: job.jobsetID, task_id: job.taskID } });
    if (typeof data !== 'number') throw this.rejected(path, `PandaID=${job.PandaID}: not a number`);
    return data;
  }

  /** harvester/add_dialogs. */
  async addDialogs(dialogs: readonly DialogWire[]): Promise<void> {
    await this.call({ method: 'POST', path: API_PATHS.addDialogs, idempotent: true, params: { harvester_id: this.harvesterId, dialogs: dialogs as unknown as JsonValue } });
  }

  /** harvester/update_service_metrics: rows `[creationTime, host, metricsJSON]`. */
  async updateServiceMetrics(rows: readonly JsonValue[]): Promise<void> {
    await this.call({ method: 'POST', path: API_PATHS.updateServiceMetrics, idempotent: true, params: { harvester_id: this.harvesterId, metrics: [...rows] } });
  }

  /** file_server/upload_jedi_log on the cache: multipart field `file`, zlib-compressed bytes (as the original). */
  async uploadJediLog(remoteName: string, bytes: Buffer): Promise<void> {
    const boundary = `----harvester${randomBytes(12).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${remoteName.replace(/["\r\n]/g, '_')}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    await this.call({
      method: 'POST', base: 'cache', path: API_PATHS.uploadJediLog, idempotent: true,
      rawBody: { contentType: `multipart/form-data; boundary=${boundary}`, data: Buffer.concat([head, deflateSync(bytes), tail]) },
    });
  }

  async getResourceTypes(): Promise<ResourceTypeWire[]> {
    const { data } = await this.call({ method: 'GET', path: API_PATHS.getResourceTypes, idempotent: true });
    const list = isJsonObject(data) && Array.isArray(data.ResourceTypes) ? data.ResourceTypes : Array.isArray(data) ? data : [];
    const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' ? v : null);
    return list.filter(isJsonObject).map((r) => ({
      resource_name: String(r.resource_name),
      mincore: num(r.mincore), maxcore: num(r.maxcore), minrampercore: num(r.minrampercore), maxrampercore: num(r.maxrampercore),
    }));
  }

  /** statistics/active_job_detailed_stats_by_site: `{site: {rtype: {label: {status: n}}}}`. */
  async getDetailedJobStats(): Promise<JsonObject> {
    const { data } = await this.call({ method: 'GET', path: API_PATHS.activeJobDetailedStatsBySite, idempotent: true });
    return isJsonObject(data) ? data : {};
  }

  /** harvester/get_worker_statistics. */
  async getWorkerStatistics(): Promise<JsonObject> {
    const { data } = await this.call({ method: 'GET', path: API_PATHS.getWorkerStatistics, idempotent: true });
    return isJsonObject(data) ? data : {};
  }

  /** harvester/get_current_worker_id. */
  async getCurrentWorkerId(): Promise<number | null> {
    const { data } = await this.call({ method: 'GET', path: API_PATHS.getCurrentWorkerId, params: { harvester_id: this.harvesterId }, idempotent: true });
    return typeof data === 'number' ? data : null;
  }
}
