import type { JsonObject, JsonValue } from '../upstream/json';
import type { CommandWire, EventRangeWire } from '../upstream/protocol';
import { makeJobDict } from './job-source';

/** Job statuses after which the WMS no longer changes a job's current status. */
export const FINAL_WMS_JOB_STATUSES: ReadonlySet<string> = new Set(['finished', 'failed', 'cancelled', 'closed']);

/** Statuses a harvester may report for a job (PanDA accepts these from pilots/harvester). */
export const REPORTABLE_JOB_STATUSES: ReadonlySet<string> = new Set([
  'starting', 'running', 'holding', 'transferring', 'finished', 'failed', 'cancelled', 'closed',
]);

export const EVENT_STATUSES: ReadonlySet<string> = new Set([
  'running', 'finished', 'failed', 'fatal', 'cancelled', 'discarded', 'corrupted',
]);

export interface StatusRecord {
  status: string;
  subStatus: string | null;
  at: string;
  attemptNr: number | null;
  /** False when the job was already final and the update did not change it. */
  accepted: boolean;
}

export interface WmsEventRange {
  range: EventRangeWire;
  /** ready → sent (handed out) → the reported eventStatus. */
  status: string;
}

export interface WmsJob {
  PandaID: number;
  /** WMS-side status: `activated` (waiting), `sent` (handed out), then what the harvester reports. */
  status: string;
  subStatus: string | null;
  /** Queue this job may go to; null = any. */
  site: string | null;
  prodSourceLabel: string;
  dict: JsonObject;
  createdAt: string;
  modifiedAt: string;
  sentTo?: { site: string; node: string | null; schedulerID: string | null; at: string };
  /** Pending command for the job (e.g. `tobekilled`), returned with every update until final. */
  command: string | null;
  eventRanges?: WmsEventRange[];
  /** The last job_update entry as received (attributes, meta_data, output report). */
  lastReport?: JsonObject;
}

export interface WmsWorker {
  harvesterId: string;
  workerID: number;
  status: string;
  record: JsonObject;
  history: Array<{ status: string; at: string }>;
}

export interface WmsCommand extends CommandWire {
  harvester_id: string;
  state: 'queued' | 'retrieved' | 'acknowledged';
  createdAt: string;
}

export interface Received<T> {
  harvesterId: string;
  at: string;
  data: T;
}

/** Bounded logs of things that are only kept for inspection. */
const MAX_LOG_ENTRIES = 10_000;

/** Serializable state (what persistence writes). */
export interface WmsSnapshot {
  version: 1;
  nextPandaID: number;
  nextCommandID: number;
  jobs: WmsJob[];
  history: Array<[number, StatusRecord[]]>;
  workers: WmsWorker[];
  commands: WmsCommand[];
  heartbeats: Array<Received<JsonObject>>;
  workerStats: Array<Received<{ pandaQueue: string; statistics: JsonValue }>>;
  dialogs: Array<Received<JsonObject>>;
  serviceMetrics: Array<Received<JsonValue>>;
}

function nowIso(): string {
  return new Date().toISOString();
}

function pushBounded<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LOG_ENTRIES) list.splice(0, list.length - MAX_LOG_ENTRIES);
}

/**
 * In-memory state of the embedded WMS. Every mutation calls `onChange` so the
 * server can schedule persistence; reads return the live objects (callers that
 * hand them out over HTTP serialize them immediately).
 */
export class WmsStore {
  private nextPandaID = 1_000_000;
  private nextCommandID = 1;
  readonly jobs = new Map<number, WmsJob>();
  /** Jobs waiting to be handed out, in submission order. */
  private readonly activated = new Set<number>();
  readonly history = new Map<number, StatusRecord[]>();
  readonly workers = new Map<string, WmsWorker>();
  readonly commands: WmsCommand[] = [];
  readonly heartbeats: Array<Received<JsonObject>> = [];
  readonly workerStats: Array<Received<{ pandaQueue: string; statistics: JsonValue }>> = [];
  readonly dialogs: Array<Received<JsonObject>> = [];
  readonly serviceMetrics: Array<Received<JsonValue>> = [];
  readonly uploads: Array<{ name: string; bytes: number; at: string }> = [];
  /** Requests per API path (e.g. `pilot/update_jobs_bulk`), for tests and operators. */
  readonly requestCounts = new Map<string, number>();

