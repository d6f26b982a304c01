/**
 * Merging the sources into one raw entry per queue, remembering where every
 * value came from. Rules (facts §7.2, with remote over local as the issue asks):
 *
 * - An entry is a template when `isTemplateQueue: true` or its name ends in
 *   `_TEMPLATE`. A local template replaces a remote one of the same name whole.
 * - A queue starts from its template (`templateQueueName`, the last source that
 *   names one wins; queues of a dynamic source fall back to
 *   `[qconf] defaultTemplateQueueName`), then the sources apply in the order
 *   dynamic → file → remote, later winning.
 * - Plugin sections and `common` merge key by key; everything else is replaced.
 * - Attributes in LOCAL_ONLY_ATTRIBUTES are never taken from a remote source.
 */
import { LOCAL_ONLY_ATTRIBUTES, MERGED_SECTIONS } from './attributes';
import { isJsonObject, type JsonObject, type JsonValue, type Origin, type Problem, type QueueConfigSource, type SourceKind } from './types';

export interface MergedQueue {
  readonly name: string;
  /** Template + source layers, before defaults. */
  readonly raw: JsonObject;
  /** Attribute path (`maxWorkers`, `submitter.nCore`) → where its value came from. */
  readonly origins: Map<string, Origin>;
  readonly templateQueueName: string | null;
  /** Kind of the source the template came from (null without a template). */
  readonly templateSourceKind: SourceKind | null;
  /** Sources defining this queue, in merge order. */
  readonly sources: readonly { label: string; kind: SourceKind }[];
  /** Merge-level problems (unknown template, ignored local-only values). */
  readonly problems: Problem[];
}

export interface TemplateEntry {
  readonly name: string;
  readonly entry: JsonObject;
  readonly source: QueueConfigSource;
}

export interface MergeResult {
  readonly queues: MergedQueue[];
  /** Final templates (local over remote), by name. */
  readonly templates: ReadonlyMap<string, TemplateEntry>;
  /** Problems not tied to a queue that will be served (e.g. inside templates). */
  readonly problems: Problem[];
}

export interface MergeOptions {
  /** `[qconf] defaultTemplateQueueName`: template for dynamic queues that name none. */
  readonly defaultTemplateQueueName?: string | null;
}

const KIND_RANK: Record<SourceKind, number> = { dynamic: 0, file: 1, remote: 2 };

export function isTemplateEntry(name: string, entry: JsonObject): boolean {
  return entry.isTemplateQueue === true || name.endsWith('_TEMPLATE');
}

function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

function applyLayer(raw: JsonObject, origins: Map<string, Origin>, layer: JsonObject, origin: Origin, skip: ReadonlySet<string>): void {
  for (const [key, val] of Object.entries(layer)) {
    if (skip.has(key)) continue;
    const current = raw[key];
    if (MERGED_SECTIONS.has(key) && isJsonObject(current) && isJsonObject(val)) {
      for (const [sub, subVal] of Object.entries(val)) {
        current[sub] = clone(subVal);
        origins.set(`${key}.${sub}`, origin);
      }
      continue;
    }
    raw[key] = clone(val);
    for (const p of [...origins.keys()]) if (p.startsWith(`${key}.`)) origins.delete(p);
    origins.set(key, origin);
    if (isJsonObject(val)) for (const sub of Object.keys(val)) origins.set(`${key}.${sub}`, origin);
  }
}

export function mergeSources(sources: readonly QueueConfigSource[], opts: MergeOptions = {}): MergeResult {
  // Stable sort: the kind decides precedence, the caller's order breaks ties.
  const ordered = [...sources].sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind]);
  const problems: Problem[] = [];

  const templates = new Map<string, TemplateEntry>();
  for (const kind of ['remote', 'file'] as const) {
    for (const source of ordered) {
      if (source.kind !== kind) continue;
      for (const [name, entry] of Object.entries(source.data)) {
        if (!isJsonObject(entry) || !isTemplateEntry(name, entry)) continue;
        if (typeof entry.templateQueueName === 'string') {
          problems.push({
            severity: 'warning', source: source.label, sourceKind: source.kind, queue: name, attribute: 'templateQueueName',
            reason: 'a template cannot itself use a template; ignored (as in the original)',
          });
        }
        templates.set(name, { name, entry, source });
      }
    }
  }

  const queueNames: string[] = [];
  const seen = new Set<string>();
  for (const source of ordered) {
    for (const [name, entry] of Object.entries(source.data)) {
      if (!isJsonObject(entry) || isTemplateEntry(name, entry) || seen.has(name)) continue;
      seen.add(name);
      queueNames.push(name);
    }
  }

  const queues = queueNames.map((name) => mergeQueue(name, ordered, templates, opts));
  return { queues, templates, problems };
}

function mergeQueue(name: string, ordered: readonly QueueConfigSource[], templates: ReadonlyMap<string, TemplateEntry>, opts: MergeOptions): MergedQueue {
  const layers = ordered.flatMap((source) => {
    const entry = source.data[name];
    return isJsonObject(entry) && !isTemplateEntry(name, entry) ? [{ source, entry }] : [];
  });
  const problems: Problem[] = [];

  let templateQueueName: string | null = null;
  let templateSourceKind: SourceKind | null = null;
  let templateSetBy: QueueConfigSource | undefined;
  for (const { source, entry } of layers) {
    if (typeof entry.templateQueueName === 'string') {
      templateQueueName = entry.templateQueueName;
      templateSetBy = source;
    }
  }
  if (templateQueueName === null && opts.defaultTemplateQueueName && layers.some((l) => l.source.kind === 'dynamic')) {
    templateQueueName = opts.defaultTemplateQueueName;
  }

  const raw: JsonObject = {};
  const origins = new Map<string, Origin>();
  const noSkip = new Set<string>();
  if (templateQueueName !== null) {
    const template = templates.get(templateQueueName);
    if (template) {
      templateSourceKind = template.source.kind;
      applyLayer(raw, origins, template.entry, { kind: 'template', source: template.source.label, template: template.name },
        new Set(['isTemplateQueue', 'templateQueueName']));
    } else {
      const known = [...templates.keys()];
      problems.push({
        severity: 'error', source: templateSetBy?.label ?? '', sourceKind: templateSetBy?.kind, queue: name, attribute: 'templateQueueName',
        reason: `template "${templateQueueName}" not found (templates are entries with "isTemplateQueue": true or a name ending in _TEMPLATE; known: ${known.length ? known.join(', ') : 'none'})`,
      });
    }
  }

  for (const { source, entry } of layers) {
    if (source.kind === 'remote') {
      for (const key of LOCAL_ONLY_ATTRIBUTES) {
        if (key in entry) {
          problems.push({
            severity: 'warning', source: source.label, sourceKind: source.kind, queue: name, attribute: key,
            reason: 'local-only attribute: the remote value is ignored, the local file decides',
          });
        }
      }
    }
    applyLayer(raw, origins, entry, { kind: source.kind, source: source.label }, source.kind === 'remote' ? LOCAL_ONLY_ATTRIBUTES : noSkip);
  }
  return { name, raw, origins, templateQueueName, templateSourceKind, sources: layers.map((l) => ({ label: l.source.label, kind: l.source.kind })), problems };
}
