/**
 * Shared shapes of the queue configuration: raw JSON values, where a value came
 * from, what is wrong with it, and the resolved per-queue config agents read.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where a queue config comes from. `file` is the local panda_queueconfig.json,
 * `remote` the cached copy of a URL (wins over `file` where both set a value),
 * `dynamic` queues produced by a resolver (applied before the file).
 */
export type SourceKind = 'file' | 'remote' | 'dynamic';

/** One parsed source: `{queueName: {attributes}}` plus a label (path or URL) for messages. */
export interface QueueConfigSource {
  readonly label: string;
  readonly kind: SourceKind;
  readonly data: JsonObject;
}

/** A source that could not be read or parsed; carried so the mapper can say why it kept the last good config. */
export interface FailedSource {
  readonly label: string;
  readonly kind: SourceKind;
  readonly error: string;
}

export type SourceInput = QueueConfigSource | FailedSource;

export function isFailedSource(s: SourceInput): s is FailedSource {
  return 'error' in s;
}

/** What set a value of a resolved queue (shown by `harvester qconf show`). */
export type OriginKind = 'default' | 'template' | 'common' | 'file' | 'remote' | 'dynamic' | 'derived';

export interface Origin {
  readonly kind: OriginKind;
  /** File path or URL the value was read from (absent for defaults and derived values). */
  readonly source?: string;
  /** Template queue name, for `kind: 'template'`. */
  readonly template?: string;
}

/** One thing wrong with a queue config, with enough context to find it in the file. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** File path or URL ("" when the problem is not tied to one source). */
  readonly source: string;
  readonly sourceKind?: SourceKind;
  /** Queue (or template) name; "" for a source-level problem. */
  readonly queue: string;
  /** Attribute path, e.g. `maxWorkers` or `submitter.module`. */
  readonly attribute?: string;
  readonly reason: string;
}

export type MapType = 'NoJob' | 'OneToOne' | 'OneToMany' | 'ManyToOne';

/** A plugin section after merging: module + name + the plugin's own attributes (siteName/queueName injected). */
export interface PluginConfig {
  module: string;
  name: string;
  [attribute: string]: JsonValue;
}

/**
 * A resolved, validated queue config. Field names are the original's, so a
 * site's JSON reads the same; plugin sections sit at top level as in the file.
 */
export interface QueueConfig {
  readonly queueName: string;
  readonly siteName: string;
  readonly pandaQueueName: string;
  /** `<queueName>:<resourceType>:<prodSourceLabel>` — the pq_table key. */
  readonly uniqueName: string;
  /** Row id of the dump in qcdump_table; null until the mapper stored it. */
  readonly configID: number | null;
  readonly templateQueueName: string | null;

  readonly prodSourceLabel: string;
  readonly prodSourceLabelRandomWeightsPermille: Readonly<Record<string, number>>;
  readonly prioritizedProdSourceLabels: readonly string[];
  readonly mapType: MapType;
  readonly useJobLateBinding: boolean;
  readonly allowJobMixture: boolean;
  readonly maxWorkers: number;
  readonly maxNewWorkersPerCycle: number;
  readonly nNewWorkers: number;
  readonly nQueueLimitWorker: number | null;
  readonly nQueueLimitWorkerMax: number | null;
  readonly nQueueLimitWorkerMin: number | null;
  readonly nQueueLimitWorkerRatio: number | null;
  readonly nQueueLimitWorkerCores: number | null;
  readonly nQueueLimitWorkerCoresRatio: number | null;
  readonly nQueueLimitWorkerCoresMin: number | null;
  readonly nQueueLimitWorkerMemory: number | null;
  readonly nQueueLimitWorkerMemoryRatio: number | null;
  readonly nQueueLimitWorkerMemoryMin: number | null;
  readonly nQueueLimitJob: number | null;
  readonly nQueueLimitJobMax: number | null;
  readonly nQueueLimitJobMin: number | null;
  readonly nQueueLimitJobRatio: number | null;
  readonly nQueueLimitJobCores: number | null;
  readonly nQueueLimitJobCoresRatio: number | null;
  readonly nQueueLimitJobCoresMin: number | null;
  readonly runMode: 'self' | 'slave';
  readonly truePilot: boolean;
  /** Comma list as in the file; see `noHeartbeatStatuses`. */
  readonly noHeartbeat: string;
  readonly maxSubmissionAttempts: number;
  readonly zipPerMB: number | null;
  readonly ddmEndpointIn: string | null;
  /** Parsed from the file's `"k=v,k2=v2"`; null when unset or empty. */
  readonly getJobCriteria: Readonly<Record<string, string>> | null;
  readonly prefetchEvents: boolean;
  readonly initEventsMultipler: number;
  readonly scatteredEvents: boolean | null;
  /** Lower-cased; `online` when unset. `offline` makes the queue inactive. */
  readonly queueStatus: string;
  readonly resourceType: string;
  readonly jobType: string;
  readonly siteFamily: string;
  readonly walltimeLimit: number | null;
  readonly resource: JsonValue;
  readonly common: Readonly<JsonObject>;

  readonly messenger: PluginConfig;
  readonly monitor: PluginConfig;
  readonly preparator: PluginConfig;
  readonly stager: PluginConfig;
  readonly submitter: PluginConfig;
  readonly sweeper: PluginConfig;
  readonly workerMaker: PluginConfig;
  readonly throttler: PluginConfig | null;
  readonly zipper: PluginConfig | null;
  readonly aux_preparator: PluginConfig | null;
  readonly extractor: PluginConfig | null;
  readonly credmanagers: readonly PluginConfig[];
  readonly file_syncer: readonly PluginConfig[];
  /** Middleware (herder) sections referenced by a plugin's `middleware` key, by name. */
  readonly middlewareSections: Readonly<Record<string, JsonObject>>;
}

/** Statuses in `harvester qconf list`. */
export type QueueState = 'active' | 'offline' | 'not-listed' | 'broken';

export interface QueueStatusEntry {
  readonly queueName: string;
  readonly state: QueueState;
  /** Why the queue is broken / inactive. */
  readonly reason?: string;
  /** configID of the version being served (null if none is served or no DB). */
  readonly configID: number | null;
  /** True when agents get a queue config for it (possibly the last good one). */
  readonly serving: boolean;
  /** True when the served version is an older one because the new one is broken. */
  readonly servingLastGood: boolean;
  readonly problems: readonly Problem[];
}
