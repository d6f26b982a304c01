import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { SqlError } from './errors';

function exec(conn: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.run(sql, (err: Error | null) => (err ? reject(new SqlError('sqlite', sql, err)) : resolve())));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Creates the directory the database file lives in (not for ':memory:'). */
export function ensureParentDir(file: string): void {
  if (file === ':memory:' || file.startsWith('file:')) return;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}

/**
 * The per-connection settings every sqlite connection gets: busy_timeout FIRST
 * (so the WAL switch below waits for other processes instead of failing with
 * "database is locked" when two processes open a new file at once), then WAL
 * and synchronous=NORMAL (durable at checkpoints, no fsync per commit, which is
 * safe in WAL mode), and temp_store=MEMORY.
 */
export async function configureSqliteConnection(conn: sqlite3.Database, busyTimeoutMs: number): Promise<void> {
  await exec(conn, `PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // journal_mode=WAL needs an exclusive moment on a fresh file; the busy handler
  // covers most of it, the loop covers a rollback-journal to WAL transition race.
  const deadline = Date.now() + Math.max(busyTimeoutMs, 1000);
  for (;;) {
    try {
      await exec(conn, 'PRAGMA journal_mode = WAL');
      break;
    } catch (err) {
      if ((err as SqlError).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await sleep(20 + Math.random() * 30);
    }
  }
  await exec(conn, 'PRAGMA synchronous = NORMAL');
  // Sorts and ephemeral tables (ORDER BY of a claim, IN over json_each) in
  // memory: they hold at most a batch of keys, and as files each one was an
  // `etilqs_*` create and delete in TMPDIR, which on ext4 without a journal
  // costs up to milliseconds of kernel time when many files were deleted there.
  await exec(conn, 'PRAGMA temp_store = MEMORY');
  // The schema declares no foreign keys (the original has none); ON keeps the
  // behaviour identical to TypeORM's own connection, which always enables it.
  await exec(conn, 'PRAGMA foreign_keys = ON');
}

/** Opens one raw sqlite3 connection with the settings above. */
export async function openSqliteConnection(file: string, busyTimeoutMs: number): Promise<sqlite3.Database> {
  ensureParentDir(file);
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const c = new sqlite3.Database(file, (err: Error | null) => (err ? reject(new Error(`sqlite: cannot open ${file}: ${err.message}`, { cause: err })) : resolve(c)));
  });
  try {
    await configureSqliteConnection(conn, busyTimeoutMs);
  } catch (err) {
    conn.close(() => undefined);
    throw new Error(`sqlite: cannot configure ${file}: ${(err as Error).message}`, { cause: err });
  }
  return conn;
}

export function closeSqliteConnection(conn: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => conn.close((err: Error | null) => (err ? reject(err) : resolve())));
}
