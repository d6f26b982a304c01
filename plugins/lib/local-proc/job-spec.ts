import * as path from 'node:path';
import type { Json, JsonObject } from '../../../src/plugins/types';
import { readIfExists } from './files';

/** One job's parameters as the messenger handed them to the payload. */
export interface FedJob {
  PandaID: number | null;
  params: JsonObject;
  /** Directory of the job spec file: where the job's payload runs. */
  dir: string;
}

function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function pandaIDOf(v: Json | undefined): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

/**
 * Parses a job spec file as the shared-file messenger writes it (facts §9.1):
 * JSON `{PandaID: jobParams}` or, with `jobSpecFileFormat=cgi`, the URL-encoded
 * params of one job.
 * @throws Error naming the file when it is neither
 */
export function parseJobSpec(text: string, file: string): FedJob[] {
  const dir = path.dirname(file);
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let doc: Json;
    try {
      doc = JSON.parse(trimmed) as Json;
    } catch (err) {
      throw new Error(`job spec ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!isObject(doc)) throw new Error(`job spec ${file} is not a JSON object`);
    // A bare job dict (has PandaID itself) is accepted too, for hand-written specs.
    if (pandaIDOf(doc.PandaID) !== null && typeof doc.transformation === 'string') return [{ PandaID: pandaIDOf(doc.PandaID), params: doc, dir }];
    return Object.entries(doc).map(([key, params]) => {
      if (!isObject(params)) throw new Error(`job spec ${file}: entry ${key} is not a job dict`);
      return { PandaID: pandaIDOf(key) ?? pandaIDOf(params.PandaID), params, dir };
    });
  }
  const params: JsonObject = {};
  for (const [k, v] of new URLSearchParams(trimmed)) params[k] = v;
  if (Object.keys(params).length === 0) throw new Error(`job spec ${file} is empty`);
  return [{ PandaID: pandaIDOf(params.PandaID), params, dir }];
}

/** The first of `names` that exists in `dir`, parsed; null when none does. */
function readFirst(dir: string, names: readonly string[]): FedJob[] | null {
  for (const name of names) {
    const file = path.join(dir, name);
    const text = readIfExists(file);
    if (text !== null) return parseJobSpec(text, file);
  }
  return null;
}

/**
 * The jobs fed to a worker: per PandaID its `<accessPoint>/<PandaID>/` spec
 * (the original's ManyToOne layout) or, failing that, the access point's own
 * spec file. Without known PandaIDs, whatever the access point's spec holds.
 * @returns [] when no spec file exists at all
 */
export function readFedJobs(accessPoint: string, pandaIDs: readonly number[], names: readonly string[]): FedJob[] {
  if (pandaIDs.length === 0) return readFirst(accessPoint, names) ?? [];
  const top = (() => {
    let cached: FedJob[] | null | undefined;
    return () => (cached === undefined ? (cached = readFirst(accessPoint, names)) : cached);
  })();
  const out: FedJob[] = [];
  for (const id of pandaIDs) {
    const own = readFirst(path.join(accessPoint, String(id)), names)?.find((j) => j.PandaID === id || j.PandaID === null);
    const shared = own ?? top()?.find((j) => j.PandaID === id);
    if (!shared) throw new Error(`no job spec for PandaID ${id} in ${accessPoint} (looked for ${names.join(', ')}); the messenger must feed the job before submission`);
    out.push(shared);
  }
  return out;
}
