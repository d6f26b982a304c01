import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DbSettings } from '../../src/db/settings';
import type { MariaDBEnv } from './mariadb';
import { TABLE_NAMES } from '../../src/db/tables';

/** Settings for a fresh sqlite file in a new temp directory. */
export function sqliteSettings(file?: string): DbSettings {
  const f = file ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-db-')), 'harvester.db');
  return {
    engine: 'sqlite', database_filename: f, host: '', port: 0, user: '', password: '', schema: '',
    nConnections: 1, reconnectTimeout: 0, busyTimeout: 30_000,
  };
}

/**
 * Settings for the shared MariaDB test database with a private table prefix:
 * the harvester account may only use HARVESTER (no CREATE DATABASE), and other
 * test files use it at the same time.
 */
export function mariadbSettings(env: MariaDBEnv, tablePrefix: string, nConnections = 4): DbSettings {
  return {
    engine: 'mariadb', database_filename: '', host: env.host, port: env.port, user: env.user, password: env.password,
    schema: env.database, nConnections, reconnectTimeout: 10, busyTimeout: 0, tablePrefix,
  };
}

/** A table prefix unique to this process and purpose, e.g. `t_claim_12345_`. */
export function uniquePrefix(purpose: string): string {
  return `t_${purpose}_${process.pid}_${Math.floor(Math.random() * 1e6)}_`;
}

/** Drops every table of a prefix (cleanup of MariaDB tests and benchmarks). */
export async function dropPrefixedTables(env: MariaDBEnv, prefix: string): Promise<void> {
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ host: env.host, port: env.port, user: env.user, password: env.password, database: env.database });
  try {
    for (const t of TABLE_NAMES) await c.query(`DROP TABLE IF EXISTS \`${prefix}${t}\``);
  } finally {
    await c.end();
  }
}
