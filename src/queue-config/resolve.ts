/**
 * From a structurally valid merged entry to the typed `QueueConfig`, doing what
 * the original's mapper does after merging: defaults, siteName/resourceType
 * from the queue name, siteName and queueName injected into plugin sections, middleware sections substituted, getJobCriteria
 * parsed, job limits nulled for NoJob, noHeartbeat for true pilots, and the
 * limit sanitation (negative → 0, limits within maxWorkers).
 */
import {
  DEFAULT_NO_HEARTBEAT_FOR_TRUE_PILOT, JOB_LIMITS_NULLED_FOR_NOJOB, MIDDLEWARE_KEY, PLUGIN_SECTIONS, QUEUE_ATTRIBUTES,
} from './attributes';
import { referencedMiddleware } from './check-entry';
import type { MergedQueue } from './merge';
import { isJsonObject, type JsonObject, type JsonValue, type Origin, type PluginConfig, type Problem, type QueueConfig } from './types';

export interface ResolvedQueue {
  readonly config: QueueConfig;
  readonly origins: ReadonlyMap<string, Origin>;
  readonly warnings: readonly Problem[];
}

const DERIVED: Origin = { kind: 'derived' };
const DEFAULT: Origin = { kind: 'default' };
const SINGLE_SECTIONS = PLUGIN_SECTIONS.filter((s) => !s.list).map((s) => s.name);
const LIST_SECTIONS = PLUGIN_SECTIONS.filter((s) => s.list).map((s) => s.name);

export function parseJobCriteria(v: string | null): Record<string, string> | null {
  if (v === null) return null;
  const out: Record<string, string> = {};
  for (const item of v.split(',')) {
    if (item.trim() === '') continue;
    const [k, val] = item.split('=') as [string, string];
    out[k.trim()] = val.trim();
  }
  return Object.keys(out).length ? out : null;
}

