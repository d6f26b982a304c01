import type { Command } from 'commander';
import { loadSystemConfig } from '../../config/load';
import { renderConfigJson, renderConfigText } from '../../config/print';
import { globalOptions } from '../main';

/** `harvester config print [--json]`: the resolved system configuration, secrets masked. */
export function register(program: Command): void {
  const config = program.command('config').description('system configuration');
  config
    .command('print')
    .description('print the resolved system configuration with the origin of each value (default, file, remote, env, cli); secrets masked')
    .option('--json', 'print JSON: {file, config, origins}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      // A ConfigError propagates to main(): one message naming file, section and key; exit 2.
      const loaded = await loadSystemConfig({ file: g.config, overrides: g.set });
      process.stdout.write(opts.json ? renderConfigJson(loaded) : renderConfigText(loaded));
    });
}
