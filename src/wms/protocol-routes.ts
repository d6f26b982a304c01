import type { JsonObject, JsonValue } from '../upstream/json';
import { API_PATHS, StatusCode } from '../upstream/protocol';
import { HttpError } from './http-util';
import type { WmsStore } from './store';
import { isObject, optBool, optInt, optObject, optString, type Params, reqInt, reqList, reqString } from './validate';

/** What a handler returns: the reply's `data` (and optionally a message or `success: false`). */
export interface HandlerResult {
  data: JsonValue;
  message?: string;
  success?: boolean;
}

export interface HandlerContext {
  params: Params;
  store: WmsStore;
  /** Raw body, for the multipart upload. */
  rawBody: Buffer;
  contentType: string;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

export interface Route {
  method: 'GET' | 'POST';
  handler: Handler;
}

/** Limits that keep one request from monopolizing the server (the original sends ≤ 100 per call). */
const MAX_JOB_UPDATES = 1000;
const MAX_WORKERS = 5000;
const MAX_ITEMS = 1000;
const MAX_IDS = 10_000;

function harvesterId(p: Params): string {
  return reqString(p, ['harvester_id', 'harvesterID'], 256);
}

const ok = (data: JsonValue, message = ''): HandlerResult => ({ data, message });

function isAlive(): HandlerResult {
  return ok('alive=yes', 'alive=yes');
}

function heartbeat({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const data = optObject(params, ['data']) ?? {};
  store.recordHeartbeat(id, data);
  return ok(null);
}

function acquireJobs({ params, store }: HandlerContext): HandlerResult {
  // snake_case is the v1 API; camelCase is what some original versions sent.
  const site = reqString(params, ['site_name', 'siteName'], 256);
  const n = optInt(params, ['n_jobs', 'nJobs'], 1, 10_000) ?? 1;
  const label = optString(params, ['prod_source_label', 'prodSourceLabel'], 64);
  const node = optString(params, ['node'], 256);
  const schedulerID = optString(params, ['scheduler_id', 'schedulerID'], 256);
  const jobs = store.acquireJobs({ site, n, prodSourceLabel: label, node, schedulerID });
  return ok({ StatusCode: StatusCode.OK, jobs });
}

function updateJobsBulk({ params, store }: HandlerContext): HandlerResult {
  const list = reqList(params, ['job_list', 'jobList'], MAX_JOB_UPDATES);
  const replies: JsonValue[] = list.map((entry) => {
    if (!isObject(entry)) return { success: false, message: 'entry is not an object', data: { StatusCode: StatusCode.INVALID, ErrorDiag: 'entry is not an object' } };
    const r = store.updateJob(entry);
    return { success: r.ok, message: r.message, data: r.data };
  });
  return ok(replies);
}

function jobIds(params: Params): number[] {
  const raw = params.job_ids;
  // GET sends lists JSON-encoded or comma-joined (the legacy checkJobStatus did the latter).
  const list = typeof raw === 'string' ? raw.split(',').map((s) => Number(s.trim())) : reqList(params, ['job_ids'], MAX_IDS);
  if (list.length > MAX_IDS) throw new HttpError(400, `job_ids: at most ${MAX_IDS} ids`);
  return list.map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new HttpError(400, `job_ids[${i}]: expected an integer`);
    return v;
  });
}

function getJobStatus({ params, store }: HandlerContext): HandlerResult {
  return ok(jobIds(params).map((id) => store.jobStatus(id)));
}

function jobIdParam(params: Params): number {
  return reqInt(params, ['job_id', 'pandaID', 'PandaID'], 1, Number.MAX_SAFE_INTEGER);
}

function acquireEventRanges({ params, store }: HandlerContext): HandlerResult {
  const id = jobIdParam(params);
  const n = optInt(params, ['n_ranges', 'nRanges'], 1, 100_000) ?? 1;
  optBool(params, ['scattered']);
  const ranges = store.acquireEventRanges(id, n);
  if (ranges === undefined) return ok({ StatusCode: StatusCode.FAILED, ErrorDiag: `unknown PandaID ${id}` });
  return ok({ StatusCode: StatusCode.OK, eventRanges: ranges as unknown as JsonValue });
}

function updateEventRanges({ params, store }: HandlerContext): HandlerResult {
  const list = reqList(params, ['event_ranges', 'eventRanges'], MAX_IDS);
  const returns: JsonValue[] = [];
  const one = (e: JsonValue): void => {
    if (!isObject(e) || typeof e.eventRangeID !== 'string' || typeof e.eventStatus !== 'string') {
      returns.push(false);
      return;
    }
    returns.push(store.updateEventRange(e.eventRangeID, e.eventStatus));
  };
  for (const item of list) {
    // Harvester sends groups {eventRanges: [...], zipFile?}; a pilot sends flat entries.
    if (isObject(item) && Array.isArray(item.eventRanges)) item.eventRanges.forEach(one);
    else one(item);
  }
  return ok({ StatusCode: StatusCode.OK, Returns: returns });
}

function availableEventRangeCount({ params, store }: HandlerContext): HandlerResult {
  const id = jobIdParam(params);
  const n = store.availableEventRanges(id);
  if (n === undefined) return { success: false, message: `unknown PandaID ${id}`, data: null };
  return ok(n);
}

