/**
 * Environment overrides. Every key `[section] key` can be set by
 * `HARVESTER_<SECTION>_<KEY>` with section and key upper-cased as written
 * (`HARVESTER_DB_PASSWORD`, `HARVESTER_MONITOR_FIFOENABLE`,
 * `HARVESTER_SERVICE_MONITOR_ACTIVE`), and a few keys also by a shorter
 * natural name (the leaf's `env`, e.g. `HARVESTER_ID`, `HARVESTER_LOG_LEVEL`).
 * The names are matched against the schema, not split on "_", because section
 * and key names contain underscores. Other HARVESTER_* variables
 * (HARVESTER_CONFIG, HARVESTER_INSTANCE_CONFIG_URL, ...) are not config keys
 * and are ignored here.
 */
import { allLeaves } from './schema';

export interface EnvBinding {
  section: string;
  key: string;
}

export function envNameFor(section: string, key: string): string {
  return `HARVESTER_${section.toUpperCase()}_${key.toUpperCase()}`;
}

function buildEnvMap(): ReadonlyMap<string, EnvBinding> {
  const map = new Map<string, EnvBinding>();
  const add = (name: string, b: EnvBinding): void => {
    const prev = map.get(name);
    // Two keys on one variable would make an override silently ambiguous.
    if (prev) throw new Error(`config schema: ${name} maps to both ${prev.section}.${prev.key} and ${b.section}.${b.key}`);
    map.set(name, b);
  };
  for (const [section, key, leaf] of allLeaves()) {
    add(envNameFor(section, key), { section, key });
    if (leaf.env) add(leaf.env, { section, key });
  }
  return map;
}

/** Variable name → key, canonical names and aliases alike. */
export const ENV_BINDINGS: ReadonlyMap<string, EnvBinding> = buildEnvMap();

/** The environment variables naming `section.key` (canonical first). */
export function envNamesOf(section: string, key: string): string[] {
  return [...ENV_BINDINGS.entries()]
    .filter(([, b]) => b.section === section && b.key === key)
    .map(([name]) => name)
    .sort((a, b) => (a === envNameFor(section, key) ? -1 : b === envNameFor(section, key) ? 1 : a.localeCompare(b)));
}

export interface EnvSetting extends EnvBinding {
  name: string;
  value: string;
}

/**
 * The config settings present in `env`, aliases before canonical names so the
 * canonical (more specific) name wins when both are set.
 */
export function readEnvSettings(env: NodeJS.ProcessEnv): EnvSetting[] {
  const found: EnvSetting[] = [];
  for (const [name, b] of ENV_BINDINGS) {
    const value = env[name];
    if (value !== undefined) found.push({ ...b, name, value });
  }
  return found.sort((a, b) => Number(a.name === envNameFor(a.section, a.key)) - Number(b.name === envNameFor(b.section, b.key)));
}
