/**
 * `$VAR` / `${VAR}` substitution inside configuration values. Unlike the
 * original (which replaces the whole value and drops the text after the
 * variable, facts §14.7) the variable is replaced in place: `${HOME}/x` →
 * `/home/me/x`. `$$` is a literal `$`; a `$` not followed by a name or `{`
 * (e.g. the FIFO's `$(TITLE)` placeholder) is left alone. `HOSTNAME` falls back
 * to the short host name, as in the original, when the environment lacks it.
 */
import os from 'node:os';
import { ConfigError, type ConfigErrorContext } from './errors';
import type { JsonValue } from './leaf';

const VAR_RE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes variables in `text`; an undefined variable → ConfigError naming it. */
export function substituteVars(text: string, env: NodeJS.ProcessEnv, ctx: ConfigErrorContext): string {
  if (!text.includes('$')) return text;
  if (/\$\{(?![A-Za-z_][A-Za-z0-9_]*\})/.test(text)) {
    throw new ConfigError(ctx, `malformed variable reference in ${JSON.stringify(text)}: expected \${NAME}`);
  }
  return text.replace(VAR_RE, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = lookup(name, env);
    if (value === undefined) {
      throw new ConfigError(ctx, `environment variable ${name} is not defined (used as ${whole}; write $$ for a literal $)`);
    }
    return value;
  });
}

/** Substitutes inside every string of a parsed JSON value (keys untouched). */
export function substituteJson(value: JsonValue, env: NodeJS.ProcessEnv, ctx: ConfigErrorContext): JsonValue {
  if (typeof value === 'string') return substituteVars(value, env, ctx);
  if (Array.isArray(value)) return value.map((v) => substituteJson(v, env, ctx));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteJson(v, env, ctx);
    return out;
  }
  return value;
}

function lookup(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const v = env[name];
  if (v !== undefined) return v;
  if (name === 'HOSTNAME') return os.hostname().split('.')[0];
  return undefined;
}
