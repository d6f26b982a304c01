import type { JsonValue } from '../upstream/json';
import { HttpError } from './http-util';

/**
 * Field validators for request bodies. Each throws HttpError(400) naming the field
 * and what was expected, so a caller sees exactly what it got wrong.
 */
export type Params = Record<string, JsonValue>;

const MAX_STRING = 4096;

/** First present key among aliases: the protocol's snake_case and the older camelCase names. */
function pick(p: Params, keys: readonly string[]): [string, JsonValue | undefined] {
  for (const k of keys) if (p[k] !== undefined) return [k, p[k]];
  return [keys[0] ?? '', undefined];
}

export function optString(p: Params, keys: readonly string[], max = MAX_STRING): string | undefined {
  const [k, v] = pick(p, keys);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `${k}: expected a string, got ${typeof v}`);
  if (v.length > max) throw new HttpError(400, `${k}: longer than ${max} characters`);
  return v;
}

export function reqString(p: Params, keys: readonly string[], max = MAX_STRING): string {
  const v = optString(p, keys, max);
  if (v === undefined || v === '') throw new HttpError(400, `${keys[0]}: required (a non-empty string)`);
  return v;
}

export function optInt(p: Params, keys: readonly string[], min: number, max: number): number | undefined {
  const [k, v] = pick(p, keys);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new HttpError(400, `${k}: expected an integer, got ${JSON.stringify(v)}`);
  if (n < min || n > max) throw new HttpError(400, `${k}: ${n} is outside ${min}..${max}`);
  return n;
}

export function reqInt(p: Params, keys: readonly string[], min: number, max: number): number {
  const v = optInt(p, keys, min, max);
  if (v === undefined) throw new HttpError(400, `${keys[0]}: required (an integer)`);
  return v;
}

export function optBool(p: Params, keys: readonly string[]): boolean | undefined {
  const [k, v] = pick(p, keys);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw new HttpError(400, `${k}: expected a boolean, got ${JSON.stringify(v)}`);
}

/**
 * A list field. The original sent some lists JSON-encoded in a string
 * (`workers`, `event_ranges`), so a string holding a JSON list is accepted too.
 */
export function reqList(p: Params, keys: readonly string[], maxItems: number): JsonValue[] {
  const [k, v] = pick(p, keys);
  let list: JsonValue | undefined = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v) as JsonValue;
    } catch {
      throw new HttpError(400, `${k}: a string that is not a JSON list`);
    }
  }
  if (!Array.isArray(list)) throw new HttpError(400, `${keys[0]}: required (a list)`);
  if (list.length > maxItems) throw new HttpError(400, `${k}: ${list.length} items, at most ${maxItems} allowed`);
  return list;
}

/** An object field, also accepted JSON-encoded in a string. */
export function optObject(p: Params, keys: readonly string[]): Record<string, JsonValue> | undefined {
  const [k, v] = pick(p, keys);
  if (v === undefined || v === null) return undefined;
  let obj: JsonValue = v;
  if (typeof v === 'string') {
    try {
      obj = JSON.parse(v) as JsonValue;
    } catch {
      throw new HttpError(400, `${k}: a string that is not a JSON object`);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new HttpError(400, `${k}: expected an object`);
  return obj;
}

export function isObject(v: JsonValue | undefined): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