export function resolveQueue(q: MergedQueue): ResolvedQueue {
  const origins = new Map(q.origins);
  const warnings: Problem[] = [];
  const raw = q.raw;
  const values: Record<string, JsonValue> = {};
  const originOf = (key: string): Origin => origins.get(key) ?? DEFAULT;

  for (const spec of QUEUE_ATTRIBUTES) {
    if (spec.name in raw) values[spec.name] = raw[spec.name] as JsonValue;
    else {
      values[spec.name] = structuredClone(spec.default);
      origins.set(spec.name, DEFAULT);
    }
  }

  // The queue name is `site` or `site/resourceType`; explicit attributes still win (setattr order of the original).
  const [site] = q.name.split('/') as [string];
  if (!('siteName' in raw)) {
    values.siteName = site;
    origins.set('siteName', DERIVED);
  }
  if (!('resourceType' in raw) && site !== q.name) {
    values.resourceType = q.name.split('/').pop() as string;
    origins.set('resourceType', DERIVED);
  }
  if (!('pandaQueueName' in raw)) {
    values.pandaQueueName = values.siteName as string;
    origins.set('pandaQueueName', DERIVED);
  }
  if (values.siteFamily === null) {
    values.siteFamily = values.siteName as string;
    origins.set('siteFamily', DERIVED);
  }
  values.queueStatus = typeof values.queueStatus === 'string' ? values.queueStatus.toLowerCase() : 'online';
  if (!('queueStatus' in raw)) origins.set('queueStatus', DEFAULT);

  if (values.mapType === 'NoJob') {
    for (const name of JOB_LIMITS_NULLED_FOR_NOJOB) {
      if (values[name] !== null) {
        values[name] = null;
        origins.set(name, DERIVED);
      }
    }
  }
  if (values.truePilot === true && values.noHeartbeat === '') {
    values.noHeartbeat = DEFAULT_NO_HEARTBEAT_FOR_TRUE_PILOT;
    origins.set('noHeartbeat', DERIVED);
  }
  sanitizeLimits(q, values, origins, warnings);

  // `common` is not copied into the plugin sections here: the plugin factory
  // applies it to the attributes each plugin declares (PluginRequest.common),
  // because its strict attribute check would reject a common key the plugin
  // does not know — which the original's blind copy handed to every plugin.
  const common = (isJsonObject(values.common) ? values.common : {}) as JsonObject;
  const middlewareNames = referencedMiddleware(raw);
  const middlewareSections: Record<string, JsonObject> = {};
  for (const name of middlewareNames) if (isJsonObject(raw[name])) middlewareSections[name] = structuredClone(raw[name] as JsonObject);

  const plugins: Record<string, PluginConfig | null> = {};
  for (const section of SINGLE_SECTIONS) {
    const v = raw[section];
    if (!isJsonObject(v)) {
      plugins[section] = null;
      continue;
    }
    const plugin = structuredClone(v) as PluginConfig;
    if (!('siteName' in plugin)) {
      plugin.siteName = values.siteName as string;
      origins.set(`${section}.siteName`, DERIVED);
    }
    if (!('queueName' in plugin)) {
      plugin.queueName = q.name;
      origins.set(`${section}.queueName`, DERIVED);
    }
    const mw = plugin[MIDDLEWARE_KEY];
    if (typeof mw === 'string' && middlewareSections[mw]) {
      // As the original: the herder config replaces the plugin's keys, the plugin's own config rides along.
      const original = structuredClone(plugin);
      plugin.original_config = original;
      for (const [k, mv] of Object.entries(middlewareSections[mw] as JsonObject)) {
        plugin[k] = structuredClone(mv);
        origins.set(`${section}.${k}`, originOf(`${mw}.${k}`));
      }
    }
    plugins[section] = plugin;
  }
  const lists: Record<string, PluginConfig[]> = {};
  for (const section of LIST_SECTIONS) {
    const v = raw[section];
    // The original leaves list sections as written (the agents expand ${queueName} etc. themselves).
    lists[section] = Array.isArray(v) ? (structuredClone(v) as PluginConfig[]) : [];
    if (!(section in raw)) origins.set(section, DEFAULT);
  }

  const prodSourceLabel = values.prodSourceLabel as string;
  for (const key of ['queueName', 'uniqueName', 'configID']) origins.set(key, DERIVED);
  const resourceType = values.resourceType as string;
  const config: QueueConfig = {
    queueName: q.name,
    siteName: values.siteName as string,
    pandaQueueName: values.pandaQueueName as string,
    uniqueName: `${q.name}:${resourceType}:${prodSourceLabel}`,
    configID: null,
    templateQueueName: q.templateQueueName,
    prodSourceLabel,
    prodSourceLabelRandomWeightsPermille: values.prodSourceLabelRandomWeightsPermille as Record<string, number>,
    prioritizedProdSourceLabels: values.prioritizedProdSourceLabels as string[],
    mapType: values.mapType as QueueConfig['mapType'],
    useJobLateBinding: values.useJobLateBinding as boolean,
    allowJobMixture: values.allowJobMixture as boolean,
    maxWorkers: values.maxWorkers as number,
    maxNewWorkersPerCycle: values.maxNewWorkersPerCycle as number,
    nNewWorkers: values.nNewWorkers as number,
    nQueueLimitWorker: values.nQueueLimitWorker as number | null,
    nQueueLimitWorkerMax: values.nQueueLimitWorkerMax as number | null,
    nQueueLimitWorkerMin: values.nQueueLimitWorkerMin as number | null,
    nQueueLimitWorkerRatio: values.nQueueLimitWorkerRatio as number | null,
    nQueueLimitWorkerCores: values.nQueueLimitWorkerCores as number | null,
    nQueueLimitWorkerCoresRatio: values.nQueueLimitWorkerCoresRatio as number | null,
    nQueueLimitWorkerCoresMin: values.nQueueLimitWorkerCoresMin as number | null,
    nQueueLimitWorkerMemory: values.nQueueLimitWorkerMemory as number | null,
    nQueueLimitWorkerMemoryRatio: values.nQueueLimitWorkerMemoryRatio as number | null,
    nQueueLimitWorkerMemoryMin: values.nQueueLimitWorkerMemoryMin as number | null,
    nQueueLimitJob: values.nQueueLimitJob as number | null,
    nQueueLimitJobMax: values.nQueueLimitJobMax as number | null,
    nQueueLimitJobMin: values.nQueueLimitJobMin as number | null,
    nQueueLimitJobRatio: values.nQueueLimitJobRatio as number | null,
    nQueueLimitJobCores: values.nQueueLimitJobCores as number | null,
    nQueueLimitJobCoresRatio: values.nQueueLimitJobCoresRatio as number | null,
    nQueueLimitJobCoresMin: values.nQueueLimitJobCoresMin as number | null,
    runMode: values.runMode as QueueConfig['runMode'],
    truePilot: values.truePilot as boolean,
    noHeartbeat: values.noHeartbeat as string,
    maxSubmissionAttempts: values.maxSubmissionAttempts as number,
    zipPerMB: values.zipPerMB as number | null,
    ddmEndpointIn: values.ddmEndpointIn as string | null,
    getJobCriteria: parseJobCriteria(values.getJobCriteria as string | null),
    prefetchEvents: values.prefetchEvents as boolean,
    initEventsMultipler: values.initEventsMultipler as number,
    scatteredEvents: values.scatteredEvents as boolean | null,
    queueStatus: values.queueStatus,
    resourceType,
    jobType: values.jobType as string,
    siteFamily: values.siteFamily as string,
    walltimeLimit: values.walltimeLimit as number | null,
    resource: values.resource as JsonValue,
    common,
    messenger: plugins.messenger as PluginConfig,
    monitor: plugins.monitor as PluginConfig,
    preparator: plugins.preparator as PluginConfig,
    stager: plugins.stager as PluginConfig,
    submitter: plugins.submitter as PluginConfig,
    sweeper: plugins.sweeper as PluginConfig,
    workerMaker: plugins.workerMaker as PluginConfig,
    throttler: plugins.throttler ?? null,
    zipper: plugins.zipper ?? null,
    aux_preparator: plugins.aux_preparator ?? null,
    extractor: plugins.extractor ?? null,
    credmanagers: lists.credmanagers ?? [],
    file_syncer: lists.file_syncer ?? [],
    middlewareSections,
  };
  return { config, origins, warnings };
}

