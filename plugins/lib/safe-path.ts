import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Keeping file access inside a directory: a worker's access point, a
 * configured base directory, an output tree. Paths that come from payload
 * files (or from a config) are untrusted: `../../etc/passwd`, `/etc/passwd`,
 * or a symlink the payload planted must never make harvester read, write or
 * delete anything outside the directory it meant.
 *
 * Two levels:
 * - {@link resolveInside}: lexical. Normalises the path (relative paths are
 *   taken relative to the root) and checks it stays under the root. No I/O.
 * - {@link resolveInsideReal}: additionally follows symlinks of the part that
 *   exists and checks the *real* location is under the *real* root. Use it
 *   before every read, write or delete.
 *
 * Nothing is URL-decoded: these are file paths, so `%2e%2e` is a literal
 * file name (inside the root), not `..`. A NUL byte is always rejected (the
 * kernel would cut the path there).
 *
 * The check-then-use gap (a symlink swapped in between) is narrowed by the
 * callers: they open with O_NOFOLLOW, write via a fresh temp file + rename,
 * and delete with unlink/rm (which never follow a final symlink).
 */

/** A path that would leave its root. `reason` says how, for the log line. */
export class PathEscapeError extends Error {
  constructor(readonly root: string, readonly requested: string, readonly reason: string) {
    super(`path ${JSON.stringify(requested)} rejected: ${reason} (must stay inside ${root})`);
    this.name = 'PathEscapeError';
  }
}

export interface InsideOptions {
  /** Accept the root itself (default false: a file path equal to the root is meaningless). */
  allowRoot?: boolean;
  /** Accept absolute paths that are inside the root (default true). False: only relative paths. */
  allowAbsolute?: boolean;
}

/** True when `candidate` (absolute, normalised) is `root` or below it. Both are compared as given: no I/O. */
export function isInside(root: string, candidate: string, allowRoot = true): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  if (rel === '') return allowRoot;
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Lexically resolves `requested` against `root` and returns the absolute
 * normalised path, or throws {@link PathEscapeError} when it is empty,
 * contains a NUL byte, is absolute while that is not allowed, or ends up
 * outside `root` (`..` segments, absolute paths elsewhere).
 */
export function resolveInside(root: string, requested: string, opts: InsideOptions = {}): string {
  const absRoot = path.resolve(root);
  if (typeof requested !== 'string' || requested === '') throw new PathEscapeError(absRoot, String(requested), 'empty path');
  if (requested.includes('\0')) throw new PathEscapeError(absRoot, requested, 'contains a NUL byte');
  if (path.isAbsolute(requested) && opts.allowAbsolute === false) throw new PathEscapeError(absRoot, requested, 'absolute path not allowed here');
  const resolved = path.resolve(absRoot, requested);
  if (!isInside(absRoot, resolved, opts.allowRoot ?? false)) {
    const how = resolved === absRoot ? 'is the root itself' : path.isAbsolute(requested) ? 'absolute path outside' : '".." leaves';
    throw new PathEscapeError(absRoot, requested, how);
  }
  return resolved;
}

/**
 * The real path of `p` as far as it exists: the deepest existing ancestor is
 * passed through realpath (resolving every symlink on the way) and the
 * not-yet-existing rest appended. The rest cannot contain symlinks (it does
 * not exist) nor `..` (`p` is normalised).
 */
export async function realpathLoose(p: string): Promise<string> {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await fs.promises.realpath(cur);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: not there yet; ENOTDIR: a file where a dir is expected — realpath of the parent still tells where it points.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * {@link resolveInside}, then the same check on real paths: a symlink
 * anywhere in the existing part of the path that points out of the (real)
 * root is rejected. Returns the real path, so the caller uses the location
 * that was checked rather than re-walking the links.
 */
export async function resolveInsideReal(root: string, requested: string, opts: InsideOptions = {}): Promise<string> {
  const lexical = resolveInside(root, requested, opts);
  const realRoot = await realpathLoose(root);
  const real = await realpathLoose(lexical);
  if (!isInside(realRoot, real, opts.allowRoot ?? false)) {
    throw new PathEscapeError(path.resolve(root), requested, `a symlink leads outside (real path ${real})`);
  }
  return real;
}

/**
 * {@link resolveInsideReal} against several roots: the first root that
 * contains the path wins. Throws the error of the first root when none does.
 */
export async function resolveInsideAny(roots: readonly string[], requested: string, opts: InsideOptions = {}): Promise<string> {
  let first: unknown;
  for (const root of roots) {
    try {
      return await resolveInsideReal(root, requested, opts);
    } catch (err) {
      if (!(err instanceof PathEscapeError)) throw err;
      first ??= err;
    }
  }
  throw first ?? new PathEscapeError('(no root)', requested, 'no allowed directory configured');
}

/** Flags for opening a file for reading without following a final symlink (defense against a swap after the check). */
export const READ_NOFOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);
