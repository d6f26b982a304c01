import type { AttributeSchema } from './attributes';
import type { Communicator } from './communicator';
import type { CredManager } from './cred-manager';
import type { FifoBackend } from './fifo';
import type { Messenger } from './messenger';
import type { Monitor } from './monitor';
import type { Preparator } from './preparator';
import type { Stager } from './stager';
import type { Submitter } from './submitter';
import type { Sweeper } from './sweeper';
import type { Throttler } from './throttler';
import type { WorkerMaker } from './worker-maker';
import type { Zipper } from './zipper';

/** The interface each plugin category implements. */
export interface PluginTypes {
  submitter: Submitter;
  monitor: Monitor;
  sweeper: Sweeper;
  preparator: Preparator;
  stager: Stager;
  messenger: Messenger;
  workerMaker: WorkerMaker;
  credManager: CredManager;
  throttler: Throttler;
  zipper: Zipper;
  communicator: Communicator;
  fifo: FifoBackend;
}

/** A plugin category: the kind of interface, and the folder under `plugins/`. */
export type PluginCategory = keyof PluginTypes;

export const PLUGIN_CATEGORIES: readonly PluginCategory[] = [
  'submitter', 'monitor', 'sweeper', 'preparator', 'stager', 'messenger', 'workerMaker',
  'credManager', 'throttler', 'zipper', 'communicator', 'fifo',
];

/** Folder of each category under `plugins/` (kebab-case like every file name in the repo). */
export const CATEGORY_DIRS: Readonly<Record<PluginCategory, string>> = {
  submitter: 'submitter', monitor: 'monitor', sweeper: 'sweeper', preparator: 'preparator',
  stager: 'stager', messenger: 'messenger', workerMaker: 'worker-maker', credManager: 'cred-manager',
  throttler: 'throttler', zipper: 'zipper', communicator: 'communicator', fifo: 'fifo',
};

/**
 * Suffixes of the original's module names per category, stripped to find our
 * file: `slurm_submitter` → `plugins/submitter/slurm`, `no_voms_cred_manager` →
 * `plugins/cred-manager/no-voms`.
 */
export const ORIGINAL_SUFFIXES: Readonly<Record<PluginCategory, readonly string[]>> = {
  submitter: ['_submitter'], monitor: ['_monitor'], sweeper: ['_sweeper'], preparator: ['_preparator'],
  stager: ['_stager'], messenger: ['_messenger'], workerMaker: ['_worker_maker', '_maker'],
  credManager: ['_cred_manager', '_credmanager'], throttler: ['_throttler'], zipper: ['_zipper'],
  communicator: ['_communicator'], fifo: ['_fifo'],
};

/**
 * Queue-config sections (and system-config plugin lists) → category. Several
 * sections share a category (`aux_preparator` is a preparator).
 */
export const SECTION_CATEGORIES: Readonly<Record<string, PluginCategory>> = {
  submitter: 'submitter', monitor: 'monitor', sweeper: 'sweeper', preparator: 'preparator',
  aux_preparator: 'preparator', stager: 'stager', messenger: 'messenger', workerMaker: 'workerMaker',
  credmanagers: 'credManager', credmanager: 'credManager', throttler: 'throttler', zipper: 'zipper',
  communicator: 'communicator', fifo: 'fifo',
};

/**
 * Methods a class must have to count as an implementation of its category,
 * checked at resolution so a wrong `name` fails when the config loads, not
 * in the middle of an agent cycle.
 */
export const REQUIRED_METHODS: { readonly [C in PluginCategory]: readonly (keyof PluginTypes[C] & string)[] } = {
  submitter: ['submitWorkers'],
  monitor: ['checkWorkers'],
  sweeper: ['killWorkers', 'sweepWorkers'],
  preparator: ['triggerPreparation', 'checkStageInStatus', 'resolveInputPaths'],
  stager: ['triggerStageOut', 'checkStageOutStatus'],
  messenger: [
    'setupAccessPoints', 'feedJobs', 'jobRequested', 'getWorkAttributes', 'getFilesToStageOut',
    'eventsRequested', 'feedEvents', 'eventsToUpdate', 'acknowledgeEventsFiles', 'postProcessing',
    'getPandaIDs', 'killRequested', 'isAlive', 'cleanUp',
  ],
  workerMaker: [
    'makeWorker', 'getNumJobsPerWorker', 'getNumWorkersPerJob', 'numReadyResources',
    'getMaxWorkersPerJobInTotal', 'getMaxWorkersPerJobPerCycle',
  ],
  credManager: ['checkCredential', 'renewCredential'],
  throttler: ['toBeThrottled'],
  zipper: ['zipOutput'],
  communicator: [
    'checkPanda', 'heartbeat', 'getJobs', 'updateJobs', 'checkJobs', 'updateWorkers', 'updateWorkerStats',
    'getCommands', 'ackCommands', 'getEventRanges', 'updateEventRanges', 'checkEventAvailability',
    'sendDialogs', 'updateServiceMetrics', 'uploadFile', 'getResourceTypes', 'getJobStats',
    'getWorkerStats', 'getMaxWorkerID',
  ],
  fifo: [
    'put', 'putById', 'get', 'getLast', 'getMany', 'peek', 'peekLast', 'peekById', 'size', 'delete',
    'restore', 'update', 'clear',
  ],
};

export function isPluginCategory(value: string): value is PluginCategory {
  return (PLUGIN_CATEGORIES as readonly string[]).includes(value);
}

/**
 * Attributes the agents read from a plugin entry themselves (facts §2, §7.1),
 * accepted for every plugin of the category on top of its own schema (the
 * plugin's declaration wins). Without them, strict validation would reject
 * e.g. `messenger.accessPoint` for a messenger that never reads it.
 */
export const CATEGORY_ATTRIBUTES: { readonly [C in PluginCategory]: AttributeSchema } = {
  submitter: {
    nCoreFactor: { type: 'json', doc: 'worker adjuster: scale activated-job counts by 1/nCoreFactor (number, or {jobType: {resourceType: n}})' },
  },
  monitor: {
    checkTimeout: { type: 'number', min: 0, doc: 'seconds without a successful check before the monitor kills a worker ([monitor] checkTimeout)' },
    fifoCheckInterval: { type: 'number', min: 0, doc: 'seconds between FIFO checks of a worker ([monitor] fifoCheckInterval)' },
  },
  sweeper: {},
  preparator: {},
  stager: {},
  messenger: {
    accessPoint: { type: 'string', doc: 'worker directory template (${workerID}, ${harvesterID}, ${_workerID_3.2}, ...); the submitter sets each worker\'s accessPoint from it' },
    worker_heartbeat: { type: 'number', min: 0, doc: 'minutes without a payload heartbeat before the monitor kills the worker (0/absent = no check)' },
  },
  workerMaker: {},
  credManager: {},
  throttler: {},
  zipper: {},
  communicator: {},
  fifo: {},
};
