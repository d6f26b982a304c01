import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSpec, JobSpec } from '../../../src/plugins/types';
import { parseChecksum, type ChecksumKind, type Digest } from '../checksum';
import { delay } from '../delay';
import { constructFilePath } from '../file-path';
import { copyStream, CopyError, digestFile, mismatch, openRegularFile, type Expected } from './copy';
import { fetchToFile } from './http';
import { errText, isBelow, plainNameProblem, realPathBelow } from './paths';
import { expandURL, fileValues } from './template';

/** The preparator's settings that shape a file's stage-in. */
export interface StageInSettings {
  /** Absolute directory inputs are looked up in, or undefined. */
  sourceDir?: string;
  /** URL template (`${lfn}`, `${scope}`, ...), or undefined. */
  sourceURL?: string;
  useFileURL: boolean;
  verifyChecksum: boolean;
  httpTimeoutMs: number;
  httpRetries: number;
  retryDelayMs: number;
  harvesterID: string;
}

type Source = { kind: 'dir'; root: string; candidates: string[] } | { kind: 'url'; url: string };

/** Everything needed to bring one input in, decided before any I/O. */
export interface StageInPlan {
  lfn: string;
  dest: string;
  expected: Expected;
  kinds: ChecksumKind[];
  sources: Source[];
  /** Sources that could not even be named (a URL template lacking a value), for the "looked in" diag. */
  unusable: string[];
}

/** Where an input lands: `<destDir>/<lfn>`, or why the LFN cannot be a file name there. */
export function inputDestination(destDir: string, lfn: string): string | { problem: string } {
  const bad = plainNameProblem(lfn);
  if (bad) return { problem: `lfn ${bad}` };
  const dest = path.join(destDir, lfn);
  return isBelow(destDir, dest) ? dest : { problem: `lfn "${lfn}" leads outside ${destDir}` };
}

/** The plan for one input, or a problem (bad LFN, unsupported checksum, no source at all). */
export function planStageIn(job: JobSpec, f: FileSpec, destDir: string, s: StageInSettings): StageInPlan | { problem: string } {
  const dest = inputDestination(destDir, f.lfn);
  if (typeof dest !== 'string') return dest;
  const expected: Expected = { fsize: typeof f.fsize === 'number' && f.fsize >= 0 ? f.fsize : null };
  if (s.verifyChecksum && f.chksum) {
    const parsed = parseChecksum(f.chksum);
    if (typeof parsed === 'string') return { problem: `${parsed}; set verifyChecksum false to accept it unverified` };
    expected.checksum = parsed;
  }
  const sources: Source[] = [];
  const unusable: string[] = [];
  if (s.sourceDir) sources.push({ kind: 'dir', root: s.sourceDir, candidates: dirCandidates(s.sourceDir, f) });
  if (s.sourceURL) {
    try {
      sources.push({ kind: 'url', url: expandURL(s.sourceURL, fileValues(job, f, s.harvesterID)) });
    } catch (err) {
      unusable.push(`sourceURL (${errText(err)})`);
    }
  }
  if (s.useFileURL && f.url && /^https?:\/\//i.test(f.url)) sources.push({ kind: 'url', url: f.url });
  if (sources.length === 0) {
    return { problem: `no source for it: sourceDir and sourceURL are unset${unusable.length ? ` or unusable: ${unusable.join('; ')}` : ''} and the file has no http(s) url` };
  }
  return { lfn: f.lfn, dest, expected, kinds: expected.checksum ? [expected.checksum.kind] : [], sources, unusable };
}

/** `<dir>/<lfn>`, `<dir>/<scope>/<lfn>`, then the Rucio layout; only names that stay inside `dir`. */
function dirCandidates(dir: string, f: FileSpec): string[] {
  const out = [path.join(dir, f.lfn)];
  if (f.scope && !plainNameProblem(f.scope)) out.push(path.join(dir, f.scope, f.lfn));
  if (f.scope) out.push(constructFilePath(dir, f.scope, f.lfn));
  return [...new Set(out)].filter((p) => isBelow(dir, p));
}

/**
 * Brings one input to `plan.dest`, trying the sources in order. A destination
 * already there and matching the expected size/checksum is kept (a copy made
 * before a restart). Throws {@link CopyError}; `missing` lists every place
 * looked at.
 */
export async function stageIn(plan: StageInPlan, s: StageInSettings, signal: AbortSignal): Promise<Digest> {
  const reused = await existingMatch(plan, signal);
  if (reused) return reused;
  const looked: string[] = [...plan.unusable];
  const opts = { kinds: plan.kinds, expected: plan.expected, signal };
  for (const src of plan.sources) {
    if (src.kind === 'dir') {
      for (const candidate of src.candidates) {
        const real = await realPathBelow(src.root, candidate);
        if (!real.ok) {
          looked.push(real.missing ? candidate : `${candidate} (refused: ${real.reason})`);
          continue;
        }
        try {
          return await copyStream(await openRegularFile(real.realPath), plan.dest, opts);
        } catch (err) {
          if (err instanceof CopyError && err.kind === 'missing') looked.push(candidate);
          else throw withSource(err, candidate, looked);
        }
      }
      continue;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetchToFile(src.url, plan.dest, { ...opts, idleTimeoutMs: s.httpTimeoutMs });
      } catch (err) {
        if (err instanceof CopyError && err.kind === 'missing') {
          looked.push(err.message);
          break;
        }
        if (err instanceof CopyError && err.kind === 'transient' && attempt < s.httpRetries && !signal.aborted) {
          await delay(s.retryDelayMs * (attempt + 1));
          continue;
        }
        throw withSource(err, src.url, looked, attempt + 1);
      }
    }
  }
  throw new CopyError(`not found; looked in ${looked.join(', ')}`, 'missing');
}

async function existingMatch(plan: StageInPlan, signal: AbortSignal): Promise<Digest | null> {
  // Without a size or checksum to compare, an old file cannot be told from a good one: copy again.
  const checkable = plan.expected.checksum !== undefined || (plan.expected.fsize ?? null) !== null;
  if (!checkable || !fs.existsSync(plan.dest)) return null;
  try {
    const d = await digestFile(plan.dest, plan.kinds, signal);
    return mismatch(plan.expected, d) === null ? d : null;
  } catch {
    return null;
  }
}

/** The error with the source it concerns, the attempts made and the places where the file was not found before. */
function withSource(err: unknown, source: string, looked: readonly string[], attempts = 1): CopyError {
  const kind = err instanceof CopyError ? err.kind : 'permanent';
  const msg = errText(err);
  let text = msg.includes(source) ? msg : `${source}: ${msg}`;
  if (attempts > 1) text += ` (after ${attempts} attempts)`;
  if (looked.length) text += ` (before that, not found in ${looked.join(', ')})`;
  return new CopyError(text, kind);
}
