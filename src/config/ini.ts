/**
 * INI parser for the original's `panda_harvester.cfg` layout (Python
 * configparser conventions): `[section]`, `key = value` or `key: value`,
 * full-line `#`/`;` comments, values continued on indented lines (e.g.
 * `queueList` with one queue per line, JSON spanning lines). Keys keep their
 * case (the original's keys are camelCase). Errors carry the line number.
 */
import { ConfigError } from './errors';
import type { JsonValue } from './leaf';

export interface IniEntry {
  key: string;
  /** Trimmed text; continuation lines joined with "\n" (the first line may be empty). */
  value: string;
  /** True when the value had continuation lines. */
  multiline: boolean;
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  entries: IniEntry[];
}

export interface IniDocument {
  sections: IniSection[];
}

const SECTION_RE = /^\[([^\]]+)\]\s*$/;
const isComment = (trimmed: string): boolean => trimmed.startsWith('#') || trimmed.startsWith(';');

/**
 * Parses INI text. `source` (file path or URL) prefixes error messages with the
 * line number; `file` is the system configuration file the error is about
 * (differs from `source` for a remote instance configuration).
 */
export function parseIni(text: string, source: string, file: string = source): IniDocument {
  const doc: IniDocument = { sections: [] };
  let section: IniSection | undefined;
  let entry: IniEntry | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (lineNo: number, detail: string, sectionName?: string, key?: string): never => {
    throw new ConfigError({ file, source: `${source}:${lineNo}`, section: sectionName, key }, detail);
  };

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    // Blank and comment lines never end a multi-line value in configparser:
    // the value goes on with the next indented line.
    if (trimmed === '' || isComment(trimmed)) return;
    const indented = /^\s/.test(raw);
    if (indented && entry) {
      entry.value += `\n${trimmed}`;
      entry.multiline = true;
      return;
    }
    if (indented && !section) fail(lineNo, `indented line outside any section: ${JSON.stringify(trimmed)}`);
    const header = SECTION_RE.exec(trimmed);
    if (header && !indented) {
      const name = header[1].trim();
      const dup = doc.sections.find((s) => s.name === name);
      if (dup) fail(lineNo, `section appears twice (first at line ${dup.line})`, name);
      section = { name, line: lineNo, entries: [] };
      doc.sections.push(section);
      entry = undefined;
      return;
    }
    if (!section) return fail(lineNo, `a [section] header must come first, got ${JSON.stringify(trimmed)}`);
    const sep = firstSeparator(trimmed);
    if (sep < 0) return fail(lineNo, `expected "key = value", got ${JSON.stringify(trimmed)}`, section.name);
    const key = trimmed.slice(0, sep).trim();
    if (key === '') return fail(lineNo, `missing key before "${trimmed[sep]}"`, section.name);
    const dup = section.entries.find((e) => e.key === key);
    if (dup) fail(lineNo, `key appears twice in the section (first at line ${dup.line})`, section.name, key);
    entry = { key, value: trimmed.slice(sep + 1).trim(), multiline: false, line: lineNo };
    section.entries.push(entry);
  });
  return doc;
}

function firstSeparator(s: string): number {
  const eq = s.indexOf('=');
  const colon = s.indexOf(':');
  if (eq < 0) return colon;
  if (colon < 0) return eq;
  return Math.min(eq, colon);
}

/** A value converted as the original does, without a schema. */
export type OriginalValue = JsonValue;

/**
 * The original's schema-less conversion (facts §7.3): `True`/`False`/`None`
 * literals, all-digit text → integer (floats stay text), a multi-line JSON
 * list/object → parsed JSON, other multi-line text → list of trimmed non-empty
 * lines. Schema-driven parsing (coerce.ts) uses the same rules per key type.
 */
export function convertIniValue(entry: Pick<IniEntry, 'value' | 'multiline'>): OriginalValue {
  const v = entry.value;
  if (v === 'True') return true;
  if (v === 'False') return false;
  if (v === 'None') return null;
  if (/^\d+$/.test(v)) return Number(v);
  if (entry.multiline) {
    const json = tryParseJsonBlock(v);
    if (json !== undefined) return json;
    return splitLines(v);
  }
  return v;
}

/** Trimmed non-empty lines of a multi-line value. */
export function splitLines(v: string): string[] {
  return v.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Parsed JSON when the text is a JSON list or object, else undefined. */
export function tryParseJsonBlock(v: string): JsonValue | undefined {
  const t = v.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return undefined;
  try {
    return JSON.parse(t) as JsonValue;
  } catch {
    return undefined;
  }
}
