import * as path from 'node:path';
import pino from 'pino';
import type { Logger } from '../log';
import { formatProblems, validateAttributes } from './attributes';
import { CATEGORY_ATTRIBUTES, REQUIRED_METHODS, type PluginCategory, type PluginTypes } from './categories';
import type { Closeable, PluginAttributes, PluginClass, PluginContext, PluginServices } from './context';
import { PluginError, type PluginErrorCode } from './errors';
import {
  DEFAULT_PACKAGE_PATHS, DEFAULT_PLUGIN_ROOT, LocateError, locateModule, type ModuleSource,
} from './locate';

/** A plugin entry of a queue config: `{"module": "...", "name": "...", ...attributes}`. */
export interface PluginConfig {
  module: string;
  name: string;
  [attribute: string]: unknown;
}

/** Everything the factory needs to provide one plugin. */
export interface PluginRequest<C extends PluginCategory = PluginCategory> {
  category: C;
  config: Readonly<PluginConfig>;
  /** Harvester queue; null for system-level plugins (communicator, fifo, `[credmanager]` list). */
  queueName: string | null;
  /** Defaults to the part of `queueName` before `/` (facts §7.1). */
  siteName?: string;
  /** Queue config version (qcdump configID); part of the cache key. Null = not cacheable by version. */
  configID?: number | null;
  /** Queue-config section, when several sections share a category (`aux_preparator`, `credmanagers[2]`). Part of the cache key. */
  section?: string;
  /** The queue's `common` block: applied to attributes the plugin declares and the entry does not set. */
  common?: Readonly<Record<string, unknown>>;
  /** The queue config file the entry came from: relative path modules resolve against its directory first. */
  configFile?: string;
  /**
   * Whether `module` may be a file path. True only for entries from the
   * operator's local config file; an entry that came from a remote URL must
   * name a built-in plugin or an installed package. Default false.
   */
  trustedPaths?: boolean;
}

export interface PluginFactoryOptions {
  /** Where `plugins/<category>/` live. Default: `plugins/` beside `src/` (dist/plugins when compiled). */
  pluginRoot?: string;
  /** Directories whose node_modules are searched for plugin packages. Default: the harvester installation. */
  packagePaths?: readonly string[];
  /** Base for relative path modules after the config file's directory. Default: process.cwd(). */
  cwd?: string;
  harvesterID?: string;
  log?: Logger;
  services?: PluginServices;
}

/** Where a plugin came from, for `qconf show` and error messages. */
export interface ResolvedPlugin {
  source: ModuleSource;
  file: string;
  exportName: string;
  pluginClass: PluginClass;
}

/** Fields of a plugin entry that are not attributes. */
const ENTRY_KEYS = new Set(['module', 'name']);
/** Attributes the factory injects (like the original's mapper); allowed in any entry. */
const INJECTED_KEYS = new Set(['queueName', 'siteName']);

