import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire, isBuiltin } from 'node:module';
import { CATEGORY_DIRS, ORIGINAL_SUFFIXES, type PluginCategory } from './categories';
import type { PluginErrorCode } from './errors';

/**
 * Finding the file behind a plugin config's `module` (see docs/plugins.md
 * "Resolution"). Pure file-system lookups; loading is the factory's job.
 */

/** True when this file runs as TypeScript source (vitest), so plugin files are `.ts` too. */
const RUNNING_FROM_SOURCE = __filename.endsWith('.ts');

/**
 * `plugins/` next to `src/`: `<root>/src/plugins/locate.ts` → `<root>/plugins`,
 * and compiled `<root>/dist/src/plugins/locate.js` → `<root>/dist/plugins`.
 * Relative to this file, never to the cwd, so a daemon started from anywhere
 * finds its plugins.
 */
export const DEFAULT_PLUGIN_ROOT = path.resolve(__dirname, '..', '..', 'plugins');

/** The project root: where our own node_modules lives (for npm plugins installed next to harvester). */
const PROJECT_ROOT = RUNNING_FROM_SOURCE ? path.resolve(__dirname, '..', '..') : path.resolve(__dirname, '..', '..', '..');

export const DEFAULT_PACKAGE_PATHS: readonly string[] = [PROJECT_ROOT];

const PLUGIN_EXTENSIONS = RUNNING_FROM_SOURCE ? ['.ts', '.js'] : ['.js'];
const PATH_EXTENSIONS = RUNNING_FROM_SOURCE ? ['.js', '.cjs', '.mjs', '.ts'] : ['.js', '.cjs', '.mjs'];

export type ModuleSource = 'builtin' | 'package' | 'path';

export interface LocatedModule {
  source: ModuleSource;
  file: string;
}

/** A lookup that failed, with the factory's error code and a reason for the operator. */
export class LocateError extends Error {
  constructor(readonly code: PluginErrorCode, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
}

export interface LocateOptions {
  module: string;
  category: PluginCategory;
  pluginRoot: string;
  /** Directories whose node_modules hierarchies are searched for packages. */
  packagePaths: readonly string[];
  cwd: string;
  /** Directory of the queue config file, first base for relative paths. */
  configDir?: string;
  /** Paths are honoured only from the operator's local config. */
  trustedPaths: boolean;
}

function isPathLike(module: string): boolean {
  return path.isAbsolute(module) || module === '.' || module === '..' || module.startsWith('./') || module.startsWith('../');
}

const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const NPM_NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*(\/[A-Za-z0-9._~\/-]+)?$/i;

/**
 * File names under `plugins/<category>/` a module may mean, most specific
 * first: `dummy_submitter` → `dummy_submitter`, `dummy-submitter`, `dummy`;
 * `pandaharvester.harvestersubmitter.slurm_submitter` → the same for
 * `slurm_submitter` (the original's package path is dropped).
 */
export function builtinCandidates(module: string, category: PluginCategory): string[] {
  const base = module.startsWith('pandaharvester.') ? module.slice(module.lastIndexOf('.') + 1) : module;
  if (!SIMPLE_NAME.test(base)) return [];
  const names = [base, base.replace(/_/g, '-')];
  const underscored = base.replace(/-/g, '_');
  for (const suffix of ORIGINAL_SUFFIXES[category]) {
    if (underscored.length > suffix.length && underscored.endsWith(suffix)) {
      const stripped = underscored.slice(0, -suffix.length);
      names.push(stripped, stripped.replace(/_/g, '-'));
    }
  }
  return [...new Set(names)];
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Module names available under `plugins/<category>/` (for error messages and docs). */
export function listBuiltins(category: PluginCategory, pluginRoot: string = DEFAULT_PLUGIN_ROOT): string[] {
  const dir = path.join(pluginRoot, CATEGORY_DIRS[category]);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const names = entries
    .filter((f) => PLUGIN_EXTENSIONS.some((ext) => f.endsWith(ext)) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js)$/, ''));
  return [...new Set(names)].sort();
}

function locateBuiltin(o: LocateOptions): string | undefined {
  const dir = path.join(o.pluginRoot, CATEGORY_DIRS[o.category]);
  for (const name of builtinCandidates(o.module, o.category)) {
    for (const ext of PLUGIN_EXTENSIONS) {
      const file = path.join(dir, name + ext);
      if (isFile(file)) return file;
    }
  }
  return undefined;
}

function locatePackage(o: LocateOptions): string | undefined {
  if (!NPM_NAME.test(o.module) || isBuiltin(o.module)) return undefined;
  const req = createRequire(__filename);
  try {
    return req.resolve(o.module, { paths: [...o.packagePaths] });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The package itself is absent: keep looking. Anything else (a broken
    // package.json, missing "exports" entry) is the package's fault: say so.
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${o.module}'`)) return undefined;
    throw new LocateError('LOAD_FAILED', `npm package "${o.module}" cannot be resolved: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

function locatePath(o: LocateOptions): string | undefined {
  const bases = path.isAbsolute(o.module)
    ? [o.module]
    : [...(o.configDir ? [path.resolve(o.configDir, o.module)] : []), path.resolve(o.cwd, o.module)];
  for (const base of bases) {
    if (isFile(base)) return base;
    for (const ext of PATH_EXTENSIONS) if (isFile(base + ext)) return base + ext;
    try {
      // A directory: a package folder (package.json main) or index.js.
      if (fs.statSync(base).isDirectory()) return createRequire(__filename).resolve(base);
    } catch {
      // not there; next base
    }
  }
  return undefined;
}

/**
 * Finds the file for `module`: a path when it looks like one (absolute, `./`,
 * `../`; only when `trustedPaths`), otherwise `plugins/<category>/` first, then
 * an npm package from `packagePaths`.
 * @throws LocateError with MODULE_NOT_FOUND, PATH_NOT_ALLOWED or LOAD_FAILED.
 */
export function locateModule(o: LocateOptions): LocatedModule {
  if (isPathLike(o.module)) {
    if (!o.trustedPaths) {
      throw new LocateError('PATH_NOT_ALLOWED',
        'path modules are only allowed in the local queue config file, not from a remote source; install the plugin as an npm package or under plugins/');
    }
    const file = locatePath(o);
    if (file) return { source: 'path', file };
    const tried = path.isAbsolute(o.module) ? o.module : [o.configDir, o.cwd].filter(Boolean).map((d) => path.resolve(d as string, o.module)).join(', ');
    throw new LocateError('MODULE_NOT_FOUND', `no file at ${tried}`);
  }
  const builtin = locateBuiltin(o);
  if (builtin) return { source: 'builtin', file: builtin };
  const pkg = locatePackage(o);
  if (pkg) return { source: 'package', file: pkg };
  const available = listBuiltins(o.category, o.pluginRoot);
  const candidates = builtinCandidates(o.module, o.category);
  throw new LocateError('MODULE_NOT_FOUND',
    `module not found: no ${candidates.length ? candidates.map((c) => `${c}`).join('|') : o.module} under ` +
    `${path.join(o.pluginRoot, CATEGORY_DIRS[o.category])} (available: ${available.join(', ') || 'none'}), ` +
    `and no npm package "${o.module}" resolvable from ${o.packagePaths.join(', ')}`);
}