function acquireCommands({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const n = optInt(params, ['n_commands', 'nCommands'], 1, MAX_ITEMS) ?? 1;
  return ok(store.acquireCommands(id, n) as unknown as JsonValue);
}

function acknowledgeCommands({ params, store }: HandlerContext): HandlerResult {
  const ids = reqList(params, ['command_ids', 'commandIDs'], MAX_IDS).map((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new HttpError(400, `command_ids[${i}]: expected an integer`);
    return v;
  });
  const n = store.ackCommands(ids);
  return ok(n, `acknowledged ${n}`);
}

function updateWorkers({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const workers = reqList(params, ['workers'], MAX_WORKERS);
  return ok(workers.map((w) => (isObject(w) ? store.updateWorker(id, w) : false)));
}

function reportWorkerStatistics({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const queue = reqString(params, ['panda_queue', 'siteName'], 256);
  const stats = optObject(params, ['statistics', 'paramsList']);
  if (stats === undefined) throw new HttpError(400, 'statistics: required (a JSON object or its JSON text)');
  store.recordWorkerStats(id, queue, stats);
  return ok(null);
}

function getWorkerStatistics({ store }: HandlerContext): HandlerResult {
  return ok(store.latestWorkerStats() as unknown as JsonValue);
}

function getCurrentWorkerId({ params, store }: HandlerContext): HandlerResult {
  return ok(store.maxWorkerId(harvesterId(params)));
}

function addDialogs({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const dialogs = reqList(params, ['dialogs'], MAX_ITEMS);
  dialogs.forEach((d, i) => {
    if (!isObject(d) || typeof d.diagMessage !== 'string') throw new HttpError(400, `dialogs[${i}]: expected an object with diagMessage`);
  });
  for (const d of dialogs) store.recordDialog(id, d as JsonObject);
  return ok(null, `added ${dialogs.length}`);
}

function updateServiceMetrics({ params, store }: HandlerContext): HandlerResult {
  const id = harvesterId(params);
  const metrics = reqList(params, ['metrics'], MAX_ITEMS);
  store.recordServiceMetrics(id, metrics);
  return ok(null);
}

function getResourceTypes(): HandlerResult {
  const rt = (resource_name: string, mincore: number | null, maxcore: number | null): JsonObject => ({
    resource_name, mincore, maxcore, minrampercore: null, maxrampercore: null,
  });
  return ok({ ResourceTypes: [rt('SCORE', 1, 1), rt('MCORE', 2, null), rt('SCORE_HIMEM', 1, 1), rt('MCORE_HIMEM', 2, null)] });
}

function activeJobStats({ store }: HandlerContext): HandlerResult {
  return ok(store.activeJobStatsBySite());
}

function activeJobDetailedStats({ store }: HandlerContext): HandlerResult {
  return ok(store.activeJobDetailedStatsBySite());
}

/** Minimal multipart reading: the first part's filename and size are all the WMS keeps. */
function uploadJediLog({ rawBody, contentType, store }: HandlerContext): HandlerResult {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType);
  if (!m || !/^multipart\/form-data/i.test(contentType)) throw new HttpError(400, 'expected multipart/form-data with a boundary');
  const text = rawBody.toString('latin1');
  const boundary = `--${m[2]}`;
  const start = text.indexOf(boundary);
  const headEnd = text.indexOf('\r\n\r\n', start);
  const end = text.indexOf(`\r\n${boundary}`, headEnd);
  if (start < 0 || headEnd < 0 || end < 0) throw new HttpError(400, 'malformed multipart body');
  const head = text.slice(start, headEnd);
  const name = /name="file"/.test(head) ? /filename="([^"]*)"/.exec(head)?.[1] : undefined;
  if (!name) throw new HttpError(400, 'multipart body has no "file" part with a filename');
  store.recordUpload(name, end - (headEnd + 4));
  return ok(null, `received ${name}`);
}

/** The protocol paths the WMS serves (relative to `/api/v1/`). */
export const PROTOCOL_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [API_PATHS.isAlive, { method: 'GET', handler: isAlive }],
  [API_PATHS.heartbeat, { method: 'POST', handler: heartbeat }],
  [API_PATHS.acquireJobs, { method: 'POST', handler: acquireJobs }],
  [API_PATHS.updateJobsBulk, { method: 'POST', handler: updateJobsBulk }],
  [API_PATHS.getJobStatus, { method: 'GET', handler: getJobStatus }],
  [API_PATHS.acquireEventRanges, { method: 'POST', handler: acquireEventRanges }],
  [API_PATHS.updateEventRanges, { method: 'POST', handler: updateEventRanges }],
  [API_PATHS.availableEventRangeCount, { method: 'GET', handler: availableEventRangeCount }],
  [API_PATHS.acquireCommands, { method: 'POST', handler: acquireCommands }],
  [API_PATHS.acknowledgeCommands, { method: 'POST', handler: acknowledgeCommands }],
  [API_PATHS.updateWorkers, { method: 'POST', handler: updateWorkers }],
  [API_PATHS.reportWorkerStatistics, { method: 'POST', handler: reportWorkerStatistics }],
  [API_PATHS.getWorkerStatistics, { method: 'GET', handler: getWorkerStatistics }],
  [API_PATHS.getCurrentWorkerId, { method: 'GET', handler: getCurrentWorkerId }],
  [API_PATHS.addDialogs, { method: 'POST', handler: addDialogs }],
  [API_PATHS.updateServiceMetrics, { method: 'POST', handler: updateServiceMetrics }],
  [API_PATHS.getResourceTypes, { method: 'GET', handler: getResourceTypes }],
  [API_PATHS.activeJobStatsBySite, { method: 'GET', handler: activeJobStats }],
  [API_PATHS.activeJobDetailedStatsBySite, { method: 'GET', handler: activeJobDetailedStats }],
  [API_PATHS.uploadJediLog, { method: 'POST', handler: uploadJediLog }],
]);
