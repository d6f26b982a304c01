/**
 * Renders a loaded configuration for `harvester config print`: every value
 * with its origin, secrets replaced by "***" (an unset secret shows as empty,
 * which reveals nothing). Masking happens on the data before any formatting,
 * so neither the text nor the JSON form can leak a secret.
 */
import type { LoadedConfig } from './load';
import { isSecretKey, MAP_SECTION, SECTION_NAMES } from './schema';

export const MASK = '***';

type Printable = Record<string, Record<string, unknown>>;

/** The configuration with every non-empty secret replaced by "***". */
export function maskSecrets(loaded: LoadedConfig): Printable {
  const out: Printable = {};
  const config = loaded.config as unknown as Printable;
  for (const section of [...SECTION_NAMES, MAP_SECTION]) {
    out[section] = {};
    for (const [key, value] of Object.entries(config[section] ?? {})) {
      out[section][key] = isSecretKey(section, key) && !isUnset(value) ? MASK : value;
    }
  }
  return out;
}

function isUnset(v: unknown): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** JSON: `{ file, config: {section: {key: value}}, origins: {"section.key": origin} }`. */
export function renderConfigJson(loaded: LoadedConfig): string {
  return `${JSON.stringify({ file: loaded.file, config: maskSecrets(loaded), origins: loaded.origins }, null, 2)}\n`;
}

/** Text in the INI layout, each key followed by `# origin` (for reading, not for loading back). */
export function renderConfigText(loaded: LoadedConfig): string {
  const masked = maskSecrets(loaded);
  const lines = [`# resolved system configuration from ${loaded.file} (secrets masked as ${MASK})`];
  for (const [section, keys] of Object.entries(masked)) {
    const entries = Object.entries(keys);
    if (section === MAP_SECTION && entries.length === 0) continue;
    lines.push('', `[${section}]`);
    for (const [key, value] of entries) {
      const origin = loaded.origins[`${section}.${key}`] ?? 'default';
      const [first, ...rest] = formatValue(value);
      lines.push(`${`${key} = ${first}`.padEnd(48)} # ${origin}`, ...rest.map((l) => `  ${l}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A value in the original's INI spelling: lists one per indented line, JSON on one line. */
function formatValue(value: unknown): string[] {
  if (value === null) return ['None'];
  if (typeof value === 'boolean') return [value ? 'True' : 'False'];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.length ? ['', ...value] : [''];
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}
