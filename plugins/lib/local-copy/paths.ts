import * as fs from 'node:fs';
import { isInside, PathEscapeError, resolveInsideReal } from '../safe-path';

/**
 * Path rules of the local-copy plugins on top of `plugins/lib/safe-path.ts`:
 * LFNs come from PanDA and output paths from the payload, so neither may
 * steer a copy outside the configured directories.
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
  return isInside(root, p, false);
}

/** The outcome of resolving a path on disk inside a root. */
export type RealPathResult =
  | { ok: true; realPath: string }
  | { ok: false; missing: boolean; reason: string };

/**
 * Resolves symlinks of `p` and checks the result is still below the real
 * `root` (a link planted in a worker's directory pointing at `/etc/…` is
 * refused even though its own name looks harmless), then that it exists.
 * `missing` tells "not there" (try elsewhere) from "refused".
 */
export async function realPathBelow(root: string, p: string): Promise<RealPathResult> {
  let real: string;
  try {
    real = await resolveInsideReal(root, p);
  } catch (err) {
    return { ok: false, missing: false, reason: err instanceof PathEscapeError ? err.message : `${p}: ${errText(err)}` };
  }
  try {
    await fs.promises.stat(real);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, missing, reason: missing ? `${p} does not exist` : `${p}: ${errText(err)}` };
  }
  return { ok: true, realPath: real };
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