  onChange: () => void = () => {};

  countRequest(path: string): void {
    this.requestCounts.set(path, (this.requestCounts.get(path) ?? 0) + 1);
  }

  // ------------------------------------------------------------------ jobs

  /** Create jobs from templates (see job-source); returns the new PandaIDs. */
  addJobs(templates: readonly JsonObject[], opts: { site?: string; prodSourceLabel?: string } = {}): number[] {
    const ids: number[] = [];
    const at = nowIso();
    templates.forEach((template, index) => {
      // A template may fix its PandaID (if free); nextPandaID is always above every used id.
      const wanted = template.PandaID;
      const pandaId = typeof wanted === 'number' && Number.isInteger(wanted) && wanted > 0 && !this.jobs.has(wanted) ? wanted : this.nextPandaID;
      this.nextPandaID = Math.max(this.nextPandaID, pandaId + 1);
      const dict = makeJobDict(template, pandaId, index);
      if (opts.prodSourceLabel) dict.prodSourceLabel = opts.prodSourceLabel;
      const site = opts.site ?? (typeof dict.computingSite === 'string' && dict.computingSite ? dict.computingSite : null);
      const job: WmsJob = {
        PandaID: pandaId,
        status: 'activated',
        subStatus: null,
        site,
        prodSourceLabel: typeof dict.prodSourceLabel === 'string' ? dict.prodSourceLabel : 'managed',
        dict,
        createdAt: at,
        modifiedAt: at,
        command: null,
      };
      if (dict.eventService !== undefined && dict.eventService !== null && dict.eventService !== 0 && dict.eventService !== false) {
        job.eventRanges = makeEventRanges(dict, typeof template.nEventRanges === 'number' ? template.nEventRanges : 4);
      }
      this.jobs.set(pandaId, job);
      this.activated.add(pandaId);
      this.history.set(pandaId, [{ status: 'activated', subStatus: null, at, attemptNr: numOrNull(dict.attemptNr), accepted: true }]);
      ids.push(pandaId);
    });
    if (ids.length) this.onChange();
    return ids;
  }

  /**
   * Hand out up to `n` waiting jobs for a queue (acquire_jobs). `unified` or no
   * label matches any label, as PanDA's grand unification does.
   */
  acquireJobs(req: { site: string; n: number; prodSourceLabel?: string; node?: string; schedulerID?: string }): JsonObject[] {
    const out: JsonObject[] = [];
    const at = nowIso();
    for (const id of this.activated) {
      if (out.length >= req.n) break;
      const job = this.jobs.get(id);
      if (!job) continue;
      if (job.site !== null && job.site !== req.site) continue;
      if (req.prodSourceLabel && req.prodSourceLabel !== 'unified' && req.prodSourceLabel !== job.prodSourceLabel) continue;
      this.activated.delete(id);
      job.status = 'sent';
      job.modifiedAt = at;
      job.sentTo = { site: req.site, node: req.node ?? null, schedulerID: req.schedulerID ?? null, at };
      job.dict.computingSite = req.site;
      this.history.get(id)?.push({ status: 'sent', subStatus: null, at, attemptNr: numOrNull(job.dict.attemptNr), accepted: true });
      out.push(job.dict);
    }
    if (out.length) this.onChange();
    return out;
  }

