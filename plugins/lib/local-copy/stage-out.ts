import * as path from 'node:path';
import type { FileSpec } from '../../../src/plugins/types';
import { parseChecksum, type ChecksumKind, type Digest } from '../checksum';
import { copyStream, openRegularFile, type Expected } from './copy';
import { isBelow, plainNameProblem, realPathBelow } from './paths';

/** One output's copy, decided (and its source vetted) before it starts. */
export interface StageOutPlan {
  lfn: string;
  /** Source with symlinks resolved, inside an allowed root. */
  src: string;
  dest: string;
  expected: Expected;
  kinds: ChecksumKind[];
}

/** Why an output cannot be staged out; `rejected` marks a path-safety refusal (logged as such). */
export interface StageOutProblem {
  problem: string;
  rejected: boolean;
}

/** `<destDir>/<lfn>`, or why the LFN cannot be a file name there. */
export function outputDestination(destDir: string, lfn: string): string | StageOutProblem {
  const bad = plainNameProblem(lfn);
  if (bad) return { problem: `lfn ${bad}`, rejected: true };
  const dest = path.join(destDir, lfn);
  return isBelow(destDir, dest) ? dest : { problem: `lfn "${lfn}" leads outside ${destDir}`, rejected: true };
}

/**
 * Vets an output the payload reported: its path must exist and resolve
 * (symlinks included) inside one of `roots` — the worker's access point and
 * the allowed directories. A relative path is taken relative to the first root.
 */
export async function planStageOut(f: FileSpec, roots: readonly string[], destDir: string): Promise<StageOutPlan | StageOutProblem> {
  const dest = outputDestination(destDir, f.lfn);
  if (typeof dest !== 'string') return dest;
  if (!f.path) return { problem: 'the payload reported no path for it', rejected: false };
  if (roots.length === 0) {
    return { problem: `path ${f.path} refused: no allowed source directory (accessPoint unset or no workerID on the file, allowedSourceDirs empty)`, rejected: true };
  }
  const src = path.isAbsolute(f.path) ? f.path : path.resolve(roots[0], f.path);
  const reasons: string[] = [];
  let real: string | undefined;
  for (const root of roots) {
    const r = await realPathBelow(root, src);
    if (r.ok) {
      real = r.realPath;
      break;
    }
    if (r.missing && isBelow(root, src)) return { problem: `output file ${src} does not exist`, rejected: false };
    reasons.push(r.reason);
  }
  if (real === undefined) return { problem: reasons.join('; '), rejected: true };

  const expected: Expected = { fsize: typeof f.fsize === 'number' && f.fsize >= 0 ? f.fsize : null };
  const kinds: ChecksumKind[] = ['adler32'];
  if (f.chksum) {
    // The payload's (or messenger's) checksum must still hold after the copy: a mismatch means corruption.
    const parsed = parseChecksum(f.chksum);
    if (typeof parsed === 'string') return { problem: `reported ${parsed}`, rejected: false };
    expected.checksum = parsed;
    if (parsed.kind === 'md5') kinds.push('md5');
  }
  return { lfn: f.lfn, src: real, dest, expected, kinds };
}

/** Copies one output into place (checksummed, verified, renamed). */
export async function stageOut(plan: StageOutPlan, signal: AbortSignal): Promise<Digest> {
  return copyStream(await openRegularFile(plan.src), plan.dest, { kinds: plan.kinds, expected: plan.expected, signal });
}
