import type { Json, JsonObject } from './types';

/** Types an attribute can declare. Values come from JSON, so no coercion: "60" is not a number. */
export type AttributeType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'number[]' | 'object' | 'array' | 'json';

/** One attribute a plugin accepts from its queue-config entry. */
export interface AttributeSpec {
  type: AttributeType;
  /** What it does, for `docs/plugins.md`-style listings and error messages. */
  doc: string;
  /** Used when the config omits the attribute. */
  default?: Json;
  /** The config must set it (a default makes this moot). */
  required?: boolean;
  /** Inclusive bounds for number/integer. */
  min?: number;
  max?: number;
  /** Allowed values for string. */
  enum?: readonly string[];
}

/** A plugin class's `static attributes`: attribute name → spec. */
export type AttributeSchema = Readonly<Record<string, AttributeSpec>>;

/** The TypeScript type of a validated attribute value. */
export type AttributeValue<T extends AttributeType> =
  T extends 'string' ? string
    : T extends 'number' | 'integer' ? number
      : T extends 'boolean' ? boolean
        : T extends 'string[]' ? string[]
          : T extends 'number[]' ? number[]
            : T extends 'object' ? JsonObject
              : T extends 'array' ? Json[]
                : Json;

/**
 * Validated attributes of a schema, for typing a constructor:
 * `constructor(attrs: AttributesOf<typeof MyPlugin.attributes>, ctx)` with the
 * schema declared `as const satisfies AttributeSchema`. Attributes with a
 * default or `required` are always present.
 */
export type AttributesOf<S extends AttributeSchema> = {
  -readonly [K in keyof S]: S[K] extends { default: Json } | { required: true }
    ? AttributeValue<S[K]['type']>
    : AttributeValue<S[K]['type']> | undefined;
};

/** One thing wrong with an attribute. */
export interface AttributeProblem {
  attribute: string;
  problem: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Checks one value against its spec; returns the problem or null. */
export function checkAttribute(spec: AttributeSpec, value: unknown): string | null {
  const got = `${describe(value)} ${JSON.stringify(value)}`;
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${got}`;
      if (spec.enum && !spec.enum.includes(value)) return `must be one of ${spec.enum.join(', ')}, got "${value}"`;
      return null;
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be ${spec.type === 'integer' ? 'an integer' : 'a number'}, got ${got}`;
      if (spec.type === 'integer' && !Number.isInteger(value)) return `must be an integer, got ${value}`;
      if (spec.min !== undefined && value < spec.min) return `must be >= ${spec.min}, got ${value}`;
      if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}, got ${value}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `must be true or false, got ${got}`;
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : `must be a list of strings, got ${got}`;
    case 'number[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))
        ? null : `must be a list of numbers, got ${got}`;
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? null : `must be an object, got ${got}`;
    case 'array':
      return Array.isArray(value) ? null : `must be a list, got ${got}`;
    case 'json':
      return value === undefined ? 'must be set' : null;
  }
}

/**
 * Validates `given` against `schema`: unknown attributes, wrong types and
 * missing required ones are problems (all reported, not just the first);
 * defaults fill the rest. `fallback` values (the queue's `common` block) are
 * taken only for attributes the schema declares, and only when `given` lacks
 * them — a `common` key a plugin does not know is not its problem.
 */
export function validateAttributes(
  schema: AttributeSchema,
  given: Readonly<Record<string, unknown>>,
  fallback: Readonly<Record<string, unknown>> = {},
): { values: Record<string, unknown>; problems: AttributeProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: AttributeProblem[] = [];
  for (const [attribute, value] of Object.entries(given)) {
    const spec = Object.prototype.hasOwnProperty.call(schema, attribute) ? schema[attribute] : undefined;
    if (!spec) {
      const known = Object.keys(schema);
      problems.push({ attribute, problem: `is unknown (known: ${known.length ? known.join(', ') : 'none'})` });
      continue;
    }
    const problem = checkAttribute(spec, value);
    if (problem) problems.push({ attribute, problem });
    else values[attribute] = value;
  }
  for (const [attribute, spec] of Object.entries(schema)) {
    if (attribute in given) continue;
    if (Object.prototype.hasOwnProperty.call(fallback, attribute)) {
      const problem = checkAttribute(spec, fallback[attribute]);
      if (problem) problems.push({ attribute, problem: `${problem} (from common)` });
      else values[attribute] = fallback[attribute];
    } else if (spec.default !== undefined) {
      // Copy so a plugin mutating its attribute cannot change the schema default.
      values[attribute] = structuredClone(spec.default);
    } else if (spec.required) {
      problems.push({ attribute, problem: 'is required but missing' });
    }
  }
  return { values, problems };
}

/** "attr: problem; attr2: problem" for error messages. */
export function formatProblems(problems: readonly AttributeProblem[]): string {
  return problems.map((p) => `attribute "${p.attribute}" ${p.problem}`).join('; ');
}
