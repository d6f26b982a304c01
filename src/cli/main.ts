import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors';
import { QueueConfigError } from '../queue-config/errors';
import { commands } from './commands';

/** Exit code for bad input (config, arguments): distinct from a crash (1). */
export const EXIT_USAGE = 2;

/**
 * Builds the `harvester` command. Global options: `--config FILE` (or
 * HARVESTER_CONFIG; default etc/harvester.cfg) and `--set section.key=value`
 * overrides, read by every subcommand through `globalOptions(cmd)`.
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('harvester')
    .description('Harvester: a pluggable multi-agent workload harvester (PanDA Harvester in TypeScript)')
    .option('-c, --config <file>', 'system configuration file (INI, panda_harvester.cfg layout); env HARVESTER_CONFIG')
    .option('--set <section.key=value>', 'override one config value (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

export interface GlobalOptions {
  config?: string;
  set: string[];
}

/** The global options as seen from any subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const o = root.opts<{ config?: string; set?: string[] }>();
  return { config: o.config ?? process.env.HARVESTER_CONFIG, set: o.set ?? [] };
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    // A bad system or queue config is the operator's input, not a crash: one
    // message naming file, section/queue and key, exit 2. Subcommands let these
    // errors propagate to here instead of catching them each.
    if (err instanceof ConfigError || err instanceof QueueConfigError) {
      process.stderr.write(`harvester: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw err;
  }
}
