/**
 * Typed building blocks of the convict schema. Each helper returns a convict
 * leaf (`doc`, `format`, `default`, `sensitive`, `nullable`) plus our own
 * metadata (`kind`, bounds, allowed values) used to parse INI/env text with
 * precise error messages. The phantom type parameter lets `HarvesterConfig` be
 * derived from the schema itself, so the type cannot drift from the defaults.
 */

import convict from 'convict';

export type LeafKind =
  | 'int' // integer, optional min/max
  | 'number' // float
  | 'bool'
  | 'string'
  | 'enum' // one of `values`
  | 'list' // one item per line (original's multi-line values, e.g. queueList)
  | 'csv' // comma-separated on one line (original's "comma-concatenated list")
  | 'jsonObject' // JSON object, may span lines
  | 'jsonList' // JSON list, may span lines
  | 'factor'; // a float or the word "auto"

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface LeafOptions {
  /** Secret: masked in `config print`, refused from a remote source, never in error messages. */
  sensitive?: boolean;
  /** Extra environment variable name accepted besides HARVESTER_<SECTION>_<KEY>. */
  env?: string;
  /** `None` / empty text means "not set" (value null). */
  nullable?: boolean;
  /** Must be non-empty after all sources are applied. */
  required?: boolean;
  /** Unit shown in the docs ("s", "ms", "min", "h"). */
  unit?: string;
  min?: number;
  max?: number;
  /** Accepted in an original file but not used by this implementation. */
  unused?: boolean;
}

export interface Leaf<T> extends LeafOptions {
  doc: string;
  kind: LeafKind;
  default: T;
  /** convict format: validates the resolved (already typed) value. */
  format: ((value: unknown) => void) | ObjectConstructor | ArrayConstructor | string;
  values?: readonly string[];
  /** Phantom: never set at runtime, carries T for type derivation. */
  readonly __type?: T;
}

/** A leaf with its value type erased, for code that walks the schema. */
export type AnyLeaf = Leaf<unknown>;

export type LeafValue<L> = L extends Leaf<infer T> ? T : never;

type Nullable<T, O extends LeafOptions | undefined> = O extends { nullable: true } ? T | null : T;

/**
 * Checks a typed value against a leaf; returns what was expected, or null when
 * fine. Shared by the text parser (after conversion) and convict's validate().
 */
export function checkValue(leaf: AnyLeaf, value: unknown): string | null {
  if (value === null) return leaf.nullable ? null : `expected ${describeExpected(leaf)}, got nothing`;
  switch (leaf.kind) {
    case 'int':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value) || (leaf.kind === 'int' && !Number.isInteger(value))) {
        return `expected ${describeExpected(leaf)}`;
      }
      if ((leaf.min !== undefined && value < leaf.min) || (leaf.max !== undefined && value > leaf.max)) {
        return `expected ${describeExpected(leaf)}, got ${value}`;
      }
      return null;
    }
    case 'bool':
      return typeof value === 'boolean' ? null : `expected ${describeExpected(leaf)}`;
    case 'string':
      return typeof value === 'string' ? null : `expected ${describeExpected(leaf)}`;
    case 'enum':
      return typeof value === 'string' && (leaf.values ?? []).includes(value) ? null : `expected ${describeExpected(leaf)}`;
    case 'list':
    case 'csv': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return `expected ${describeExpected(leaf)}`;
      const bad = leaf.values ? value.find((v) => !(leaf.values ?? []).includes(v)) : undefined;
      return bad === undefined ? null : `expected ${describeExpected(leaf)}, got "${bad}"`;
    }
    case 'jsonObject':
      return typeof value === 'object' && !Array.isArray(value) ? null : `expected ${describeExpected(leaf)}`;
    case 'jsonList':
      return Array.isArray(value) ? null : `expected ${describeExpected(leaf)}`;
    case 'factor':
      return value === 'auto' || (typeof value === 'number' && Number.isFinite(value) && value >= 0)
        ? null
        : `expected ${describeExpected(leaf)}`;
  }
}

