/**
 * A small pino line formatter for people (`[master] logFormat = pretty`): one
 * short text line per record, `HH:MM:SS LEVEL [agent] message key=value ...`,
 * instead of a JSON object. No dependency (pino-pretty is not installed): it
 * parses the JSON pino already made. Only scalar fields are shown — nested
 * objects would make a line unreadable; `json` keeps everything for machines.
 */

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields already in the line's prefix, or noise for a person. */
const SKIPPED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'agent', 'thread', 'v']);
const MAX_VALUE = 120;

export interface PrettyOptions {
  /** ANSI colour for the level (a terminal). */
  colour: boolean;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const s = v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE)}…` : v;
    return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return undefined;
}

function errorText(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return scalarText(err);
  const e = err as { message?: unknown; type?: unknown };
  return typeof e.message === 'string' ? JSON.stringify(e.message) : undefined;
}

function clock(time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  return Number.isNaN(d.getTime()) ? String(time) : d.toTimeString().slice(0, 8);
}

/** One JSON log line (pino output) → one text line; a line that is not JSON passes unchanged. */
export function formatPretty(line: string, opts: PrettyOptions): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof rec.level === 'number' ? rec.level : 30;
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  const levelText = opts.colour ? `\u001b[${LEVEL_COLOURS[level] ?? '0'}m${name}\u001b[0m` : name;
  const who = typeof rec.agent === 'string' ? ` [${rec.agent}${typeof rec.thread === 'number' ? `#${rec.thread}` : ''}]` : '';
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (SKIPPED.has(k)) continue;
    const text = k === 'err' ? errorText(v) : scalarText(v);
    if (text !== undefined) fields.push(`${k}=${text}`);
  }
  const msg = typeof rec.msg === 'string' ? rec.msg : '';
  return `${clock(rec.time)} ${levelText}${who} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}

/** A pino destination wrapper that writes pretty lines to `dest`. */
export function prettyStream(dest: { write(s: string): unknown; flush?(cb: (err?: Error) => void): void }, opts: PrettyOptions): {
  write(s: string): void;
  flush(cb: (err?: Error) => void): void;
} {
  return {
    write: (s: string) => {
      // pino writes one record per call, newline-terminated.
      for (const line of s.split('\n')) if (line) dest.write(formatPretty(line, opts));
    },
    flush: (cb) => (dest.flush ? dest.flush(cb) : cb()),
  };
}
