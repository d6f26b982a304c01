import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Path containment for the local-copy plugins. LFNs come from PanDA and output
 * paths from the payload, so neither may steer a copy outside the configured
 * directories. (A local helper: the shared `plugins/lib/safe-path.ts` did not
 * exist when these plugins were written.)
 */

/** Why `name` is not a plain file name (no separators, not `.`/`..`), or null if it is. */
export function plainNameProblem(name: string): string | null {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (/[/\\\0]/.test(name)) return `"${name}" contains a path separator or NUL`;
  return null;
}

/** Whether `p` lies strictly below `root`, comparing the paths as written (no file-system access). */
export function isBelow(root: string, p: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The outcome of resolving a path on disk inside a root. */
export type RealPathResult =
  | { ok: true; realPath: string }
  | { ok: false; missing: boolean; reason: string };

/**
 * Resolves symlinks of `p` and checks the result is still below the real
 * `root`: a link planted in a worker's directory pointing at `/etc/…` is
 * refused even though its own name looks harmless.
 */
export async function realPathBelow(root: string, p: string): Promise<RealPathResult> {
  if (!isBelow(root, p)) return { ok: false, missing: false, reason: `${p} is outside ${root}` };
  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.promises.realpath(root);
  } catch (err) {
    return { ok: false, missing: (err as NodeJS.ErrnoException).code === 'ENOENT', reason: `base directory ${root}: ${errText(err)}` };
  }
  try {
    real = await fs.promises.realpath(p);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, reason: missing ? `${p} does not exist` : `${p}: ${errText(err)}` };
  }
  if (!isBelow(realRoot, real)) return { ok: false, missing: false, reason: `${p} resolves to ${real}, outside ${root}` };
  return { ok: true, realPath: real };
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