/** Human wording of what a leaf accepts, used in errors and in the docs. */
export function describeExpected(leaf: AnyLeaf): string {
  const range = (what: string): string => {
    if (leaf.min !== undefined && leaf.max !== undefined) return `${what} between ${leaf.min} and ${leaf.max}`;
    if (leaf.min !== undefined) return `${what} >= ${leaf.min}`;
    return what;
  };
  const orNone = leaf.nullable ? ' (or None)' : '';
  switch (leaf.kind) {
    case 'int':
      return range('an integer') + orNone;
    case 'number':
      return range('a number') + orNone;
    case 'bool':
      return 'True or False';
    case 'string':
      return 'a single-line string' + orNone;
    case 'enum':
      return `one of ${(leaf.values ?? []).join(', ')}` + orNone;
    case 'list':
      return 'a list, one item per indented line' + (leaf.values ? ` (each one of ${leaf.values.join(', ')})` : '');
    case 'csv':
      return 'a comma-separated list' + (leaf.values ? ` of ${leaf.values.join(', ')}` : '');
    case 'jsonObject':
      return 'a JSON object' + orNone;
    case 'jsonList':
      return 'a JSON list' + orNone;
    case 'factor':
      return 'a number >= 0 or auto';
  }
}

/**
 * convict coerces string values by the type of the default, which would turn
 * "auto" into NaN for a numeric default; a named format with an identity
 * coercion keeps it.
 */
const FACTOR_FORMAT = 'harvester-factor';
convict.addFormat({
  name: FACTOR_FORMAT,
  validate: (value: unknown): void => {
    if (!(value === 'auto' || (typeof value === 'number' && Number.isFinite(value) && value >= 0))) {
      throw new Error('expected a number >= 0 or auto');
    }
  },
  coerce: (value: unknown): unknown => value,
});

function make<T>(kind: LeafKind, doc: string, def: T, opts: LeafOptions | undefined, extra: Partial<Leaf<T>> = {}): Leaf<T> {
  const leaf: Leaf<T> = { doc, kind, default: def, format: () => undefined, ...opts, ...extra };
  if (kind === 'jsonObject') leaf.format = Object; // convict recurses into objects unless format is Object
  else if (kind === 'jsonList') leaf.format = Array;
  else if (kind === 'factor') leaf.format = FACTOR_FORMAT;
  else {
    const self = leaf as AnyLeaf;
    leaf.format = (value: unknown): void => {
      const problem = checkValue(self, value);
      if (problem) throw new Error(problem);
    };
  }
  return leaf;
}

export function int<const O extends LeafOptions>(doc: string, def: Nullable<number, O>, opts?: O): Leaf<Nullable<number, O>> {
  return make('int', doc, def, { min: 0, ...opts });
}
export function num<const O extends LeafOptions>(doc: string, def: Nullable<number, O>, opts?: O): Leaf<Nullable<number, O>> {
  return make('number', doc, def, opts);
}
export function bool(doc: string, def: boolean, opts?: LeafOptions): Leaf<boolean> {
  return make('bool', doc, def, opts);
}
export function str<const O extends LeafOptions>(doc: string, def: Nullable<string, O>, opts?: O): Leaf<Nullable<string, O>> {
  return make('string', doc, def, opts);
}
export function oneOf<const V extends readonly string[]>(doc: string, values: V, def: V[number], opts?: LeafOptions): Leaf<V[number]> {
  return make('enum', doc, def, opts, { values });
}
export function list(doc: string, def: string[], opts?: LeafOptions & { values?: readonly string[] }): Leaf<string[]> {
  return make('list', doc, def, opts, { values: opts?.values });
}
export function csv(doc: string, def: string[], opts?: LeafOptions & { values?: readonly string[] }): Leaf<string[]> {
  return make('csv', doc, def, opts, { values: opts?.values });
}
export function jsonObject<const O extends LeafOptions>(
  doc: string,
  def: Nullable<Record<string, JsonValue>, O>,
  opts?: O,
): Leaf<Nullable<Record<string, JsonValue>, O>> {
  return make('jsonObject', doc, def, opts);
}
export function jsonList(doc: string, def: JsonValue[], opts?: LeafOptions): Leaf<JsonValue[]> {
  return make('jsonList', doc, def, opts);
}
export function factor(doc: string, def: number | 'auto', opts?: LeafOptions): Leaf<number | 'auto'> {
  return make('factor', doc, def, opts);
}
