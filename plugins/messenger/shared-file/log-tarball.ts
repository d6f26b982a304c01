import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeTarGz, type TarEntry, type TarResult } from '../../lib/tar';
import { lstatOrNull } from './io';

/**
 * The worker's log tarball, made in post-processing as the original's
 * `tar_directory` did with find | tar (facts §9.1): every sub-dir of the
 * directory is first packed into `<sub-dir>.subdir.tar.gz` (its matching
 * files at any depth; or its ready-made `subTarballName` moved in place),
 * then the tarball gets the directory's own matching files plus those
 * sub-tarballs. Matching = `*.log, *.txt, *.xml, *.json, log*`, never the
 * job spec file (it holds the job's secrets-bearing parameters). Entry names
 * are `./<relative path>` like the original's `find .`.
 *
 * Written with our own tar writer (plugins/lib/tar.ts), not the shell: no
 * quoting issues with payload-chosen names, no dependency on pigz/GNU tar.
 * Symlinks are never followed nor stored, so a payload cannot pull files
 * from outside its access point into the tarball.
 */

const LOG_PATTERNS = ['*.log', '*.txt', '*.xml', '*.json', 'log*'];
export const SUBDIR_SUFFIX = '.subdir.tar.gz';

/** fnmatch for the simple patterns used here (`*`, `?`). */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

const LOG_RES = LOG_PATTERNS.map(globToRegExp);
const SUBDIR_RE = globToRegExp(`*${SUBDIR_SUFFIX}`);

export function isLogFileName(name: string, extra: readonly RegExp[] = []): boolean {
  return LOG_RES.some((re) => re.test(name)) || extra.some((re) => re.test(name));
}

export interface TarballOptions {
  /** Never stored (the job spec file). */
  exclude: readonly string[];
  subTarballName?: string;
  /** Sub-dirs packed at a time. */
  parallel: number;
}

/** Regular files under `dir` (recursively unless `maxDepth` 1), as `./rel` entries; symlinked files and dirs are skipped. */
async function collect(dir: string, accept: (name: string) => boolean, maxDepth: number | null): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const abs = path.join(dir, rel);
    let names: fs.Dirent[];
    try {
      names = await fs.promises.readdir(abs, { withFileTypes: true });
    } catch {
      return; // vanished meanwhile
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const childRel = rel ? path.posix.join(rel, d.name) : d.name;
      if (d.isFile() && accept(d.name)) out.push({ name: `./${childRel}`, source: path.join(dir, childRel) });
      else if (d.isDirectory() && (maxDepth === null || depth + 1 < maxDepth)) await walk(childRel, depth + 1);
    }
  };
  await walk('', 0);
  return out;
}

/** Immediate sub-dirs of `dir` (real directories, not links to them). */
export async function subDirs(dir: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  return entries.filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name)).sort();
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, run));
  return out;
}

export interface SubTarball {
  dir: string;
  tarball: string;
  error?: string;
}

/** `<dir>.subdir.tar.gz` next to `dir`: its ready-made sub-tarball, or its log files at any depth. */
async function tarSubDir(dir: string, opts: TarballOptions): Promise<SubTarball> {
  const tarball = path.join(path.dirname(dir), `${path.basename(dir)}${SUBDIR_SUFFIX}`);
  try {
    if (opts.subTarballName) {
      const ready = path.join(dir, opts.subTarballName);
      const st = await lstatOrNull(ready);
      if (st?.isFile()) {
        await fs.promises.rename(ready, tarball);
        return { dir, tarball };
      }
    }
    const entries = await collect(dir, (n) => isLogFileName(n) && !opts.exclude.includes(n), null);
    await writeTarGz(tarball, entries);
    return { dir, tarball };
  } catch (err) {
    return { dir, tarball, error: err instanceof Error ? err.message : String(err) };
  }
}

export interface LogTarballResult extends TarResult {
  subTarballs: SubTarball[];
}

/** Makes `tarball` from `dir` (see the module comment). `tarball` itself is never stored in it. */
export async function makeLogTarball(dir: string, tarball: string, opts: TarballOptions): Promise<LogTarballResult> {
  const subs = await mapLimit(await subDirs(dir), opts.parallel, (d) => tarSubDir(d, opts));
  const own = path.basename(tarball);
  const entries = await collect(
    dir,
    (n) => n !== own && !opts.exclude.includes(n) && (isLogFileName(n) || SUBDIR_RE.test(n)) && !n.endsWith('.tmp'),
    1,
  );
  const res = await writeTarGz(tarball, entries);
  return { ...res, subTarballs: subs };
}
