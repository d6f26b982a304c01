import sqlite3 from 'sqlite3';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { Logger } from '../log';
import { MariaDBExecutor, type MysqlPool } from './mariadb-executor';
import type { DbSettings } from './settings';
import type { Dialect, SqlExecutor } from './sql';
import { closeSqliteConnection, ensureParentDir, openSqliteConnection } from './sqlite-connection';
import { SqliteExecutor } from './sqlite-executor';
import { PrefixedExecutor } from './table-prefix';

/**
 * sqlite3 as TypeORM gets it: TypeORM calls `sqlite3.verbose()`, which patches
 * every Database/Statement method of the module process-wide with a wrapper
 * that creates an Error and util.inspect()s all arguments on each call — a
 * third of the pipeline's JS time. This copy's verbose() skips the patching.
 */
const sqlite3WithoutTrace: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, { verbose: () => sqlite3 });

/**
 * TypeORM and the entities, loaded on first use: on sqlite no agent needs the
 * ORM, and loading it (with reflect-metadata and its driver layer) costs ~27 MB
 * of resident memory and ~0.1 s of startup in every process (issue 4).
 */
async function newDataSource(options: DataSourceOptions): Promise<DataSource> {
  await import('reflect-metadata');
  const [{ DataSource: DataSourceClass }, { ENTITIES }] = await Promise.all([import('typeorm'), import('./entities')]);
  return new DataSourceClass({ ...options, entities: ENTITIES } as DataSourceOptions);
}

export interface Database {
  dialect: Dialect;
  /**
   * TypeORM, for entity reads/writes outside the claim hot path. Never
   * synchronize. On sqlite it is opened on the first call (its own
   * connection); on MariaDB it is the pool `sql` runs on, open from the start.
   */
  dataSource(): Promise<DataSource>;
  /** Hand-written SQL (claims, releases, migrations). */
  sql: SqlExecutor;
  close(): Promise<void>;
}

/**
 * Opens the database described by `[db]`. The schema is not touched: call
 * `migrate()` next.
 *
 * sqlite: TypeORM keeps its own connection; `sql` gets a second, raw sqlite3
 * connection to the same file. With one shared connection any ORM statement
 * issued while a claim transaction is open would silently join (or break) that
 * transaction; with two, sqlite's file lock isolates them and busy_timeout
 * makes one wait for the other.
 */
export async function openDatabase(db: DbSettings, log?: Logger): Promise<Database> {
  const prefix = db.tablePrefix ?? '';
  const wrap = (e: SqlExecutor): SqlExecutor => (prefix ? new PrefixedExecutor(e, prefix) : e);
  if (db.engine === 'sqlite') return openSqlite(db, prefix, wrap, log);
  if (db.engine === 'mariadb') return openMariaDB(db, prefix, wrap, log);
  throw new Error(`db.engine: expected 'sqlite' or 'mariadb', got ${JSON.stringify(db.engine)}`);
}

async function openSqlite(db: DbSettings, prefix: string, wrap: (e: SqlExecutor) => SqlExecutor, log?: Logger): Promise<Database> {
  const file = db.database_filename;
  if (file === ':memory:' || file === '') {
    // TypeORM and the claim executor use two connections; two in-memory databases would silently diverge.
    throw new Error(`db.database_filename: a file path is required for sqlite (got ${JSON.stringify(file)}); use a temp file for throw-away databases`);
  }
  ensureParentDir(file);
  // Raw connection first: it switches the file to WAL with busy_timeout already
  // set; TypeORM's enableWAL would issue the switch before its busy_timeout.
  const raw = await openSqliteConnection(file, db.busyTimeout);
  log?.info({ file }, 'sqlite database opened (WAL, synchronous=NORMAL)');
  const executor = new SqliteExecutor(raw);
  let orm: Promise<DataSource> | undefined;
  const openOrm = async (): Promise<DataSource> => {
    const dataSource = await newDataSource({
      type: 'sqlite',
      driver: sqlite3WithoutTrace,
      database: file,
      entityPrefix: prefix || undefined,
      synchronize: false,
      migrationsRun: false,
      busyTimeout: db.busyTimeout,
      logging: false,
    });
    try {
      await dataSource.initialize();
      await dataSource.query('PRAGMA synchronous = NORMAL');
      await dataSource.query('PRAGMA temp_store = MEMORY');
    } catch (err) {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      throw new Error(`sqlite: cannot open ${file} with TypeORM: ${(err as Error).message}`, { cause: err });
    }
    return dataSource;
  };
  return {
    dialect: 'sqlite',
    dataSource() {
      // A failed open is not cached: the next call tries again.
      orm ??= openOrm().catch((err: unknown) => {
        orm = undefined;
        throw err;
      });
      return orm;
    },
    sql: wrap(executor),
    async close() {
      await executor.close();
      await closeSqliteConnection(raw);
      const ds = orm ? await orm.catch(() => undefined) : undefined;
      if (ds?.isInitialized) await ds.destroy();
    },
  };
}

/** Errors worth waiting out at startup: the server is down, restarting or overloaded. */
function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && [
    'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST',
    'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
  ].includes(code);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function openMariaDB(db: DbSettings, prefix: string, wrap: (e: SqlExecutor) => SqlExecutor, log?: Logger): Promise<Database> {
  const where = `${db.user}@${db.host}:${db.port}/${db.schema}`;
  const deadline = Date.now() + Math.max(0, db.reconnectTimeout) * 1000;
  for (let attempt = 1; ; attempt++) {
    const dataSource = await newDataSource({
      type: 'mysql',
      connectorPackage: 'mysql2',
      host: db.host,
      port: db.port,
      username: db.user,
      password: db.password,
      database: db.schema,
      entityPrefix: prefix || undefined,
      synchronize: false,
      migrationsRun: false,
      logging: false,
      // Naive UTC both ways: DATETIME(3) values are UTC wall-clock times.
      timezone: 'Z',
      charset: 'utf8mb4',
      poolSize: Math.max(1, db.nConnections),
      // PandaIDs exceed 2^31: BIGINTs come back as numbers (strings only beyond 2^53).
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: 10_000,
    });
    try {
      await dataSource.initialize();
      const pool = (dataSource.driver as unknown as { pool?: MysqlPool }).pool;
      if (!pool) throw new Error('TypeORM mysql driver exposes no pool');
      log?.info({ where, poolSize: db.nConnections }, 'MariaDB database opened');
      return {
        dialect: 'mariadb',
        dataSource: () => Promise.resolve(dataSource),
        sql: wrap(new MariaDBExecutor(pool)),
        async close() {
          if (dataSource.isInitialized) await dataSource.destroy();
        },
      };
    } catch (err) {
      const left = deadline - Date.now();
      if (!isUnreachable(err) || left <= 0) {
        throw new Error(`MariaDB ${where}: cannot connect: ${(err as Error).message}`, { cause: err });
      }
      // The original's back-off: 1 s + 2 s per attempt, bounded by reconnectTimeout.
      const wait = Math.min(1000 + 2000 * (attempt - 1), left);
      log?.warn({ where, attempt, waitMs: wait, err: (err as Error).message }, 'MariaDB unreachable, retrying');
      await sleep(wait);
    }
  }
}
