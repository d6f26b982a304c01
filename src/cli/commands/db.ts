import type { Command } from 'commander';
import { loadSystemConfig } from '../../config/load';
import { openDatabase } from '../../db/connect';
import { migrate } from '../../db/migrate';
import { createLogger } from '../../log';
import { globalOptions } from '../main';

/** `harvester db migrate`: apply pending schema migrations (also done at every start) and exit. */
export function register(program: Command): void {
  const db = program.command('db').description('database administration');
  db.command('migrate')
    .description('apply pending schema migrations to the configured database (safe to run while other processes start)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const loaded = await loadSystemConfig({ file: g.config, overrides: g.set });
      const log = createLogger({ level: 'warn' });
      const database = await openDatabase(loaded.config.db, log);
      try {
        const { applied } = await migrate(database, log);
        const where = database.dialect === 'sqlite' ? loaded.config.db.database_filename : `${loaded.config.db.host}:${loaded.config.db.port}/${loaded.config.db.schema}`;
        process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${database.dialect} ${where}\n` : `${database.dialect} ${where}: schema up to date\n`);
      } finally {
        await database.close();
      }
    });
}
