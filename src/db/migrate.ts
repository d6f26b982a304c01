import type { Logger } from '../log';
import type { Database } from './connect';
import { MIGRATIONS, type Migration } from './migrations';
import type { SqlExecutor } from './sql';

const BOOKKEEPING: Record<SqlExecutor['dialect'], string> = {
  sqlite: 'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT NOT NULL PRIMARY KEY, appliedAt TEXT NOT NULL)',
  mariadb:
    'CREATE TABLE IF NOT EXISTS schema_migrations (id VARCHAR(64) NOT NULL, appliedAt DATETIME(3) NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
};

async function applyPending(s: SqlExecutor, migrations: readonly Migration[], log?: Logger): Promise<string[]> {
  await s.run(BOOKKEEPING[s.dialect]);
  const done = new Set((await s.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    if (done.has(m.id)) continue;
    for (const [i, stmt] of m[s.dialect].entries()) {
      try {
        await s.run(stmt);
      } catch (err) {
        throw new Error(`migration ${m.id} statement ${i + 1} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    await s.run('INSERT INTO schema_migrations (id, appliedAt) VALUES (?, ?)', [m.id, new Date()]);
    log?.info({ migration: m.id, dialect: s.dialect }, 'migration applied');
    applied.push(m.id);
  }
  return applied;
}

/**
 * Applies pending migrations under a database-wide lock so that several
 * processes starting on an empty database do not race:
 * - sqlite: one BEGIN IMMEDIATE transaction (DDL is transactional there); a
 *   second process waits on the write lock, then finds everything applied.
 * - MariaDB: DDL commits implicitly, so the lock is GET_LOCK() on one session.
 *   Its name is per database (and per table prefix: the literal below is
 *   rewritten with the table names when a prefix is set).
 */
export async function migrate(db: Database, log?: Logger): Promise<{ applied: string[] }> {
  return migrateSql(db.sql, log);
}

export async function migrateSql(sql: SqlExecutor, log?: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: string[] }> {
  if (sql.dialect === 'sqlite') {
    return { applied: await sql.transaction((tx) => applyPending(tx, migrations, log)) };
  }
  return sql.session(async (s) => {
    const lockName = "CONCAT(DATABASE(), '.', 'schema_migrations')";
    const [got] = await s.all<{ ok: number | null }>(`SELECT GET_LOCK(${lockName}, 120) AS ok`);
    if (!got || Number(got.ok) !== 1) throw new Error('migrate: could not take the MariaDB migration lock (GET_LOCK) within 120 s');
    try {
      return { applied: await applyPending(s, migrations, log) };
    } finally {
      await s.all(`SELECT RELEASE_LOCK(${lockName}) AS released`).catch(() => undefined);
    }
  });
}
