/**
 * The schema of one queue entry in panda_queueconfig.json: every top-level
 * attribute the original accepts (facts §7.1), its type, default and meaning,
 * and the plugin sections. validate.ts checks against it, resolve.ts fills the
 * defaults from it, reference.ts renders docs/queue-config.md from it — so the
 * three can never disagree.
 */
import type { JsonValue, MapType } from './types';

export type AttributeKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  /** JSON array of strings. */
  | 'stringList'
  /** JSON object whose values are numbers. */
  | 'numberMap'
  /** JSON object of free-form keys. */
  | 'object'
  /** Any JSON value (passed through to the plugins that read it). */
  | 'json'
  /** String `"key=value,key2=value2"`. */
  | 'criteria';

export type AttributeGroup = 'job fetching' | 'worker limits' | 'job limits' | 'workers' | 'events' | 'identity' | 'templating';

export interface AttributeSpec {
  readonly name: string;
  readonly kind: AttributeKind;
  /** `null` is an accepted value (meaning "unset"). */
  readonly nullable: boolean;
  /** Value when the queue and its template leave it out. */
  readonly default: JsonValue;
  /** How the default reads in the docs when it is derived rather than a constant. */
  readonly defaultText?: string;
  readonly values?: readonly string[];
  readonly group: AttributeGroup;
  readonly doc: string;
}

export const MAP_TYPES: readonly MapType[] = ['NoJob', 'OneToOne', 'OneToMany', 'ManyToOne'];

const int = (name: string, dflt: number | null, group: AttributeGroup, doc: string): AttributeSpec => ({
  name, kind: 'integer', nullable: dflt === null, default: dflt, group, doc,
});
const limit = (name: string, doc: string): AttributeSpec => int(name, null, name.startsWith('nQueueLimitJob') ? 'job limits' : 'worker limits', doc);

