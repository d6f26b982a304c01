import type { Command } from 'commander';
import { agentNames, findAgent } from '../../agents/registry';
import { runAgentOnce } from '../../agents/run-once';
import { QueueConfigError } from '../../queue-config/errors';
import { EXIT_USAGE, globalOptions } from '../main';

/** `harvester agent NAME --once [--queue Q]`: one cycle of one agent, for tests and operators. */
export function register(program: Command): void {
  program
    .command('agent')
    .argument('<name>', `agent to run: ${agentNames().join(', ')}`)
    .description("run one cycle of one agent through the daemon's runner, then exit (1 if the cycle failed)")
    .requiredOption('--once', 'run exactly one cycle (required: the continuous daemon is `harvester start`)')
    .option('--queue <name>', 'restrict the cycle to one queue')
    .action(async (name: string, opts: { queue?: string }, cmd: Command) => {
      const factory = findAgent(name);
      if (!factory) {
        process.stderr.write(`harvester: unknown agent "${name}"; valid names: ${agentNames().join(', ')}\n`);
        process.exit(EXIT_USAGE);
      }
      const g = globalOptions(cmd);
      let code: number;
      try {
        code = await runAgentOnce({
          factory,
          ...(g.config !== undefined ? { configFile: g.config } : {}),
          overrides: g.set,
          ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
        });
      } catch (err) {
        if (!(err instanceof QueueConfigError)) throw err;
        process.stderr.write(`harvester: ${err.message}\n`);
        code = EXIT_USAGE;
      }
      process.exit(code);
    });
}