function isPluginClass(value: unknown): value is PluginClass {
  if (typeof value !== 'function' || !value.prototype) return false;
  const cls = value as Partial<PluginClass>;
  return (cls.attributes !== undefined && typeof cls.attributes === 'object') || typeof cls.validate === 'function';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns plugin config entries into plugin instances (see docs/plugins.md).
 *
 * `get` caches one instance per (queue, configID, section): every agent and
 * thread working on a queue version shares it, and a worker submitted under
 * an older configID keeps the plugins it was submitted with. `create` builds
 * an uncached instance (config validation, dry runs).
 */
export class PluginFactory {
  private readonly pluginRoot: string;
  private readonly packagePaths: readonly string[];
  private readonly cwd: string;
  private readonly harvesterID: string;
  private readonly log: Logger;
  private readonly services: PluginServices;
  private readonly instances = new Map<string, { queueName: string | null; configID: number | null; promise: Promise<unknown> }>();

  constructor(opts: PluginFactoryOptions = {}) {
    this.pluginRoot = opts.pluginRoot ?? DEFAULT_PLUGIN_ROOT;
    this.cwd = opts.cwd ?? process.cwd();
    this.packagePaths = opts.packagePaths ?? [...new Set([this.cwd, ...DEFAULT_PACKAGE_PATHS])];
    this.harvesterID = opts.harvesterID ?? '';
    this.log = opts.log ?? pino({ level: 'silent' });
    this.services = opts.services ?? {};
  }

  /**
   * The cached instance for (queue, configID, section), created on first use.
   * Concurrent callers share one construction. A failure is not cached, so a
   * fixed installation (package added) works on the next call.
   * @throws PluginError
   */
  async get<C extends PluginCategory>(req: PluginRequest<C>): Promise<PluginTypes[C]> {
    const configID = req.configID ?? null;
    if (configID === null) return this.create(req);
    const key = JSON.stringify([req.queueName, configID, req.section ?? req.category]);
    let entry = this.instances.get(key);
    if (!entry) {
      const promise = this.create(req);
      entry = { queueName: req.queueName, configID, promise };
      this.instances.set(key, entry);
      promise.catch(() => {
        if (this.instances.get(key)?.promise === promise) this.instances.delete(key);
      });
    }
    return entry.promise as Promise<PluginTypes[C]>;
  }

  /** A new, uncached instance. @throws PluginError */
  async create<C extends PluginCategory>(req: PluginRequest<C>): Promise<PluginTypes[C]> {
    const resolved = await this.resolve(req);
    const attributes = this.attributesFor(req, resolved.pluginClass);
    const context = this.contextFor(req, resolved);
    let instance: unknown;
    try {
      instance = new resolved.pluginClass(attributes, context);
    } catch (err) {
      throw this.error(req, 'CONSTRUCTOR_FAILED', `constructor rejected the attributes: ${errorText(err)}`, { cause: err });
    }
    const missing = REQUIRED_METHODS[req.category].filter(
      (m) => typeof (instance as Record<string, unknown>)[m] !== 'function',
    );
    if (missing.length) {
      throw this.error(req, 'NOT_A_PLUGIN', `class does not implement ${req.category}: missing ${missing.join(', ')}`);
    }
    return instance as PluginTypes[C];
  }

  /** Finds and loads the class without constructing it. @throws PluginError */
  async resolve(req: PluginRequest): Promise<ResolvedPlugin> {
    const { module, name } = req.config;
    if (typeof module !== 'string' || !module || typeof name !== 'string' || !name) {
      throw this.error(req, 'INVALID_CONFIG', 'plugin entry needs string "module" and "name"');
    }
    let located;
    try {
      located = locateModule({
        module,
        category: req.category,
        pluginRoot: this.pluginRoot,
        packagePaths: this.packagePaths,
        cwd: this.cwd,
        configDir: req.configFile ? path.dirname(path.resolve(this.cwd, req.configFile)) : undefined,
        trustedPaths: req.trustedPaths ?? false,
      });
    } catch (err) {
      if (err instanceof LocateError) throw this.error(req, err.code, err.message, { cause: err.cause });
      throw err;
    }
    let exports: Record<string, unknown>;
    try {
      exports = (await import(located.file)) as Record<string, unknown>;
    } catch (err) {
      throw this.error(req, 'LOAD_FAILED', `loading ${located.file} failed: ${errorText(err)}`, { cause: err });
    }
    const exported = this.findExport(exports, name);
    if (exported === undefined) {
      const names = Object.keys(exports).filter((k) => k !== 'default' && k !== '__esModule');
      throw this.error(req, 'EXPORT_NOT_FOUND', `no export "${name}" in ${located.file} (exports: ${names.join(', ') || 'none'})`);
    }
    if (!isPluginClass(exported)) {
      throw this.error(req, 'NOT_A_PLUGIN',
        `export "${name}" of ${located.file} is not a plugin class (a class with static "attributes" or static "validate")`);
    }
    return { source: located.source, file: located.file, exportName: name, pluginClass: exported };
  }

  /**
   * Drops cached instances of a queue (all, or all but `keepConfigIDs`) and
   * calls their `close()` if they have one. For the queue-config reload.
   */
  async evict(queueName: string | null, keepConfigIDs: readonly number[] = []): Promise<void> {
    const dropped: Promise<unknown>[] = [];
    for (const [key, entry] of this.instances) {
      if (entry.queueName !== queueName) continue;
      if (entry.configID !== null && keepConfigIDs.includes(entry.configID)) continue;
      this.instances.delete(key);
      dropped.push(entry.promise);
    }
    await this.closeAll(dropped);
  }

  /** Drops every cached instance (shutdown). */
  async clear(): Promise<void> {
    const dropped = [...this.instances.values()].map((e) => e.promise);
    this.instances.clear();
    await this.closeAll(dropped);
  }

  /** Number of cached instances (for diagnostics and tests). */
  get cacheSize(): number {
    return this.instances.size;
  }

  private async closeAll(promises: Promise<unknown>[]): Promise<void> {
    for (const p of promises) {
      try {
        const instance = await p;
        const close = (instance as Partial<Closeable> | null)?.close;
        if (typeof close === 'function') await close.call(instance);
      } catch (err) {
        // A failed construction has nothing to close; a failing close must not stop the others.
        this.log.warn({ err }, 'closing an evicted plugin failed');
      }
    }
  }

  private findExport(exports: Record<string, unknown>, name: string): unknown {
    if (Object.prototype.hasOwnProperty.call(exports, name)) return exports[name];
    // CommonJS interop: `import()` of a CJS module may nest its exports under
    // `default`, and a module may export the class itself as default.
    const def = exports.default;
    if (def && (typeof def === 'object' || typeof def === 'function')) {
      if (Object.prototype.hasOwnProperty.call(def, name)) return (def as Record<string, unknown>)[name];
      if (typeof def === 'function' && def.name === name) return def;
    }
    return undefined;
  }

  private attributesFor(req: PluginRequest, cls: PluginClass): PluginAttributes {
    const given: Record<string, unknown> = {};
    const injected: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(req.config)) {
      if (ENTRY_KEYS.has(key)) continue;
      if (INJECTED_KEYS.has(key)) injected[key] = value;
      else given[key] = value;
    }
    for (const key of INJECTED_KEYS) {
      if (injected[key] !== undefined && typeof injected[key] !== 'string') {
        throw this.error(req, 'INVALID_ATTRIBUTES', `attribute "${key}" must be a string`, { attributes: [key] });
      }
    }
    let values: Record<string, unknown> = given;
    if (cls.attributes) {
      const schema = { ...CATEGORY_ATTRIBUTES[req.category], ...cls.attributes };
      const { values: checked, problems } = validateAttributes(schema, given, req.common ?? {});
      if (problems.length) {
        throw this.error(req, 'INVALID_ATTRIBUTES', formatProblems(problems), { attributes: problems.map((p) => p.attribute) });
      }
      values = checked;
    }
    if (typeof cls.validate === 'function') {
      try {
        values = cls.validate(values);
      } catch (err) {
        throw this.error(req, 'CONSTRUCTOR_FAILED', `validate rejected the attributes: ${errorText(err)}`, { cause: err });
      }
    }
    const siteName = req.siteName ?? (req.queueName === null ? undefined : req.queueName.split('/')[0]);
    return {
      ...values,
      ...(req.queueName === null ? {} : { queueName: req.queueName }),
      ...(siteName === undefined ? {} : { siteName }),
      ...injected,
    };
  }

  private contextFor(req: PluginRequest, resolved: ResolvedPlugin): PluginContext {
    const section = req.section ?? req.category;
    const siteName = req.siteName ?? (req.queueName === null ? null : req.queueName.split('/')[0]);
    return {
      queueName: req.queueName,
      siteName,
      configID: req.configID ?? null,
      category: req.category,
      section,
      harvesterID: this.harvesterID,
      log: this.log.child({ queue: req.queueName ?? undefined, plugin: `${section}:${req.config.module}.${resolved.exportName}` }),
      services: this.services,
    };
  }

  private error(
    req: PluginRequest,
    code: PluginErrorCode,
    reason: string,
    extra: { cause?: unknown; attributes?: string[] } = {},
  ): PluginError {
    return new PluginError({
      code,
      queueName: req.queueName,
      category: req.category,
      section: req.section,
      module: String(req.config.module),
      name: String(req.config.name),
      reason,
      ...extra,
    });
  }
}