const LIMIT_NAMES = QUEUE_ATTRIBUTES.filter((a) => a.group === 'worker limits' || a.group === 'job limits').map((a) => a.name);

function sanitizeLimits(q: MergedQueue, values: Record<string, JsonValue>, origins: Map<string, Origin>, warnings: Problem[]): void {
  const warn = (attribute: string, reason: string): void => {
    const origin = origins.get(attribute);
    warnings.push({ severity: 'warning', source: origin?.source ?? '', queue: q.name, attribute, reason });
  };
  for (const name of [...LIMIT_NAMES, 'maxWorkers', 'maxNewWorkersPerCycle']) {
    const v = values[name];
    if (typeof v === 'number' && v < 0) {
      warn(name, `negative value ${v} treated as 0`);
      values[name] = 0;
    }
  }
  const maxWorkers = values.maxWorkers as number;
  for (const name of ['nQueueLimitWorker', 'nQueueLimitWorkerMax']) {
    const v = values[name];
    if (maxWorkers > 0 && typeof v === 'number' && v > maxWorkers) {
      warn(name, `${v} exceeds maxWorkers ${maxWorkers}; capped at ${maxWorkers}`);
      values[name] = maxWorkers;
    }
  }
  for (const [min, max] of [['nQueueLimitWorkerMin', 'nQueueLimitWorkerMax'], ['nQueueLimitJobMin', 'nQueueLimitJobMax']] as const) {
    const lo = values[min];
    const hi = values[max];
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
      warn(min, `${lo} is above ${max} ${hi}; lowered to ${hi}`);
      values[min] = hi;
    }
  }
}
