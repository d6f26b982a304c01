import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { DbSettings } from '../../src/db/settings';
import { TABLE_NAMES } from '../../src/db/tables';

/** A fresh sqlite file for one benchmark run. */
export function benchSqlite(): { settings: DbSettings; cleanup: () => Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-bench-'));
  return {
    settings: {
      engine: 'sqlite', database_filename: path.join(dir, 'bench.db'), host: '', port: 0, user: '', password: '', schema: '',
      nConnections: 1, reconnectTimeout: 0, busyTimeout: 60_000,
    },
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * MariaDB from MARIADB_* (as exported by scripts/services/start-mariadb.sh), with
 * a private table prefix: the account cannot create databases and others use HARVESTER.
 */
export function benchMariaDB(env: NodeJS.ProcessEnv = process.env): { settings: DbSettings; cleanup: () => Promise<void> } | undefined {
  if (!env.MARIADB_HOST) return undefined;
  const prefix = `bench_${process.pid}_`;
  const settings: DbSettings = {
    engine: 'mariadb', database_filename: '', host: env.MARIADB_HOST, port: Number(env.MARIADB_PORT ?? 3306),
    user: env.MARIADB_USER ?? 'harvester', password: env.MARIADB_PASSWORD ?? '', schema: env.MARIADB_DATABASE ?? 'HARVESTER',
    nConnections: 2, reconnectTimeout: 5, busyTimeout: 0, tablePrefix: prefix,
  };
  return {
    settings,
    cleanup: async () => {
      const c = await mysql.createConnection({ host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.schema });
      try {
        for (const t of TABLE_NAMES) await c.query(`DROP TABLE IF EXISTS \`${prefix}${t}\``);
      } finally {
        await c.end();
      }
    },
  };
}
