import type { PluginCategory } from './categories';

/** Why a plugin could not be provided. */
export type PluginErrorCode =
  | 'INVALID_CONFIG'      // no module/name, or not strings
  | 'PATH_NOT_ALLOWED'    // a path module from an untrusted (remote) config
  | 'MODULE_NOT_FOUND'    // neither plugins/<category>/, an npm package nor a path
  | 'LOAD_FAILED'         // the module threw while loading
  | 'EXPORT_NOT_FOUND'    // module has no export `name`
  | 'NOT_A_PLUGIN'        // export is not a class declaring attributes/validate, or lacks the category's methods
  | 'INVALID_ATTRIBUTES'  // unknown, ill-typed or missing attributes
  | 'CONSTRUCTOR_FAILED'; // the constructor (or static validate) threw

export interface PluginErrorDetails {
  code: PluginErrorCode;
  /** Harvester queue, or null for system-level plugins (communicator, fifo). */
  queueName: string | null;
  /** The agent-facing category (the "agent" in messages). */
  category: PluginCategory;
  /** Queue-config section when it differs from the category (`aux_preparator`, `credmanagers[1]`). */
  section?: string;
  module: string;
  name: string;
  reason: string;
  /** Attributes at fault, for INVALID_ATTRIBUTES / CONSTRUCTOR_FAILED when known. */
  attributes?: string[];
  cause?: unknown;
}

/**
 * A plugin that cannot be resolved or constructed. The message names queue,
 * agent (category), module and class so an operator can find the config entry:
 * `queue "Q1" agent "submitter": module "dummy" name "Nope": no export "Nope" ...`.
 */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  readonly queueName: string | null;
  readonly category: PluginCategory;
  readonly section?: string;
  readonly module: string;
  readonly pluginName: string;
  readonly reason: string;
  readonly attributes: string[];

  constructor(d: PluginErrorDetails) {
    const where = d.queueName === null ? 'system' : `queue "${d.queueName}"`;
    const agent = d.section && d.section !== d.category ? `${d.category}" (section "${d.section}")` : `${d.category}"`;
    super(`${where} agent "${agent}: module "${d.module}" name "${d.name}": ${d.reason}`, { cause: d.cause });
    this.name = 'PluginError';
    this.code = d.code;
    this.queueName = d.queueName;
    this.category = d.category;
    this.section = d.section;
    this.module = d.module;
    this.pluginName = d.name;
    this.reason = d.reason;
    this.attributes = d.attributes ?? [];
  }
}