  /** Record one job status report; returns the per-job reply data. */
  updateJob(update: JsonObject): { ok: boolean; message: string; data: JsonObject } {
    const id = update.job_id;
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      return { ok: false, message: 'job_id: expected an integer', data: { StatusCode: 50, ErrorDiag: 'job_id: expected an integer' } };
    }
    const job = this.jobs.get(id);
    if (!job) return { ok: false, message: `unknown PandaID ${id}`, data: { StatusCode: 30, ErrorDiag: `unknown PandaID ${id}` } };
    const status = update.job_status;
    if (typeof status !== 'string' || !REPORTABLE_JOB_STATUSES.has(status)) {
      const diag = `PandaID ${id}: job_status ${JSON.stringify(status)} is not one of ${[...REPORTABLE_JOB_STATUSES].join(', ')}`;
      return { ok: false, message: diag, data: { StatusCode: 50, ErrorDiag: diag } };
    }
    const subStatus = typeof update.job_sub_status === 'string' ? update.job_sub_status : null;
    const at = nowIso();
    const accepted = !FINAL_WMS_JOB_STATUSES.has(job.status);
    if (accepted) {
      job.status = status;
      job.subStatus = subStatus;
      job.modifiedAt = at;
      job.lastReport = update;
      this.activated.delete(id);
      if (FINAL_WMS_JOB_STATUSES.has(status)) job.command = null;
    }
    this.history.get(id)?.push({ status, subStatus, at, attemptNr: numOrNull(update.attempt_nr), accepted });
    this.onChange();
    return { ok: true, message: '', data: { StatusCode: 0, command: job.command ?? 'NULL' } };
  }

  /** Ask the harvester to kill a job: the next update reply carries `command: tobekilled`. */
  killJob(pandaId: number): boolean {
    const job = this.jobs.get(pandaId);
    if (!job || FINAL_WMS_JOB_STATUSES.has(job.status)) return false;
    job.command = 'tobekilled';
    if (this.activated.delete(pandaId)) {
      // Never handed out: nobody will report it, so the WMS closes it itself.
      job.status = 'cancelled';
      this.history.get(pandaId)?.push({ status: 'cancelled', subStatus: 'killed', at: nowIso(), attemptNr: null, accepted: true });
    }
    this.onChange();
    return true;
  }

  jobStatus(pandaId: number): JsonObject {
    const job = this.jobs.get(pandaId);
    if (!job) return { job_id: pandaId, status: 'unknown', StatusCode: 30, ErrorDiag: `unknown PandaID ${pandaId}` };
    return { job_id: pandaId, status: job.status, command: job.command ?? 'NULL' };
  }

  /** Status sequence of a job with consecutive repeats collapsed (what tests usually assert). */
  statusSequence(pandaId: number): string[] {
    const seq: string[] = [];
    for (const r of this.history.get(pandaId) ?? []) {
      if (!r.accepted) continue;
      if (seq[seq.length - 1] !== r.status) seq.push(r.status);
    }
    return seq;
  }

  jobCountsByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const j of this.jobs.values()) counts[j.status] = (counts[j.status] ?? 0) + 1;
    return counts;
  }

  activeJobStatsBySite(): Record<string, Record<string, number>> {
    const stats: Record<string, Record<string, number>> = {};
    for (const j of this.jobs.values()) {
      if (FINAL_WMS_JOB_STATUSES.has(j.status)) continue;
      const site = j.sentTo?.site ?? j.site ?? 'ANY';
      const s = (stats[site] ??= {});
      s[j.status] = (s[j.status] ?? 0) + 1;
    }
    return stats;
  }

  /** `{site: {resource_type: {prodSourceLabel: {status: n}}}}` of active jobs. */
  activeJobDetailedStatsBySite(): Record<string, Record<string, Record<string, Record<string, number>>>> {
    const stats: Record<string, Record<string, Record<string, Record<string, number>>>> = {};
    for (const j of this.jobs.values()) {
      if (FINAL_WMS_JOB_STATUSES.has(j.status)) continue;
      const site = j.sentTo?.site ?? j.site ?? 'ANY';
      const rtype = typeof j.dict.resource_type === 'string' ? j.dict.resource_type : 'SCORE';
      const byLabel = (((stats[site] ??= {})[rtype] ??= {})[j.prodSourceLabel] ??= {});
      byLabel[j.status] = (byLabel[j.status] ?? 0) + 1;
    }
    return stats;
  }

  // ------------------------------------------------------------------ events

  acquireEventRanges(pandaId: number, n: number): EventRangeWire[] | undefined {
    const job = this.jobs.get(pandaId);
    if (!job) return undefined;
    const out: EventRangeWire[] = [];
    for (const r of job.eventRanges ?? []) {
      if (out.length >= n) break;
      if (r.status !== 'ready') continue;
      r.status = 'sent';
      out.push(r.range);
    }
    if (out.length) this.onChange();
    return out;
  }

  availableEventRanges(pandaId: number): number | undefined {
    const job = this.jobs.get(pandaId);
    if (!job) return undefined;
    return (job.eventRanges ?? []).filter((r) => r.status === 'ready').length;
  }

  /** Record one event status; false for an unknown range or status. */
  updateEventRange(eventRangeID: string, eventStatus: string): boolean {
    if (!EVENT_STATUSES.has(eventStatus)) return false;
    const pandaId = Number(eventRangeID.split('-')[1]);
    const range = this.jobs.get(pandaId)?.eventRanges?.find((r) => r.range.eventRangeID === eventRangeID);
    if (!range) return false;
    range.status = eventStatus;
    this.onChange();
    return true;
  }

  // ------------------------------------------------------------------ workers, stats, dialogs

  updateWorker(harvesterId: string, record: JsonObject): boolean {
    const id = record.workerID;
    const status = record.status;
    if (typeof id !== 'number' || !Number.isInteger(id) || typeof status !== 'string' || !status) return false;
    const key = `${harvesterId}:${id}`;
    const at = nowIso();
    const w = this.workers.get(key);
    if (w) {
      if (w.status !== status) w.history.push({ status, at });
      w.status = status;
      w.record = record;
    } else {
      this.workers.set(key, { harvesterId, workerID: id, status, record, history: [{ status, at }] });
    }
    this.onChange();
    return true;
  }

  maxWorkerId(harvesterId: string): number | null {
    let max: number | null = null;
    for (const w of this.workers.values()) if (w.harvesterId === harvesterId && (max === null || w.workerID > max)) max = w.workerID;
    return max;
  }

  recordHeartbeat(harvesterId: string, data: JsonObject): void {
    pushBounded(this.heartbeats, { harvesterId, at: nowIso(), data });
    this.onChange();
  }

  recordWorkerStats(harvesterId: string, pandaQueue: string, statistics: JsonValue): void {
    pushBounded(this.workerStats, { harvesterId, at: nowIso(), data: { pandaQueue, statistics } });
    this.onChange();
  }

  /** Latest reported statistics per site and harvester (harvester/get_worker_statistics). */
  latestWorkerStats(): Record<string, Record<string, JsonValue>> {
    const out: Record<string, Record<string, JsonValue>> = {};
    for (const s of this.workerStats) (out[s.data.pandaQueue] ??= {})[s.harvesterId] = s.data.statistics;
    return out;
  }

  recordDialog(harvesterId: string, dialog: JsonObject): void {
    pushBounded(this.dialogs, { harvesterId, at: nowIso(), data: dialog });
    this.onChange();
  }

  recordServiceMetrics(harvesterId: string, metrics: JsonValue): void {
    pushBounded(this.serviceMetrics, { harvesterId, at: nowIso(), data: metrics });
    this.onChange();
  }

  recordUpload(name: string, bytes: number): void {
    pushBounded(this.uploads, { name, bytes, at: nowIso() });
  }

  // ------------------------------------------------------------------ commands

  queueCommand(c: { harvester_id: string; command: string; params?: JsonValue; ack_requested?: boolean }): WmsCommand {
    const cmd: WmsCommand = {
      command_id: this.nextCommandID++,
      harvester_id: c.harvester_id,
      command: c.command,
      params: c.params ?? null,
      ack_requested: c.ack_requested ?? true,
      state: 'queued',
      createdAt: nowIso(),
    };
    this.commands.push(cmd);
    this.onChange();
    return cmd;
  }

  acquireCommands(harvesterId: string, n: number): CommandWire[] {
    const out: CommandWire[] = [];
    for (const c of this.commands) {
      if (out.length >= n) break;
      if (c.state !== 'queued' || (c.harvester_id !== harvesterId && c.harvester_id !== '*')) continue;
      // Commands without ack are done once handed out; with ack they wait for it.
      c.state = c.ack_requested ? 'retrieved' : 'acknowledged';
      out.push({ command_id: c.command_id, command: c.command, params: c.params, ack_requested: c.ack_requested });
    }
    if (out.length) this.onChange();
    return out;
  }

  ackCommands(ids: readonly number[]): number {
    let n = 0;
    for (const c of this.commands) {
      if (ids.includes(c.command_id) && c.state !== 'acknowledged') {
        c.state = 'acknowledged';
        n += 1;
      }
    }
    if (n) this.onChange();
    return n;
  }

  // ------------------------------------------------------------------ persistence

  snapshot(): WmsSnapshot {
    return {
      version: 1,
      nextPandaID: this.nextPandaID,
      nextCommandID: this.nextCommandID,
      jobs: [...this.jobs.values()],
      history: [...this.history.entries()],
      workers: [...this.workers.values()],
      commands: this.commands,
      heartbeats: this.heartbeats,
      workerStats: this.workerStats,
      dialogs: this.dialogs,
      serviceMetrics: this.serviceMetrics,
    };
  }

  restore(s: WmsSnapshot): void {
    this.nextPandaID = s.nextPandaID;
    this.nextCommandID = s.nextCommandID;
    this.jobs.clear();
    this.activated.clear();
    for (const j of s.jobs) {
      this.jobs.set(j.PandaID, j);
      if (j.status === 'activated') this.activated.add(j.PandaID);
    }
    this.history.clear();
    for (const [id, h] of s.history) this.history.set(id, h);
    this.workers.clear();
    for (const w of s.workers) this.workers.set(`${w.harvesterId}:${w.workerID}`, w);
    this.commands.splice(0, this.commands.length, ...s.commands);
    this.heartbeats.splice(0, this.heartbeats.length, ...s.heartbeats);
    this.workerStats.splice(0, this.workerStats.length, ...s.workerStats);
    this.dialogs.splice(0, this.dialogs.length, ...s.dialogs);
    this.serviceMetrics.splice(0, this.serviceMetrics.length, ...s.serviceMetrics);
  }
}

function numOrNull(v: JsonValue | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

/** PanDA-style range ids `<taskID>-<PandaID>-<fileID>-<processID>-<attemptNr>` (HPO code splits on `-`). */
function makeEventRanges(dict: JsonObject, n: number): WmsEventRange[] {
  const count = Math.max(0, Math.min(10_000, Math.floor(n)));
  const perRange = 100;
  const out: WmsEventRange[] = [];
  for (let i = 0; i < count; i += 1) {
    out.push({
      status: 'ready',
      range: {
        eventRangeID: `${String(dict.taskID ?? 1)}-${dict.PandaID as number}-1-${i + 1}-${String(dict.attemptNr ?? 1)}`,
        LFN: `EVNT.${String(dict.taskID ?? 1)}._000001.pool.root.1`,
        GUID: '00000000-0000-0000-0000-000000000001',
        scope: 'wms',
        startEvent: i * perRange,
        lastEvent: (i + 1) * perRange - 1,
      },
    });
  }
  return out;
}
