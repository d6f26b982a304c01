/**
 * Loads the system configuration. Precedence, lowest to highest:
 *   schema default < INI file < remote instance config (HARVESTER_INSTANCE_CONFIG_URL)
 *   < environment (HARVESTER_<SECTION>_<KEY>) < CLI overrides (--set section.key=value).
 * The remote layer sits above the file so a central service can steer a fleet
 * (the original did the opposite: local files won); secrets are refused from it.
 * Strict: any unknown section/key, bad value, missing file or missing required
 * value throws one ConfigError naming file, section, key and what is expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import convict from 'convict';
import { coerceSetting, type RawSetting, type Substituter } from './coerce';
import { readEnvSettings, envNamesOf } from './env';
import { ConfigError, type ConfigErrorContext } from './errors';
import { parseIni, type IniDocument } from './ini';
import { fetchRemoteConfigText, REMOTE_URL_ENV } from './remote';
import {
  allLeaves, isKnownSection, isSecretKey, leafOf, MAP_SECTION, SECTION_DOCS, SECTION_NAMES, schema,
  type HarvesterConfig,
} from './schema';
import { substituteJson, substituteVars } from './substitute';

export type ConfigOrigin = 'default' | 'file' | 'env' | 'cli' | 'remote';

export interface LoadedConfig {
  config: HarvesterConfig;
  /** The configuration file read (as given: relative to the working directory when relative). */
  file: string;
  /** Where each value came from, keyed "section.key" (every key, and each [log_level] entry). */
  origins: Record<string, ConfigOrigin>;
}

export interface LoadSystemConfigOptions {
  /** Config file; default HARVESTER_CONFIG from `env`, else etc/harvester.cfg. */
  file?: string;
  /** Environment for overrides, substitution and HARVESTER_INSTANCE_CONFIG_URL; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** "section.key=value" overrides (the CLI's --set), applied last. */
  overrides?: string[];
  /** Read HARVESTER_INSTANCE_CONFIG_URL when set; default true. */
  fetchRemote?: boolean;
}

export const DEFAULT_CONFIG_FILE = 'etc/harvester.cfg';

/** The config file a load would read: explicit, else HARVESTER_CONFIG, else etc/harvester.cfg. */
export function resolveConfigFile(file?: string, env: NodeJS.ProcessEnv = process.env): string {
  return file ?? (env.HARVESTER_CONFIG || DEFAULT_CONFIG_FILE);
}

export async function loadSystemConfig(opts: LoadSystemConfigOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const file = resolveConfigFile(opts.file, env);
  const layers = new Layers(file);

  layers.applyIni(parseIni(await readConfigFile(file), file), 'file', file, env);

  const url = env[REMOTE_URL_ENV];
  if (url && opts.fetchRemote !== false) {
    const text = await fetchRemoteConfigText(url, file);
    layers.applyIni(parseIni(text, url, file), 'remote', url, env);
  }

  for (const s of readEnvSettings(env)) {
    layers.apply(s.section, s.key, { text: s.value, multiline: false }, 'env', null, { file, source: `env ${s.name}`, section: s.section, key: s.key });
  }

  for (const o of opts.overrides ?? []) {
    const { section, key, value } = parseOverride(o, file);
    layers.apply(section, key, { text: value, multiline: false }, 'cli', null, { file, source: `--set ${section}.${key}`, section, key });
  }

  return { config: layers.resolve(), file, origins: layers.origins };
}

async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(path.resolve(file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : code;
    throw new ConfigError({ file }, `cannot read the system configuration file (${why}); pass --config FILE or set HARVESTER_CONFIG`);
  }
}

/** Splits "section.key=value"; the value may contain "=" and be empty. */
export function parseOverride(o: string, file: string): { section: string; key: string; value: string } {
  const eq = o.indexOf('=');
  const name = eq < 0 ? o : o.slice(0, eq);
  const dot = name.indexOf('.');
  if (eq < 0 || dot <= 0 || dot === name.length - 1) {
    throw new ConfigError({ file, source: `--set ${o}` }, 'expected section.key=value');
  }
  return { section: name.slice(0, dot).trim(), key: name.slice(dot + 1).trim(), value: o.slice(eq + 1) };
}

