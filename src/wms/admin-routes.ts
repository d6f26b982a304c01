import type { JsonObject, JsonValue } from '../upstream/json';
import { HttpError } from './http-util';
import { expandJobSource, JobSourceError } from './job-source';
import type { WmsStore } from './store';
import { optBool, optInt, optString, type Params, reqString } from './validate';

/**
 * The WMS's own API for tests and operators, under `/wms/v1/` (not part of the
 * PanDA protocol): submit and kill jobs, queue commands, read job states, status
 * histories, workers and request counts.
 */
export interface AdminRequest {
  method: string;
  /** Path below `/wms/v1/`, e.g. `jobs/1000001`. */
  path: string;
  params: Params;
  store: WmsStore;
}

const MAX_LIST = 100_000;

function jobSummary(store: WmsStore, id: number): JsonObject | undefined {
  const j = store.jobs.get(id);
  if (!j) return undefined;
  return {
    PandaID: j.PandaID, status: j.status, subStatus: j.subStatus, site: j.sentTo?.site ?? j.site,
    prodSourceLabel: j.prodSourceLabel, modifiedAt: j.modifiedAt, command: j.command,
  };
}

function listJobs({ params, store }: AdminRequest): JsonValue {
  const status = optString(params, ['status'], 64);
  const site = optString(params, ['site'], 256);
  const limit = optInt(params, ['limit'], 1, MAX_LIST) ?? MAX_LIST;
  const jobs: JsonValue[] = [];
  for (const j of store.jobs.values()) {
    if (jobs.length >= limit) break;
    if (status && j.status !== status) continue;
    if (site && (j.sentTo?.site ?? j.site) !== site) continue;
    const s = jobSummary(store, j.PandaID);
    if (s) jobs.push(s);
  }
  return { counts: store.jobCountsByStatus(), jobs };
}

function submitJobs({ params, store }: AdminRequest): JsonValue {
  const site = optString(params, ['site'], 256);
  const label = optString(params, ['prodSourceLabel'], 64);
  let templates: JsonObject[];
  try {
    if (params.jobs !== undefined) {
      templates = expandJobSource(params.jobs, 'jobs');
    } else {
      const count = optInt(params, ['count'], 1, 100_000) ?? 1;
      const template = params.template ?? {};
      templates = expandJobSource([{ count, template }], 'template');
    }
  } catch (err) {
    if (err instanceof JobSourceError) throw new HttpError(400, err.message);
    throw err;
  }
  const ids = store.addJobs(templates, { site, prodSourceLabel: label });
  return { PandaIDs: ids };
}

function jobDetail(store: WmsStore, id: number): JsonValue {
  const j = store.jobs.get(id);
  if (!j) throw new HttpError(404, `unknown PandaID ${id}`);
  return {
    ...(jobSummary(store, id) ?? {}),
    sequence: store.statusSequence(id),
    history: (store.history.get(id) ?? []) as unknown as JsonValue,
    job: j.dict,
    lastReport: j.lastReport ?? null,
    eventRanges: (j.eventRanges ?? []).map((r) => ({ eventRangeID: r.range.eventRangeID, status: r.status })),
  };
}

function queueCommand({ params, store }: AdminRequest): JsonValue {
  const cmd = store.queueCommand({
    harvester_id: optString(params, ['harvester_id'], 256) ?? '*',
    command: reqString(params, ['command'], 256),
    params: params.params ?? null,
    ack_requested: optBool(params, ['ack_requested']) ?? true,
  });
  return cmd as unknown as JsonValue;
}

function stats({ store }: AdminRequest): JsonValue {
  return {
    requestCounts: Object.fromEntries(store.requestCounts),
    jobCounts: store.jobCountsByStatus(),
    workers: store.workers.size,
    heartbeats: store.heartbeats.length,
    lastHeartbeat: (store.heartbeats[store.heartbeats.length - 1] ?? null) as unknown as JsonValue,
    dialogs: store.dialogs.length,
    uploads: store.uploads.length,
  };
}

export function handleAdmin(req: AdminRequest): JsonValue {
  const { method, path, store, params } = req;
  const parts = path.split('/').filter(Boolean);
  const route = `${method} ${parts[0] ?? ''}`;
  if (parts.length === 1) {
    switch (route) {
      case 'GET jobs': return listJobs(req);
      case 'POST jobs': return submitJobs(req);
      case 'GET workers': {
        const hid = optString(params, ['harvester_id'], 256);
        return [...store.workers.values()].filter((w) => !hid || w.harvesterId === hid) as unknown as JsonValue;
      }
      case 'GET commands': return store.commands as unknown as JsonValue;
      case 'POST commands': return queueCommand(req);
      case 'GET heartbeats': return store.heartbeats as unknown as JsonValue;
      case 'GET dialogs': return store.dialogs as unknown as JsonValue;
      case 'GET worker-stats': return store.workerStats as unknown as JsonValue;
      case 'GET uploads': return store.uploads as unknown as JsonValue;
      case 'GET stats': return stats(req);
      default: break;
    }
  }
  if (parts[0] === 'jobs' && parts.length >= 2) {
    const id = Number(parts[1]);
    if (!Number.isInteger(id)) throw new HttpError(400, `not a PandaID: ${parts[1]}`);
    if (method === 'GET' && parts.length === 2) return jobDetail(store, id);
    if (method === 'POST' && parts.length === 3 && parts[2] === 'kill') {
      if (!store.jobs.has(id)) throw new HttpError(404, `unknown PandaID ${id}`);
      return { killed: store.killJob(id) };
    }
  }
  throw new HttpError(404, `no such WMS API: ${method} /wms/v1/${path}`);
}
