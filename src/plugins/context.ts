import type { Logger } from '../log';
import type { PluginCategory } from './categories';
import type { AttributeSchema } from './attributes';
import type { Json, WorkerStatus } from './types';

/** Which workers to count (throttlers, worker makers). */
export interface WorkerCountFilter {
  status?: WorkerStatus | readonly WorkerStatus[];
  computingSite?: string;
  siteName?: string;
  computingElement?: string;
  /** Only workers whose status changed at or after this time. */
  since?: Date;
}

/**
 * The limited harvester access plugins get (the original's injected
 * `dbInterface`). The agents supply the implementations; each is optional so
 * a test can give a plugin exactly what it uses.
 */
export interface PluginServices {
  /** A cacher entry (`panda_queues.json`, `resource_types.json`, ...), undefined if absent. */
  getCache?(mainKey: string, subKey?: string): Promise<Json | undefined>;
  /** Number of workers matching the filter. */
  countWorkers?(filter: WorkerCountFilter): Promise<number>;
  /** Leaves an operator-visible dialog message (shipped to PanDA by the propagator). */
  addDialogMessage?(message: { level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR'; text: string; identifier?: string }): Promise<void>;
}

/** Second constructor argument of every plugin: where it runs. */
export interface PluginContext {
  /** Harvester queue, or null for system-level plugins (communicator, fifo, `[credmanager]` plugins). */
  queueName: string | null;
  siteName: string | null;
  /** Queue config version the instance was made for (null when not cached by configID, e.g. a dry-run). */
  configID: number | null;
  category: PluginCategory;
  /** Queue-config section (`aux_preparator`, `credmanagers[0]`); equals the category by default. */
  section: string;
  harvesterID: string;
  /** Child logger bound to `{queue, plugin}`. */
  log: Logger;
  services: PluginServices;
}

/**
 * The factory puts these into every plugin's attributes, as the original's
 * queue config mapper did, unless the entry sets them (they are never
 * "unknown"). Absent for system-level plugins.
 */
export interface InjectedAttributes {
  queueName?: string;
  siteName?: string;
}

/** Attributes a constructor receives: its validated own ones plus the injected ones. */
export type PluginAttributes = Record<string, unknown> & InjectedAttributes;

/**
 * What the factory expects of an export. A class must declare how its
 * attributes are checked — `static attributes` (a schema), `static validate`
 * (custom check returning the attributes to use, throwing with a reason), or
 * both (schema first). A class declaring neither is not a plugin: this keeps a
 * config (possibly remote) from instantiating arbitrary classes of installed
 * packages.
 */
export interface PluginClass<T = unknown> {
  new (attributes: PluginAttributes, context: PluginContext): T;
  readonly name: string;
  readonly attributes?: AttributeSchema;
  validate?(attributes: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

/** Optional hook: called when a cached instance is evicted (old configID, factory cleared). */
export interface Closeable {
  close(): Promise<void> | void;
}
