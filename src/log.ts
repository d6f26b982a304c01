import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const REDACT = [
  'password', '*.password', '*.*.password', 'auth_token', '*.auth_token', '*.*.auth_token',
  'token', '*.token', 'secret', '*.secret',
];

/**
 * The root logger: newline-delimited JSON to stdout (or a file), secrets redacted.
 * Agents take child loggers with `{agent, thread}` and per-row `{queue, workerID, PandaID}`.
 */
export function createLogger(opts: { level?: LevelWithSilent; file?: string; name?: string } = {}): Logger {
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: false }) : pino.destination({ dest: 1, sync: false });
  return pino(
    {
      name: opts.name ?? 'harvester',
      level: opts.level ?? (process.env.HARVESTER_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
      redact: { paths: REDACT, censor: '***' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    dest,
  );
}