export const QUEUE_ATTRIBUTES: readonly AttributeSpec[] = [
  // identity
  { name: 'siteName', kind: 'string', nullable: false, default: null, defaultText: 'queue name up to the first "/"', group: 'identity', doc: 'PanDA site the queue serves; injected into every plugin section that lacks it.' },
  { name: 'pandaQueueName', kind: 'string', nullable: false, default: null, defaultText: 'siteName', group: 'identity', doc: 'PanDA queue name (the original asks its CRIC resolver; without one it is the site name).' },
  { name: 'resourceType', kind: 'string', nullable: false, default: 'ANY', defaultText: 'part after "/" in the queue name, else ANY', group: 'identity', doc: 'Resource type (SCORE, MCORE, ...) the queue submits for; ANY = all.' },
  { name: 'jobType', kind: 'string', nullable: false, default: 'ANY', group: 'identity', doc: 'Job type the queue submits for; ANY = all.' },
  { name: 'siteFamily', kind: 'string', nullable: true, default: null, defaultText: 'siteName', group: 'identity', doc: 'Group of sites the tiny throttler counts together.' },
  { name: 'queueStatus', kind: 'string', nullable: true, default: null, defaultText: 'online', group: 'identity', doc: 'online, offline, ...; offline makes the queue inactive (nothing fetched or submitted). Not part of the configID checksum.' },
  // templating
  { name: 'templateQueueName', kind: 'string', nullable: true, default: null, group: 'templating', doc: 'Template entry this queue starts from; its attributes apply first, plugin sections merge key by key.' },
  { name: 'isTemplateQueue', kind: 'boolean', nullable: false, default: false, group: 'templating', doc: 'Marks the entry as a template (so does a name ending in _TEMPLATE); templates are never queues themselves.' },
  // job fetching
  { name: 'prodSourceLabel', kind: 'string', nullable: false, default: 'managed', group: 'job fetching', doc: 'Label sent with getJob (unified for grandly-unified queues).' },
  { name: 'prodSourceLabelRandomWeightsPermille', kind: 'numberMap', nullable: false, default: {}, group: 'job fetching', doc: '{label: permille}: chance of asking for another label instead, for getJob and pull pilots.' },
  { name: 'prioritizedProdSourceLabels', kind: 'stringList', nullable: false, default: ['rc_alrb'], group: 'job fetching', doc: 'Pilot types the worker adjuster serves first.' },
  { name: 'getJobCriteria', kind: 'criteria', nullable: true, default: null, group: 'job fetching', doc: 'Extra getJob parameters as "key=value,key2=value2".' },
  { name: 'ddmEndpointIn', kind: 'string', nullable: true, default: null, group: 'job fetching', doc: 'DDM endpoint of input files (key for sharing them between jobs).' },
  { name: 'useJobLateBinding', kind: 'boolean', nullable: false, default: false, group: 'job fetching', doc: 'Workers are submitted first and get their jobs after they start.' },
  { name: 'truePilot', kind: 'boolean', nullable: false, default: false, group: 'job fetching', doc: 'The pilot talks to PanDA itself; sets noHeartbeat to running,transferring,finished,failed when that is empty.' },
  { name: 'noHeartbeat', kind: 'string', nullable: false, default: '', group: 'job fetching', doc: 'Comma list of job statuses Harvester does not heartbeat to PanDA.' },
  // workers
  { name: 'mapType', kind: 'enum', nullable: false, default: 'OneToOne', values: MAP_TYPES, group: 'workers', doc: 'Jobs per worker: NoJob (pull), OneToOne, ManyToOne (several jobs in one worker), OneToMany (one job over several workers).' },
  { name: 'allowJobMixture', kind: 'boolean', nullable: false, default: false, group: 'workers', doc: 'ManyToOne: one worker may mix jobs of different tasks.' },
  { name: 'runMode', kind: 'enum', nullable: false, default: 'self', values: ['self', 'slave'], group: 'workers', doc: 'self: Harvester decides how many workers; slave: PanDA sets nNewWorkers (pilot streaming, UPS).' },
  int('maxWorkers', 0, 'workers', 'Cap on queued + ready + running workers (0 = no cap).'),
  int('maxNewWorkersPerCycle', 0, 'workers', 'Cap on workers submitted per submitter cycle (0 = no cap).'),
  int('nNewWorkers', 0, 'workers', 'Workers to submit next; set by PanDA in pq_table for runMode slave.'),
  int('maxSubmissionAttempts', 3, 'workers', 'Retries of temporary submission failures per job.'),
  int('zipPerMB', null, 'workers', 'Bundle outputs into zip files of this many MB (0 = one zip at the end); unset = no zipping.'),
  int('walltimeLimit', null, 'workers', 'Wall-time limit (s) read by some worker makers and submitters.'),
  { name: 'resource', kind: 'json', nullable: true, default: null, group: 'workers', doc: 'Resource description read by some worker makers and submitters (SAGA).' },
  // worker limits
  limit('nQueueLimitWorker', 'Queued workers allowed (default in the adjuster: maxWorkers).'),
  limit('nQueueLimitWorkerMax', 'Upper bound of the queued-worker limit computed from nQueueLimitWorkerRatio.'),
  limit('nQueueLimitWorkerMin', 'Lower bound of the queued-worker limit computed from nQueueLimitWorkerRatio.'),
  limit('nQueueLimitWorkerRatio', 'Queued-worker limit as a percentage of running workers.'),
  limit('nQueueLimitWorkerCores', 'Queued cores allowed.'),
  limit('nQueueLimitWorkerCoresRatio', 'Queued-core limit as a percentage of running cores.'),
  limit('nQueueLimitWorkerCoresMin', 'Lower bound of the ratio-based queued-core limit.'),
  limit('nQueueLimitWorkerMemory', 'Queued memory (MB) allowed.'),
  limit('nQueueLimitWorkerMemoryRatio', 'Queued-memory limit as a percentage of running memory.'),
  limit('nQueueLimitWorkerMemoryMin', 'Lower bound of the ratio-based queued-memory limit.'),
  // job limits
  limit('nQueueLimitJob', 'Queued jobs allowed (push queues); its presence makes the job fetcher serve the queue. Nulled for NoJob.'),
  limit('nQueueLimitJobMax', 'Upper bound of the queued-job limit computed from nQueueLimitJobRatio. Nulled for NoJob.'),
  limit('nQueueLimitJobMin', 'Lower bound of the queued-job limit computed from nQueueLimitJobRatio. Nulled for NoJob.'),
  limit('nQueueLimitJobRatio', 'Queued-job limit as a percentage of running jobs. Nulled for NoJob.'),
  limit('nQueueLimitJobCores', 'Queued cores of jobs allowed.'),
  limit('nQueueLimitJobCoresRatio', 'Queued-job-core limit as a percentage of running cores.'),
  limit('nQueueLimitJobCoresMin', 'Lower bound of the ratio-based queued-job-core limit.'),
  // events
  { name: 'prefetchEvents', kind: 'boolean', nullable: false, default: true, group: 'events', doc: 'Request event ranges at submission for event-service jobs.' },
  { name: 'initEventsMultipler', kind: 'number', nullable: false, default: 2, group: 'events', doc: 'Multiplier of the first event-range request (spelling as in the original).' },
  { name: 'scatteredEvents', kind: 'boolean', nullable: true, default: null, group: 'events', doc: 'getEventRanges "scattered" flag.' },
  // templating (common)
  { name: 'common', kind: 'object', nullable: false, default: {}, group: 'templating', doc: 'Attributes applied to every plugin section that does not set them, for the attributes the plugin declares.' },
];

/** Plugin sections: `{module, name, ...attrs}` each (lists for credmanagers and file_syncer). */
export interface PluginSectionSpec {
  readonly name: string;
  /** Plugin category handed to the plugin factory (folder under plugins/). */
  readonly category: string;
  readonly mandatory: boolean;
  /** A JSON array of plugin configs rather than one. */
  readonly list: boolean;
  readonly doc: string;
}

