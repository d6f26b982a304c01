import { readFileSync } from 'node:fs';
import type { JsonObject, JsonValue } from '../upstream/json';

/**
 * Job definitions for the embedded WMS: a list whose entries are either a job
 * dict, or `{count, template}` meaning `count` jobs made from the template. A
 * top-level `{jobs: [...]}` object is accepted too. In string values of a template
 * `${PandaID}` and `${index}` are replaced per job.
 */
export interface JobTemplateEntry {
  count: number;
  template: JsonObject;
}
export type JobSourceEntry = JobTemplateEntry | JsonObject;

/** At most this many jobs from one file or one submit (a typo in `count` must not eat the memory). */
export const MAX_JOBS_PER_SUBMIT = 100_000;

export class JobSourceError extends Error {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'JobSourceError';
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate and normalize the entries; returns one template per job to create (not yet numbered). */
export function expandJobSource(raw: unknown, source: string): JsonObject[] {
  const list = isObject(raw) && Array.isArray(raw.jobs) ? raw.jobs : raw;
  if (!Array.isArray(list)) throw new JobSourceError(source, 'expected a list of job dicts or {count, template} entries (or {"jobs": [...]})');
  const out: JsonObject[] = [];
  list.forEach((entry: unknown, i: number) => {
    if (!isObject(entry)) throw new JobSourceError(source, `entry ${i}: expected an object`);
    if ('template' in entry || 'count' in entry) {
      const count = entry.count ?? 1;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
        throw new JobSourceError(source, `entry ${i}: count must be a non-negative integer, got ${JSON.stringify(count)}`);
      }
      const template = entry.template ?? {};
      if (!isObject(template)) throw new JobSourceError(source, `entry ${i}: template must be an object`);
      for (let n = 0; n < count; n += 1) {
        out.push(template);
        if (out.length > MAX_JOBS_PER_SUBMIT) throw new JobSourceError(source, `more than ${MAX_JOBS_PER_SUBMIT} jobs`);
      }
    } else {
      out.push(entry);
    }
    if (out.length > MAX_JOBS_PER_SUBMIT) throw new JobSourceError(source, `more than ${MAX_JOBS_PER_SUBMIT} jobs`);
  });
  return out;
}

export function readJobSourceFile(file: string): JsonObject[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new JobSourceError(file, `cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new JobSourceError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return expandJobSource(raw, file);
}

function substitute(v: JsonValue, vars: Record<string, string>): JsonValue {
  if (typeof v === 'string') return v.replace(/\$\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars));
  if (isObject(v)) {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v)) o[k] = substitute(x, vars);
    return o;
  }
  return v;
}

/**
 * A complete job dict (facts §8.3) from a template: the fields Harvester relies on
 * get defaults, the template wins where it sets them.
 */
export function makeJobDict(template: JsonObject, pandaId: number, index: number): JsonObject {
  const vars = { PandaID: String(pandaId), index: String(index) };
  const t = substitute(template, vars) as JsonObject;
  return {
    taskID: 1,
    jobsetID: 1,
    attemptNr: 1,
    currentPriority: 1000,
    coreCount: 1,
    prodSourceLabel: 'managed',
    resource_type: 'SCORE',
    transformation: 'run',
    jobPars: '',
    inFiles: '',
    outFiles: `out.${pandaId}.txt`,
    logFile: `log.${pandaId}.tgz`,
    scopeOut: 'wms',
    scopeLog: 'wms',
    maxWalltime: 3600,
    minRamCount: 2000,
    maxDiskCount: 1000,
    ...t,
    PandaID: pandaId,
  };
}
