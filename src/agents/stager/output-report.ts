import type { FileSpec, JsonObject } from '../../plugins/types';

/** One entry of `outputFilesToReport`: what PanDA registers for a stored output. */
export interface ReportedFile {
  guid: string | null;
  fsize: number | null;
  adler32: string | null;
}

function guidOf(f: FileSpec, logExt: JsonObject | null | undefined): string | null {
  const g = f.fileAttributes?.guid;
  if (typeof g === 'string' && g) return g;
  // The log file's guid comes with the job (jobParamsExtForLog = {lfn, guid}), not with the file row.
  if (f.fileType === 'log' && logExt && logExt.lfn === f.lfn && typeof logExt.guid === 'string') return logExt.guid;
  return null;
}

/** `ad:<hex>` → `<hex>`; an unprefixed checksum is taken as adler32 (the original's default); md5 gives none. */
export function adler32Of(chksum: string | null | undefined): string | null {
  if (!chksum) return null;
  if (chksum.startsWith('ad:')) return chksum.slice(3);
  if (chksum.startsWith('md:')) return null;
  return chksum;
}

/** `outputFilesToReport` of a staged job: JSON `{lfn: {guid, fsize, adler32}}` of its finished output and log files. */
export function outputFilesToReport(files: readonly FileSpec[], logExt: JsonObject | null | undefined): string {
  // The JSON text is built entry by entry, not as an object keyed by LFN: every
  // new key on a plain object makes V8 create a new hidden class, and LFNs are
  // unique, so that object cost a map allocation and a transition per file.
  // A repeated LFN keeps its first place and takes the last value, as the object did.
  const entries = new Map<string, ReportedFile>();
  for (const f of files) {
    if (f.status !== 'finished' || (f.fileType !== 'output' && f.fileType !== 'log')) continue;
    entries.set(f.lfn, { guid: guidOf(f, logExt), fsize: f.fsize ?? null, adler32: adler32Of(f.chksum) });
  }
  let text = '';
  for (const [lfn, r] of entries) text += `${text === '' ? '' : ','}${JSON.stringify(lfn)}:${JSON.stringify(r)}`;
  return `{${text}}`;
}
