/**
 * Turns the text of one setting (from the INI file, a remote INI, an
 * environment variable or a `--set` override) into the typed value its schema
 * leaf declares, with the original's literal rules (True/False/None, digits,
 * multi-line lists, JSON spanning lines). Errors name the source, section and
 * key and say what was expected; a secret's text is never echoed.
 */
import { ConfigError, type ConfigErrorContext } from './errors';
import { splitLines } from './ini';
import { checkValue, describeExpected, type AnyLeaf, type JsonValue } from './leaf';

export interface RawSetting {
  /** Trimmed text; lines of a multi-line value joined with "\n". */
  text: string;
  multiline: boolean;
}

/** Variable substitution applied to file/remote values (not to env/CLI ones). */
export interface Substituter {
  text(s: string): string;
  json(v: JsonValue): JsonValue;
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);
const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function coerceSetting(leaf: AnyLeaf, raw: RawSetting, subst: Substituter | null, ctx: ConfigErrorContext): unknown {
  const got = (shown: string): string => (leaf.sensitive ? 'a value (not shown: secret)' : JSON.stringify(shown));
  const fail = (shown: string): never => {
    throw new ConfigError(ctx, `expected ${describeExpected(leaf)}, got ${got(shown)}`);
  };
  const sub = (s: string): string => (subst ? subst.text(s) : s);
  const scalarText = (): string => {
    if (raw.multiline) {
      throw new ConfigError(ctx, `expected ${describeExpected(leaf)} on one line, got a value continued on indented lines`);
    }
    return sub(raw.text).trim();
  };
  // `None` (the original's literal) and, for non-string types, empty text mean "not set".
  const isNone = (t: string): boolean => t === 'None' || (t === '' && leaf.kind !== 'string');

  let value: unknown;
  switch (leaf.kind) {
    case 'int':
    case 'number': {
      const t = scalarText();
      if (isNone(t) && leaf.nullable) value = null;
      else if (leaf.kind === 'int' ? INT_RE.test(t) : NUM_RE.test(t)) value = Number(t);
      else fail(t);
      break;
    }
    case 'bool': {
      const t = scalarText().toLowerCase();
      if (TRUE.has(t)) value = true;
      else if (FALSE.has(t)) value = false;
      else fail(raw.text);
      break;
    }
    case 'string':
    case 'enum': {
      const t = scalarText();
      value = t === 'None' && leaf.nullable ? null : t;
      break;
    }
    case 'factor': {
      const t = scalarText();
      if (t === 'auto') value = 'auto';
      else if (NUM_RE.test(t)) value = Number(t);
      else fail(t);
      break;
    }
    case 'list':
      value = parseList(raw, sub, ctx);
      break;
    case 'csv':
      value = splitLines(raw.text.replace(/,/g, '\n')).map(sub).map((s) => s.trim()).filter((s) => s !== '');
      break;
    case 'jsonObject':
    case 'jsonList': {
      const t = raw.text.trim();
      if (isNone(t) && leaf.nullable) {
        value = null;
        break;
      }
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(t) as JsonValue;
      } catch (err) {
        throw new ConfigError(ctx, `expected ${describeExpected(leaf)}, got invalid JSON (${(err as Error).message})`);
      }
      // Substitute after parsing so a variable's value cannot break the JSON syntax.
      value = subst ? subst.json(parsed) : parsed;
      break;
    }
  }
  const problem = checkValue(leaf, value);
  if (problem) {
    const shown = typeof value === 'string' ? got(value) : undefined;
    throw new ConfigError(ctx, problem.includes(', got ') || shown === undefined ? problem : `${problem}, got ${shown}`);
  }
  return value;
}

/**
 * A list value: one item per indented line in a file; on one line (env, CLI,
 * or a one-item file value such as `queueList = ALL`) either a JSON list of
 * strings or a single item.
 */
function parseList(raw: RawSetting, sub: (s: string) => string, ctx: ConfigErrorContext): string[] {
  if (raw.multiline) return splitLines(raw.text).map(sub);
  const t = raw.text.trim();
  if (t === '') return [];
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch (err) {
      throw new ConfigError(ctx, `expected a JSON list of strings, got invalid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
      throw new ConfigError(ctx, 'expected a JSON list of strings');
    }
    return parsed.map(sub);
  }
  return splitLines(t).map(sub);
}
