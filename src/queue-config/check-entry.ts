/**
 * Structural checks of one merged queue entry against the schema: unknown
 * attributes (an error — a typo must not silently become a default), value
 * types, mapType, plugin section shape, mandatory sections. Each problem names
 * the source the offending value came from.
 */
import {
  DERIVED_ATTRIBUTES, MIDDLEWARE_KEY, PLUGIN_SECTIONS, QUEUE_ATTRIBUTES, attributeSpec, pluginSectionSpec,
  type AttributeSpec,
} from './attributes';
import type { MergedQueue } from './merge';
import { isJsonObject, type JsonObject, type JsonValue, type Problem } from './types';

const KNOWN_NAMES = [...QUEUE_ATTRIBUTES.map((a) => a.name), ...PLUGIN_SECTIONS.map((s) => s.name)];
const DERIVED = new Set(DERIVED_ATTRIBUTES.map((d) => d.name));

export function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** Reason a value does not fit `spec`, or undefined when it does. */
export function typeProblem(spec: AttributeSpec, v: JsonValue): string | undefined {
  if (v === null) return spec.nullable ? undefined : `expected ${expected(spec)}, got null`;
  const bad = (): string => `expected ${expected(spec)}${spec.nullable ? ' or null' : ''}, got ${describeJson(v)}`;
  switch (spec.kind) {
    case 'string':
      return typeof v === 'string' ? undefined : bad();
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? undefined : bad();
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : bad();
    case 'boolean':
      return typeof v === 'boolean' ? undefined : bad();
    case 'enum':
      if (typeof v !== 'string') return bad();
      return spec.values?.includes(v) ? undefined : `unknown value ${JSON.stringify(v)}; expected one of ${spec.values?.join(', ')}`;
    case 'stringList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : bad();
    case 'numberMap':
      if (!isJsonObject(v)) return bad();
      for (const [k, x] of Object.entries(v)) if (typeof x !== 'number') return `value of "${k}": expected a number, got ${describeJson(x)}`;
      return undefined;
    case 'object':
      return isJsonObject(v) ? undefined : bad();
    case 'json':
      return undefined;
    case 'criteria': {
      if (typeof v !== 'string') return bad();
      const badItem = v.split(',').filter((s) => s.trim() !== '').find((item) => item.split('=').length !== 2);
      return badItem === undefined ? undefined : `expected "key=value,key2=value2", item ${JSON.stringify(badItem)} is not key=value`;
    }
  }
}

function expected(spec: AttributeSpec): string {
  switch (spec.kind) {
    case 'integer': return 'an integer';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'string': return 'a string';
    case 'enum': return `one of ${spec.values?.join(', ')}`;
    case 'stringList': return 'an array of strings';
    case 'numberMap': return 'an object of numbers';
    case 'object': return 'an object';
    case 'json': return 'any JSON value';
    case 'criteria': return 'a "key=value,..." string';
  }
}

/** Levenshtein distance, for "did you mean" on unknown attributes. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length] as number;
}

export function suggestAttribute(name: string): string | undefined {
  let best: { n: string; d: number } | undefined;
  for (const n of KNOWN_NAMES) {
    const d = distance(name, n);
    if (!best || d < best.d) best = { n, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.n : undefined;
}

/** Names of top-level sections that some plugin section points at with `"middleware": "<name>"`. */
export function referencedMiddleware(raw: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const spec of PLUGIN_SECTIONS) {
    const v = raw[spec.name];
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (isJsonObject(item) && typeof item[MIDDLEWARE_KEY] === 'string') names.add(item[MIDDLEWARE_KEY]);
    }
  }
  return names;
}

function pluginShapeProblem(v: JsonValue): string | undefined {
  if (!isJsonObject(v)) return `expected a plugin section {"module": ..., "name": ..., ...}, got ${describeJson(v)}`;
  const missing = ['module', 'name'].filter((k) => typeof v[k] !== 'string' || v[k] === '');
  if (missing.length) return `plugin section needs a non-empty string ${missing.join(' and ')} (after merging with the template)`;
  return undefined;
}

export function checkMergedQueue(q: MergedQueue): Problem[] {
  const problems: Problem[] = [];
  const lastSource = q.sources[q.sources.length - 1];
  const at = (attribute: string, reason: string, severity: Problem['severity'] = 'error'): void => {
    const origin = q.origins.get(attribute) ?? q.origins.get(attribute.split(/[.[]/)[0] as string);
    const source = origin?.source ?? lastSource?.label ?? '';
    const via = origin?.kind === 'template' ? ` (from template "${origin.template}")` : '';
    problems.push({
      severity, source, sourceKind: origin?.kind === 'remote' || origin?.kind === 'file' || origin?.kind === 'dynamic' ? origin.kind : lastSource?.kind,
      queue: q.name, attribute, reason: reason + via,
    });
  };

  if (q.name.trim() === '' || q.name.startsWith('/') || q.name.endsWith('/')) {
    problems.push({ severity: 'error', source: lastSource?.label ?? '', sourceKind: lastSource?.kind, queue: q.name, reason: 'queue name must be "site" or "site/resourceType"' });
  }

  const middleware = referencedMiddleware(q.raw);
  for (const [key, value] of Object.entries(q.raw)) {
    const spec = attributeSpec(key);
    if (spec) {
      const reason = typeProblem(spec, value);
      if (reason) at(key, reason);
      continue;
    }
    const section = pluginSectionSpec(key);
    if (section) {
      if (section.list) {
        if (!Array.isArray(value)) at(key, `expected a list of plugin sections, got ${describeJson(value)}`);
        else value.forEach((item, i) => {
          const reason = pluginShapeProblem(item);
          if (reason) at(`${key}[${i}]`, reason);
        });
      } else {
        const reason = pluginShapeProblem(value);
        if (reason) at(key, reason);
      }
      continue;
    }
    if (DERIVED.has(key)) {
      at(key, 'is set by the mapper and cannot be configured; remove it');
      continue;
    }
    if (middleware.has(key)) {
      const reason = pluginShapeProblem(value);
      if (reason) at(key, `middleware section: ${reason}`);
      continue;
    }
    const hint = suggestAttribute(key);
    at(key, `unknown attribute${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }

  // A queue whose template is missing lacks its sections because of that one error; do not list each.
  const templateMissing = q.problems.some((p) => p.severity === 'error' && p.attribute === 'templateQueueName');
  for (const spec of PLUGIN_SECTIONS) {
    if (spec.mandatory && !templateMissing && !(spec.name in q.raw)) {
      problems.push({
        severity: 'error', source: lastSource?.label ?? '', sourceKind: lastSource?.kind, queue: q.name, attribute: spec.name,
        reason: `mandatory plugin section missing (needed: ${PLUGIN_SECTIONS.filter((s) => s.mandatory).map((s) => s.name).join(', ')})`,
      });
    }
  }
  for (const spec of PLUGIN_SECTIONS) {
    const v = q.raw[spec.name];
    const items = Array.isArray(v) ? v : [v];
    items.forEach((item, i) => {
      if (isJsonObject(item) && typeof item[MIDDLEWARE_KEY] === 'string' && !isJsonObject(q.raw[item[MIDDLEWARE_KEY]])) {
        at(`${spec.name}${spec.list ? `[${i}]` : ''}.${MIDDLEWARE_KEY}`, `names middleware section "${item[MIDDLEWARE_KEY]}" which the queue does not define; ignored (as in the original)`, 'warning');
      }
    });
  }
  return problems;
}
