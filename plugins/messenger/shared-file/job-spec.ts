import type { JobSpec, Json, JsonObject } from '../../../src/plugins/types';

/**
 * What `feedJobs` writes for the payload, in the original's exact formats:
 * the job spec file (`{"<PandaID>": jobParams}` JSON, or the job params
 * URL-encoded like Python's `urlencode` for `jobSpecFileFormat = cgi`) and
 * the POOL file catalog of the inputs (`core_utils.make_pool_file_catalog`).
 */

/** Input-dataset fields `stripJobParams` removes (the original's JobSpec.get_job_params). */
const STRIPPED = new Set(['prodDBlocks', 'realDatasetsIn', 'dispatchDblock', 'ddmEndPointIn', 'scopeIn', 'dispatchDBlockToken', 'prodDBlockToken']);

export function jobParamsOf(job: JobSpec, strip: boolean): JsonObject {
  if (!strip) return job.jobParams;
  return Object.fromEntries(Object.entries(job.jobParams).filter(([k]) => !STRIPPED.has(k)));
}

/** The JSON job spec file: one job per file, keyed by PandaID (json.dump({PandaID: params})). */
export function jobSpecJson(job: JobSpec, strip: boolean): string {
  return JSON.stringify({ [String(job.PandaID)]: jobParamsOf(job, strip) });
}

/** Python's `quote_plus`: everything but letters, digits and `_.-~` percent-encoded (UTF-8), space as `+`. */
export function quotePlus(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `str(value)` as Python prints JSON-loaded values (True/False/None, lists and dicts in repr form). */
export function pythonStr(v: Json): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  return pythonRepr(v);
}

function pythonRepr(v: Json): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`).join(', ')}}`;
  return pythonStr(v);
}

/** The cgi job spec file: `urlencode(jobParams)`. */
export function jobSpecCgi(job: JobSpec, strip: boolean): string {
  return Object.entries(jobParamsOf(job, strip)).map(([k, v]) => `${quotePlus(k)}=${quotePlus(pythonStr(v))}`).join('&');
}

const commaList = (v: Json | undefined): string[] => (typeof v === 'string' ? v.split(',') : []);

/** Input lfn → guid of a job, from its job params (inFiles / GUID, like get_input_file_attributes). */
export function inputGuids(job: JobSpec): Map<string, string> {
  const lfns = commaList(job.jobParams.inFiles);
  const guids = commaList(job.jobParams.GUID);
  const out = new Map<string, string>();
  lfns.forEach((lfn, i) => {
    if (lfn && lfn !== 'NULL') out.set(lfn, guids[i] ?? '');
  });
  return out;
}

const xmlAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** PoolFileCatalog_H.xml for the inputs of all the worker's jobs (each lfn once), byte-for-byte the original's layout. */
export function poolFileCatalog(jobs: readonly JobSpec[]): string {
  let xml = '<?xml version="1.0" ?>\n<!DOCTYPE POOLFILECATALOG  SYSTEM "InMemory">\n<POOLFILECATALOG>\n    ';
  const done = new Set<string>();
  for (const job of jobs) {
    for (const [lfn, guid] of inputGuids(job)) {
      if (done.has(lfn)) continue;
      done.add(lfn);
      xml += `  <File ID="${xmlAttr(guid)}">\n    <physical>\n      <pfn filetype="ROOT_All" name="${xmlAttr(lfn)}"/>\n    </physical>\n    <logical/>\n  </File>\n  `;
    }
  }
  return `${xml}</POOLFILECATALOG>`;
}
