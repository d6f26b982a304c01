import type { Command } from 'commander';
import v8 from 'node:v8';
import { MasterRunningError } from '../../agents/pid-file';
import { runMaster } from '../../master';
import { QueueConfigError } from '../../queue-config/errors';
import { EXIT_USAGE, globalOptions } from '../main';

/**
 * V8 flags of the master process (not of other CLI commands), set before the
 * agents start (docs/deployment.md):
 * - `--heap-growing-percent=100`: after each full GC, V8 lets the old
 *   generation grow to 2× the live data instead of up to 4× — the master's
 *   live heap is small (~15–30 MB) but it churns. In bench/e2e.ts at 20000 jobs
 *   peak RSS is ~185 MB with it, ~250 MB without; 1.5× (50) gave ~170 MB but
 *   8 % more CPU per job from the extra full collections (docs/deployment.md).
 *   A bound relative to live data, not an absolute cap.
 * - `--interrupt-budget=1048576`: V8 hands a function to its optimizing
 *   compiler after a small budget of work; the master's code is mostly
 *   lukewarm glue, and with the default budget the background compiler threads
 *   spent ~1 s of CPU per 2000 jobs in bench/e2e.ts (a quarter of the total)
 *   optimizing code that then barely ran. With 1 MB only the hot functions are
 *   optimized: −20–25 % CPU per job, the main thread unchanged.
 * `HARVESTER_V8_FLAGS` replaces the default ('' = V8's own behaviour). Set at
 * runtime, so a flag this V8 does not know is ignored rather than refusing to
 * start.
 */
export const DEFAULT_MASTER_V8_FLAGS = '--heap-growing-percent=100 --interrupt-budget=1048576';

export function applyMasterV8Flags(env: NodeJS.ProcessEnv = process.env): string {
  const flags = (env.HARVESTER_V8_FLAGS ?? DEFAULT_MASTER_V8_FLAGS).trim();
  for (const f of flags.split(/\s+/).filter(Boolean)) v8.setFlagsFromString(f);
  return flags;
}

/** `harvester start [--once]`: the master in the foreground (PM2 or a terminal supervises it). */
export function register(program: Command): void {
  program
    .command('start')
    .description('run the master with every enabled agent in the foreground until SIGINT/SIGTERM')
    .option('--once', 'every agent runs one cycle, then the master shuts down (the original --single)')
    .action(async (opts: { once?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      applyMasterV8Flags();
      let code: number;
      try {
        code = await runMaster({ ...(g.config !== undefined ? { configFile: g.config } : {}), overrides: g.set, once: opts.once ?? false });
      } catch (err) {
        if (err instanceof QueueConfigError) {
          // A broken local queue config is the operator's input: every problem listed, exit 2 (as a bad system config).
          process.stderr.write(`harvester: ${err.message}\n`);
          code = EXIT_USAGE;
        } else if (err instanceof MasterRunningError) {
          process.stderr.write(`harvester: ${err.message}\n`);
          code = 1;
        } else {
          throw err;
        }
      }
      // Exit explicitly: an IPC channel (PM2) or a lingering pool handle must not keep a stopped master alive.
      process.exit(code);
    });
}