/** Accumulates values and origins over the layers, then validates the whole. */
class Layers {
  readonly origins: Record<string, ConfigOrigin> = {};
  private readonly values: Record<string, Record<string, unknown>> = {};

  constructor(private readonly file: string) {
    for (const [section, key, leaf] of allLeaves()) {
      (this.values[section] ??= {})[key] = structuredClone(leaf.default);
      this.origins[`${section}.${key}`] = 'default';
    }
    this.values[MAP_SECTION] = {};
  }

  applyIni(doc: IniDocument, origin: 'file' | 'remote', source: string, env: NodeJS.ProcessEnv): void {
    for (const section of doc.sections) {
      if (!isKnownSection(section.name)) {
        throw new ConfigError(
          { file: this.file, source: `${source}:${section.line}`, section: section.name },
          `unknown section${suggest(section.name, [...SECTION_NAMES, MAP_SECTION])} (known: ${Object.keys(SECTION_DOCS).join(', ')})`,
        );
      }
      for (const e of section.entries) {
        const ctx: ConfigErrorContext = { file: this.file, source: `${source}:${e.line}`, section: section.name, key: e.key };
        const subst: Substituter = { text: (s) => substituteVars(s, env, ctx), json: (v) => substituteJson(v, env, ctx) };
        this.apply(section.name, e.key, { text: e.value, multiline: e.multiline }, origin, subst, ctx);
      }
    }
  }

  apply(section: string, key: string, raw: RawSetting, origin: ConfigOrigin, subst: Substituter | null, ctx: ConfigErrorContext): void {
    if (!isKnownSection(section)) {
      throw new ConfigError(ctx, `unknown section${suggest(section, [...SECTION_NAMES, MAP_SECTION])}`);
    }
    const leaf = leafOf(section, key);
    if (!leaf) {
      const known = Object.keys(schema[section as keyof typeof schema]);
      throw new ConfigError(ctx, `unknown key${suggest(key, known)} (keys of [${section}]: ${known.join(', ')})`);
    }
    if (origin === 'remote' && isSecretKey(section, key)) {
      throw new ConfigError(ctx, 'refused from the remote instance configuration: secrets must come from a local file or the environment');
    }
    this.values[section][key] = coerceSetting(leaf, raw, subst, ctx);
    this.origins[`${section}.${key}`] = origin;
  }

  resolve(): HarvesterConfig {
    for (const [section, key, leaf] of allLeaves()) {
      if (leaf.required && isEmpty(this.values[section][key])) {
        const how = [...envNamesOf(section, key), `--set ${section}.${key}=...`].join(', ');
        throw new ConfigError({ file: this.file, section, key }, `a value is required (set it in the file, or with ${how})`);
      }
    }
    const conf = convict(convictDefinition() as unknown as convict.Schema<HarvesterConfig>, { env: {}, args: [] });
    conf.load(this.values as unknown as HarvesterConfig);
    try {
      conf.validate({ allowed: 'strict' });
    } catch (err) {
      // Values were checked per key already; this is the schema's last word, kept
      // so the convict schema stays the single authority.
      throw new ConfigError({ file: this.file }, `invalid configuration: ${(err as Error).message}`);
    }
    return conf.getProperties();
  }
}

function convictDefinition(): Record<string, unknown> {
  return { ...schema, [MAP_SECTION]: { doc: SECTION_DOCS[MAP_SECTION], format: Object, default: {} } };
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/** " (did you mean X?)" for a close match (case or a typo away), else "". */
function suggest(name: string, candidates: string[]): string {
  const lower = name.toLowerCase();
  const best = candidates
    .map((c) => ({ c, d: c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? ` (did you mean ${best.c}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

