import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { READ_NOFOLLOW } from '../../lib/safe-path';

/**
 * File primitives for access-point files. Callers pass paths already checked
 * with safe-path; these add the defenses for the time after the check:
 * reads never follow a final symlink, writes go to a fresh temp file renamed
 * over the target (a symlink planted at the target is replaced, never
 * written through), deletes unlink the entry itself.
 */

/** Outcome of reading a JSON file the payload may or may not have written. */
export type JsonRead =
  | { status: 'missing' }
  | { status: 'ok'; value: unknown; size: number }
  | { status: 'invalid'; error: string };

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** Reads a whole regular file without following a final symlink; null when absent. */
export async function readFileNoFollow(file: string): Promise<Buffer | null> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, READ_NOFOLLOW);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return null;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EISDIR' });
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Reads and parses a JSON file; a parse or read error is `invalid` (the original logged and went on). */
export async function readJson(file: string): Promise<JsonRead> {
  let buf: Buffer | null;
  try {
    buf = await readFileNoFollow(file);
  } catch (err) {
    return { status: 'invalid', error: err instanceof Error ? err.message : String(err) };
  }
  if (buf === null) return { status: 'missing' };
  try {
    return { status: 'ok', value: JSON.parse(buf.toString('utf8')), size: buf.length };
  } catch (err) {
    return { status: 'invalid', error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Writes a file atomically: temp file (O_EXCL, same dir) then rename over the target. */
export async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.new`);
  try {
    await fs.promises.writeFile(tmp, data, { flag: 'wx', mode: 0o644 });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/** Whether something (file, dir or link) exists at the path; links are not followed. */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.lstat(file);
    return true;
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return false;
    throw err;
  }
}

/** lstat, or null when absent. */
export async function lstatOrNull(file: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(file);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return null;
    throw err;
  }
}

/** Removes a file (or link) if present. */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (err) {
    if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') throw err;
  }
}

/** Renames if the source exists; false when it did not. */
export async function renameIfExists(from: string, to: string): Promise<boolean> {
  try {
    await fs.promises.rename(from, to);
    return true;
  } catch (err) {
    if (code(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Moves `from` back to `to` unless something is at `to` already (link, then
 * unlink: no rename-over): false when `to` is taken and `from` stays.
 */
export async function linkBack(from: string, to: string): Promise<boolean> {
  try {
    await fs.promises.link(from, to);
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    throw err;
  }
  await fs.promises.unlink(from);
  return true;
}

/** `YYYY-mm-dd_HH_MM_SS.ffffff` in UTC: the suffix the original gives acknowledged files. */
export function ackTimestamp(now: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getUTCFullYear()}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds() * 1000, 6)}`;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
