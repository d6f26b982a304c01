import type { Command } from 'commander';
import { MasterRunningError } from '../../agents/pid-file';
import { runMaster } from '../../master';
import { QueueConfigError } from '../../queue-config/errors';
import { EXIT_USAGE, globalOptions } from '../main';

/** `harvester start [--once]`: the master in the foreground (PM2 or a terminal supervises it). */
export function register(program: Command): void {
  program
    .command('start')
    .description('run the master with every enabled agent in the foreground until SIGINT/SIGTERM')
    .option('--once', 'every agent runs one cycle, then the master shuts down (the original --single)')
    .action(async (opts: { once?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
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