export const PLUGIN_SECTIONS: readonly PluginSectionSpec[] = [
  { name: 'preparator', category: 'preparator', mandatory: true, list: false, doc: 'Stage-in of job input files.' },
  { name: 'submitter', category: 'submitter', mandatory: true, list: false, doc: 'Submits workers to the resource.' },
  { name: 'workerMaker', category: 'workerMaker', mandatory: true, list: false, doc: 'Turns jobs into worker specs (cores, memory, walltime).' },
  { name: 'messenger', category: 'messenger', mandatory: true, list: false, doc: 'Exchanges jobs, events and reports with running workers (accessPoint template lives here).' },
  { name: 'stager', category: 'stager', mandatory: true, list: false, doc: 'Stage-out of job output files.' },
  { name: 'monitor', category: 'monitor', mandatory: true, list: false, doc: 'Checks worker status on the resource.' },
  { name: 'sweeper', category: 'sweeper', mandatory: true, list: false, doc: 'Kills and cleans up workers.' },
  { name: 'throttler', category: 'throttler', mandatory: false, list: false, doc: 'Decides whether submission to the queue pauses.' },
  { name: 'zipper', category: 'zipper', mandatory: false, list: false, doc: 'Zips outputs (zipPerMB).' },
  { name: 'aux_preparator', category: 'preparator', mandatory: false, list: false, doc: 'Second preparator for auxiliary inputs (container images, ...).' },
  { name: 'extractor', category: 'extractor', mandatory: false, list: false, doc: 'Finds auxiliary inputs of a job.' },
  { name: 'credmanagers', category: 'credManager', mandatory: false, list: true, doc: 'Per-queue credential managers (list). Local-only: a remote config cannot set it.' },
  { name: 'file_syncer', category: 'fileSyncer', mandatory: false, list: true, doc: 'Per-queue file syncers (list).' },
];

/**
 * Sections merged key by key (queue over template, remote over file) rather
 * than replaced as a whole — the original's `updatable_plugin_attrs`.
 */
export const MERGED_SECTIONS: ReadonlySet<string> = new Set([
  'common', 'messenger', 'monitor', 'preparator', 'stager', 'submitter', 'sweeper', 'workerMaker',
  'throttler', 'zipper', 'aux_preparator', 'extractor',
]);

/**
 * Attributes a remote source may not set; the local file's value (or the
 * default) always stands. The original has no such per-attribute list — its
 * local file simply overrides the remote one everywhere, and a local template
 * replaces a remote template of the same name (we keep that rule). Here remote
 * wins by default, so credentials are fenced off explicitly: which proxies and
 * tokens this host renews, and the commands that renew them, are decided on the
 * host (DESIGN: secrets only from local files or the environment).
 */
export const LOCAL_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set(['credmanagers']);

/** Set by the mapper; a file that sets them is rejected. */
export const DERIVED_ATTRIBUTES: readonly { name: string; doc: string }[] = [
  { name: 'queueName', doc: 'The JSON key: `site` or `site/resourceType`. Injected into every plugin section that lacks it.' },
  { name: 'uniqueName', doc: '`<queueName>:<resourceType>:<prodSourceLabel>`, the pq_table key.' },
  { name: 'configID', doc: 'Id of the qcdump_table row holding this exact resolved config (md5 of it without queueStatus).' },
];

/** A plugin attribute that points at a top-level middleware (herder) section. */
export const MIDDLEWARE_KEY = 'middleware';

/** Job limits the original nulls for mapType NoJob (pull queues fetch no jobs). */
export const JOB_LIMITS_NULLED_FOR_NOJOB: readonly string[] = ['nQueueLimitJob', 'nQueueLimitJobRatio', 'nQueueLimitJobMax', 'nQueueLimitJobMin'];

/** pq_table limit columns copied from the queue config (the original's list). */
export const PQ_TABLE_LIMITS: readonly string[] = [
  'nQueueLimitJob', 'nQueueLimitWorker', 'maxWorkers', 'nQueueLimitJobRatio', 'nQueueLimitJobMax', 'nQueueLimitJobMin',
  'nQueueLimitWorkerRatio', 'nQueueLimitWorkerMax', 'nQueueLimitWorkerMin',
];

export const DEFAULT_NO_HEARTBEAT_FOR_TRUE_PILOT = 'running,transferring,finished,failed';

const byName = new Map(QUEUE_ATTRIBUTES.map((a) => [a.name, a]));
const sectionByName = new Map(PLUGIN_SECTIONS.map((s) => [s.name, s]));

export function attributeSpec(name: string): AttributeSpec | undefined {
  return byName.get(name);
}

export function pluginSectionSpec(name: string): PluginSectionSpec | undefined {
  return sectionByName.get(name);
}
