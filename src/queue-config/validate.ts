/**
 * Validation of the merged config as a whole, before any of it is served:
 * schema checks per queue (check-entry.ts), resolution (resolve.ts), then each
 * plugin section through the plugin factory (module resolves, constructor
 * accepts the attributes). Result: per queue either a typed `QueueConfig` or
 * `{broken: reason}` with every problem found.
 */
import { PLUGIN_SECTIONS } from './attributes';
import { queueConfigChecksum } from './checksum';
import { checkMergedQueue } from './check-entry';
import { formatProblem } from './errors';
import type { MergedQueue, MergeResult } from './merge';
import { resolveQueue } from './resolve';
import type { JsonObject, Origin, PluginConfig, Problem, QueueConfig } from './types';

/** What a plugin check needs beyond the entry itself. */
export interface PluginCheckContext {
  /** Queue-config section: `submitter`, `aux_preparator`, `credmanagers[1]`. */
  readonly section: string;
  readonly siteName: string;
  /** The queue's `common` block (the factory applies it to declared attributes). */
  readonly common: Readonly<JsonObject>;
  /** Local file the entry's `module` came from (relative path modules resolve against it). */
  readonly configFile?: string;
  /** True only when `module` came from the local file: a remote config may not name file paths. */
  readonly trustedPaths: boolean;
}

/**
 * Checks one plugin section the way an agent will use it; throws with the
 * reason when the module does not resolve or the constructor rejects the
 * attributes. `category` is the plugin category (submitter, credManager, ...).
 */
export type PluginChecker = (queue: string, category: string, pluginConfig: PluginConfig, context: PluginCheckContext) => Promise<void>;

export interface GoodQueue {
  readonly queueName: string;
  readonly ok: true;
  readonly config: QueueConfig;
  readonly origins: ReadonlyMap<string, Origin>;
  readonly checksum: string;
  /** Warnings only. */
  readonly problems: readonly Problem[];
}

export interface BrokenQueue {
  readonly queueName: string;
  readonly ok: false;
  /** One-line summary of the errors. */
  readonly broken: string;
  readonly problems: readonly Problem[];
}

export type QueueResult = GoodQueue | BrokenQueue;

export interface ValidateOptions {
  /** Plugin factory check; without it plugin sections are checked for shape only. */
  readonly checkPlugin?: PluginChecker;
  /**
   * True when this exact config (queue + checksum) already passed the plugin
   * checks — lets a reload skip re-instantiating plugins of unchanged queues.
   */
  readonly alreadyChecked?: (queueName: string, checksum: string) => boolean;
}

export interface ValidationResult {
  readonly queues: readonly QueueResult[];
  /** Problems outside served queues (unused templates, template-level warnings). */
  readonly problems: readonly Problem[];
}

export function brokenSummary(problems: readonly Problem[]): string {
  return problems
    .filter((p) => p.severity === 'error')
    .map((p) => `${p.attribute ? `${p.attribute}: ` : ''}${p.reason}`)
    .join('; ');
}

function pluginTargets(config: QueueConfig): { attribute: string; category: string; plugin: PluginConfig }[] {
  const out: { attribute: string; category: string; plugin: PluginConfig }[] = [];
  for (const spec of PLUGIN_SECTIONS) {
    const v = config[spec.name as keyof QueueConfig] as PluginConfig | readonly PluginConfig[] | null;
    if (v === null) continue;
    if (spec.list) (v as readonly PluginConfig[]).forEach((plugin, i) => out.push({ attribute: `${spec.name}[${i}]`, category: spec.category, plugin }));
    else out.push({ attribute: spec.name, category: spec.category, plugin: v as PluginConfig });
  }
  return out;
}

