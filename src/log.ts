import pino, { type Logger, type LevelWithSilent } from 'pino';
import { prettyStream } from './log-pretty';

export type { Logger };

const REDACT = [
  'password', '*.password', '*.*.password', 'auth_token', '*.auth_token', '*.*.auth_token',
  'token', '*.token', 'secret', '*.secret',
];

/** `json`: one JSON object per line; `pretty`: text lines for a person; `auto`: pretty on a terminal (stdout only). */
export type LogFormat = 'json' | 'pretty' | 'auto';

/**
 * The root logger: newline-delimited JSON to stdout (or a file), secrets redacted.
 * Agents take child loggers with `{agent, thread}` and per-row `{queue, workerID, PandaID}`.
 */
export function createLogger(opts: { level?: LevelWithSilent; file?: string; name?: string; format?: LogFormat } = {}): Logger {
  // Synchronous writes: a log line is out before the next statement runs, so a
  // crash or process.exit() never loses or reorders the last lines (with async
  // SonicBoom, exit-time flushSync could overtake a write still in flight).
  // Harvester logs a few lines per cycle; a write(2) each costs microseconds.
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination({ dest: 1, sync: true });
  // A log file stays JSON under `auto`: files are for tools (and `harvester` tests parse them).
  const tty = !opts.file && process.stdout.isTTY === true;
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && tty);
  return pino(
    {
      name: opts.name ?? 'harvester',
      level: opts.level ?? (process.env.HARVESTER_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
      redact: { paths: REDACT, censor: '***' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pretty ? prettyStream(dest, { colour: tty }) : dest,
  );
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => undefined;

/**
 * `log.child(bindings)`, made only when something is logged through it.
 * Agents bind `{queue, PandaID}` per row; pino serializes and redacts a
 * child's bindings when the child is made, which for thousands of rows a
 * cycle that log nothing at the configured level was pure cost (~2 % of the
 * master's CPU in bench/e2e.ts). Level methods below the level are no-ops.
 */
export function lazyChild(log: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  return new Proxy(log, {
    get(_target, prop) {
      if (typeof prop === 'string' && LEVEL_METHODS.has(prop) && !log.isLevelEnabled(prop)) return noop;
      child ??= log.child(bindings);
      const v = Reflect.get(child, prop, child) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(child) : v;
    },
  });
}
