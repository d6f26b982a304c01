import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';

/** Repository root, from both test/helpers (vitest) and dist/test/helpers (compiled). */
export const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

/** A spawned harvester process with its output collected for assertions. */
export interface HarvesterProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout lines that parse as pino JSON. */
  logs(): LogLine[];
  /** Resolves with the first log line matching `pred`; rejects after `timeoutMs` or when the process exits first. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process exits, with its exit code or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** IPC messages received from the child (needs `ipc: true`). */
  messages: unknown[];
}

export function spawnNode(script: string, args: string[], opts: { env?: NodeJS.ProcessEnv; ipc?: boolean; cwd?: string } = {}): HarvesterProcess {
  const stdio: StdioOptions = opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [script, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio,
  });
  let out = '';
  let err = '';
  const messages: unknown[] = [];
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  child.on('message', (m: unknown) => messages.push(m));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  const logs = (): LogLine[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  const waitForLog = (pred: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = logs().find(pred);
        if (hit) {
          done();
          resolve(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before the expected log line\nstdout:\n${out}\nstderr:\n${err}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line\nstdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, logs, waitForLog, exited, messages };
}

/** Resolves with `exited`, or rejects after `ms` (and SIGKILLs the child so no test leaves it behind). */
export async function exitWithin(p: HarvesterProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${ms} ms\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