/** The factory's PluginError already names queue/agent/module in its message; its `reason` alone avoids saying it twice. */
function pluginErrorReason(err: unknown): string {
  const reason = (err as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string') return reason;
  return err instanceof Error ? err.message : String(err);
}

async function checkPlugins(
  q: MergedQueue, config: QueueConfig, origins: ReadonlyMap<string, Origin>, check: PluginChecker, skip: (section: string) => boolean,
): Promise<Problem[]> {
  const targets = pluginTargets(config).filter((t) => !skip(t.attribute.replace(/\[\d+\]$/, '')) && !skip(t.attribute));
  const results = await Promise.all(targets.map(async ({ attribute, category, plugin }) => {
    const section = attribute.replace(/\[\d+\]$/, '');
    const origin = origins.get(`${section}.module`) ?? origins.get(section);
    const fromFile = origin?.kind === 'file' || (origin?.kind === 'template' && q.templateSourceKind === 'file');
    try {
      await check(q.name, category, plugin, {
        section: attribute, siteName: config.siteName, common: config.common,
        configFile: fromFile ? origin?.source : undefined, trustedPaths: fromFile,
      });
      return undefined;
    } catch (err) {
      const last = q.sources[q.sources.length - 1];
      const problem: Problem = {
        severity: 'error',
        source: origin?.source ?? last?.label ?? '',
        sourceKind: origin?.kind === 'remote' || origin?.kind === 'file' || origin?.kind === 'dynamic' ? origin.kind : last?.kind,
        queue: q.name,
        attribute,
        reason: `${category} plugin module "${plugin.module}" name "${plugin.name}": ${pluginErrorReason(err)}`,
      };
      return problem;
    }
  }));
  return results.filter((p): p is Problem => p !== undefined);
}

export async function validateQueue(q: MergedQueue, opts: ValidateOptions = {}): Promise<QueueResult> {
  const problems: Problem[] = [...q.problems, ...checkMergedQueue(q)];
  const broken = (): BrokenQueue => ({ queueName: q.name, ok: false, broken: brokenSummary(problems), problems });
  // Without its template a queue is mostly missing; checking its plugins would only add noise.
  if (q.problems.some((p) => p.severity === 'error' && p.attribute === 'templateQueueName')) return broken();
  // Resolution tolerates ill-typed values, so the plugin checks still run and every problem is listed at once.
  const { config, origins, warnings } = resolveQueue(q);
  problems.push(...warnings);
  const checksum = queueConfigChecksum(config);
  if (opts.checkPlugin && !opts.alreadyChecked?.(q.name, checksum)) {
    const shapeBroken = (section: string): boolean =>
      problems.some((p) => p.severity === 'error' && p.attribute !== undefined && (p.attribute === section || p.attribute.startsWith(`${section}[`)));
    problems.push(...(await checkPlugins(q, config, origins, opts.checkPlugin, shapeBroken)));
  }
  if (problems.some((p) => p.severity === 'error')) return broken();
  return { queueName: q.name, ok: true, config, origins, checksum, problems };
}

/** Schema problems of templates no queue uses (a used template's problems surface through its queues). */
function unusedTemplateProblems(merge: MergeResult): Problem[] {
  const used = new Set(merge.queues.map((q) => q.templateQueueName));
  const problems: Problem[] = [];
  for (const t of merge.templates.values()) {
    if (used.has(t.name)) continue;
    const origin: Origin = { kind: t.source.kind, source: t.source.label };
    const origins = new Map<string, Origin>(Object.keys(t.entry).map((k) => [k, origin]));
    const pseudo: MergedQueue = { name: t.name, raw: t.entry, origins, templateQueueName: null, templateSourceKind: null, sources: [{ label: t.source.label, kind: t.source.kind }], problems: [] };
    problems.push(...checkMergedQueue(pseudo).filter((p) => !p.reason.startsWith('mandatory plugin section missing') && p.attribute !== 'templateQueueName'));
  }
  return problems;
}

export async function validateMerged(merge: MergeResult, opts: ValidateOptions = {}): Promise<ValidationResult> {
  const queues = await Promise.all(merge.queues.map((q) => validateQueue(q, opts)));
  return { queues, problems: [...merge.problems, ...unusedTemplateProblems(merge)] };
}

/** Every problem of a validation, queue problems first, one line each. */
export function formatValidation(result: ValidationResult): string[] {
  return [...result.queues.flatMap((q) => q.problems), ...result.problems].map(formatProblem);
}
