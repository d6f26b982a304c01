import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { JobSpec } from '../../../src/plugins/types';
import { adler32File } from './checksum';

/**
 * `scanInPostProcess` (the original's scan_files_in_dir): event outputs the
 * payload left in the access point's sub-dirs without reporting them become
 * `es_output` entries (eventRangeID = last dot-part of the file name), and
 * tarballs matching `leftOverZipPatterns` become `zip_output` entries, one per
 * member. Entries use the event status dump's format, so they are appended
 * to it and read back by getFilesToStageOut like anything a payload wrote.
 * Walks never follow symlinks, so everything found is inside the directory.
 */

const run = promisify(execFile);

/** One dump entry (`event_status.dump.json` format). */
export interface DumpEntry {
  path: string;
  type: 'es_output' | 'zip_output' | 'log' | 'output';
  fsize?: number;
  chksum?: string;
  guid?: string;
  eventRangeID?: string;
  eventStatus?: 'finished';
  isZip?: number;
}

/** Patterns with %PANDAID, %TASKID and %OUTPUT_FILE (one pattern per output lfn other than the log) replaced. */
export function expandPatterns(patterns: readonly string[] | undefined, job: JobSpec): RegExp[] {
  if (!patterns) return [];
  const logFile = typeof job.jobParams.logFile === 'string' ? job.jobParams.logFile : null;
  const outputs = (typeof job.jobParams.outFiles === 'string' ? job.jobParams.outFiles.split(',') : []).filter((l) => l && l !== logFile);
  const out: string[] = [];
  for (let p of patterns) {
    p = p.replaceAll('%PANDAID', String(job.PandaID)).replaceAll('%TASKID', String(job.taskID ?? 'None'));
    if (p.includes('%OUTPUT_FILE')) out.push(...outputs.map((lfn) => p.replaceAll('%OUTPUT_FILE', lfn)));
    else out.push(p);
  }
  return out.map((p) => new RegExp(p));
}

/** Members of a tarball, by `tar -tf` (no shell; the path is an argument). */
async function tarMembers(file: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tf', file], { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l && !l.endsWith('/'));
}

async function regularFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isFile()) out.push(p);
      else if (e.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Leftover entries in one directory. `patterns` empty = every file (as the original). */
export async function scanLeftovers(dir: string, patterns: readonly RegExp[], zipPatterns: readonly RegExp[]): Promise<DumpEntry[]> {
  const out: DumpEntry[] = [];
  for (const pfn of await regularFiles(dir)) {
    const name = path.basename(pfn);
    const zipped = zipPatterns.some((re) => re.test(name));
    if (!zipped && patterns.length > 0 && !patterns.some((re) => re.test(name))) continue;
    const base = {
      path: pfn, fsize: (await fs.promises.lstat(pfn)).size, guid: randomUUID(),
      chksum: `ad:${await adler32File(pfn)}`, eventStatus: 'finished' as const,
    };
    const lfns = zipped ? (await tarMembers(pfn)).map((m) => path.basename(m)) : [name];
    for (const lfn of lfns) {
      out.push({ ...base, type: zipped ? 'zip_output' : 'es_output', eventRangeID: lfn.split('.').pop() ?? lfn });
    }
  }
  return out;
}
