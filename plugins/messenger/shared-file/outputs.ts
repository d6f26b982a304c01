import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventUpdate, ReportedOutputFile } from '../../../src/plugins/messenger';
import type { EventStatus, FileType, PerJob } from '../../../src/plugins/types';
import { PathEscapeError, resolveInsideAny } from '../../lib/safe-path';
import { adler32File } from './checksum';
import { isPlainObject } from './io';

/**
 * Reading the payload's event status dump (`event_status.dump.json`, facts
 * §9.1): `{PandaID: [{path, type, fsize?, chksum?, guid?, eventRangeID?,
 * eventStatus, isZip?}]}` → output files to stage, plus the event updates
 * the original derived from it (written to `worker_updateevents.json`).
 *
 * As the original: lfn = basename of `path`; missing fsize is stat'ed and a
 * missing checksum computed (adler32, here with the `ad:` prefix our file
 * table uses — a checksum the payload wrote is passed on as written); a
 * missing guid gets a random UUID; log/output/checkpoint are never zipped,
 * zip_output is already a zip; only es_output/zip_output carry an event.
 *
 * Unlike the original, `path` must lie inside the job's access point (or a
 * configured extra output dir): relative paths are taken relative to the job
 * directory, anything escaping is dropped with its event and reported
 * through `onReject`, and nothing outside is stat'ed or read.
 */

const OUTPUT_TYPES: ReadonlySet<string> = new Set<FileType>(['output', 'log', 'es_output', 'zip_output', 'checkpoint']);
const EVENT_TYPES: ReadonlySet<string> = new Set<FileType>(['es_output', 'zip_output']);
export const EVENT_STATUSES: ReadonlySet<string> = new Set<EventStatus>(['running', 'finished', 'failed', 'fatal', 'cancelled', 'discarded', 'corrupted']);

export interface DumpProblem {
  pandaID: string;
  /** The offending path, when the problem is a path. */
  path?: string;
  reason: string;
}

export interface DumpParse {
  files: PerJob<ReportedOutputFile[]>;
  events: PerJob<EventUpdate[]>;
  /** Entries seen (the original's nData: an empty dump is deleted). */
  nData: number;
  /** Set when the whole dump is unusable (not an object of lists). */
  invalid?: string;
}

export interface DumpOptions {
  /** Where output files may be: the job dir first (base of relative paths), then extra dirs. */
  roots: readonly string[];
  /** A path that escapes the roots: entry dropped. */
  onReject(p: DumpProblem): void;
  /** A malformed entry or an unreadable file: entry dropped. */
  onError(p: DumpProblem): void;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Parses a loaded dump. Files are stat'ed/checksummed only after their path passed the checks. */
export async function parseEventStatusDump(value: unknown, opts: DumpOptions): Promise<DumpParse> {
  const out: DumpParse = { files: {}, events: {}, nData: 0 };
  if (!isPlainObject(value)) return { ...out, invalid: 'loaded data is not a dictionary' };
  const sizes = new Map<string, number>();
  const sums = new Map<string, string>();
  for (const [pandaID, list] of Object.entries(value)) {
    if (!/^\d+$/.test(pandaID)) return { ...out, invalid: `key ${JSON.stringify(pandaID)} is not a PandaID` };
    if (!Array.isArray(list)) return { ...out, invalid: `value of ${pandaID} is not a list` };
    for (const entry of list) {
      out.nData += 1;
      if (!isPlainObject(entry)) {
        opts.onError({ pandaID, reason: 'entry is not an object' });
        continue;
      }
      const eventRangeID = str(entry.eventRangeID);
      const eventStatus = typeof entry.eventStatus === 'string' && EVENT_STATUSES.has(entry.eventStatus) ? (entry.eventStatus as EventStatus) : undefined;
      if ('path' in entry) {
        const file = await fileOf(pandaID, entry, eventRangeID, eventStatus, sizes, sums, opts);
        if (!file) continue;
        (out.files[pandaID] ??= []).push(file);
        if (!EVENT_TYPES.has(file.fileType)) continue;
      }
      if (eventRangeID === undefined || eventStatus === undefined) {
        opts.onError({ pandaID, reason: `event entry without eventRangeID or with unknown eventStatus ${JSON.stringify(entry.eventStatus)}` });
        continue;
      }
      (out.events[pandaID] ??= []).push({ eventRangeID, eventStatus });
    }
  }
  return out;
}

async function fileOf(
  pandaID: string, entry: Record<string, unknown>, eventRangeID: string | undefined, eventStatus: EventStatus | undefined,
  sizes: Map<string, number>, sums: Map<string, string>, opts: DumpOptions,
): Promise<ReportedOutputFile | null> {
  const pfn = entry.path;
  if (typeof pfn !== 'string') {
    opts.onError({ pandaID, reason: `path is not a string: ${JSON.stringify(pfn)}` });
    return null;
  }
  const type = entry.type;
  if (typeof type !== 'string' || !OUTPUT_TYPES.has(type)) {
    opts.onError({ pandaID, path: pfn, reason: `unknown file type ${JSON.stringify(type)}` });
    return null;
  }
  let real: string;
  try {
    real = await resolveInsideAny(opts.roots, pfn);
  } catch (err) {
    if (!(err instanceof PathEscapeError)) throw err;
    opts.onReject({ pandaID, path: pfn, reason: err.reason });
    return null;
  }
  const fileType = type as FileType;
  try {
    if (!sizes.has(real)) {
      if (typeof entry.fsize === 'number' && Number.isFinite(entry.fsize) && entry.fsize >= 0) sizes.set(real, entry.fsize);
      else sizes.set(real, await regularFileSize(real));
    }
    if (!sums.has(real)) {
      if (typeof entry.chksum === 'string' && entry.chksum) sums.set(real, entry.chksum);
      else sums.set(real, `ad:${await adler32File(real)}`);
    }
  } catch (err) {
    opts.onError({ pandaID, path: pfn, reason: `cannot stat or checksum: ${err instanceof Error ? err.message : String(err)}` });
    return null;
  }
  const isZip = fileType === 'zip_output' ? true : ['log', 'output', 'checkpoint'].includes(fileType) ? false : 'isZip' in entry ? Boolean(entry.isZip) : undefined;
  return {
    // The name the payload gave (a symlink's own name), while `path` is the checked real location.
    lfn: path.basename(pfn),
    path: real,
    fileType,
    fsize: sizes.get(real),
    chksum: sums.get(real),
    guid: typeof entry.guid === 'string' && entry.guid ? entry.guid : randomUUID(),
    ...(isZip === undefined ? {} : { isZip }),
    ...(EVENT_TYPES.has(fileType) && eventRangeID !== undefined ? { eventRangeID } : {}),
    ...(eventStatus ? { eventStatus } : {}),
  };
}

async function regularFileSize(file: string): Promise<number> {
  const st = await fs.promises.stat(file);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
  return st.size;
}
