import fs from 'node:fs';
import path from 'node:path';
import type sqlite3 from 'sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import * as C from '../../src/db/claim';
import type { Database } from '../../src/db/connect';
import type { SqlExecutor } from '../../src/db/sql';
import { closeSqliteConnection, openSqliteConnection } from '../../src/db/sqlite-connection';
import { sqliteSettings } from '../helpers/db-settings';
import { useMigratedDatabase } from '../helpers/migrated-db';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const ME = 'preparator-hostA_100-0';

/** The executor, counting the transactions opened through it. */
function counting(inner: SqlExecutor): { sql: SqlExecutor; transactions: () => number } {
  let n = 0;
  const sql: SqlExecutor = {
    dialect: inner.dialect,
    all: (s, p) => inner.all(s, p),
    run: (s, p) => inner.run(s, p),
    transaction: (fn) => {
      n++;
      return inner.transaction(fn);
    },
    session: (fn) => inner.session(fn),
  };
  return { sql, transactions: () => n };
}

const claim = (sql: SqlExecutor) => C.claimJobsToPrepare(sql, { owner: ME, phase: 'trigger', interval: 60, lockInterval: 600, limit: 10, now: T0 });

// One settings object for the whole file: a 1 s busy timeout, so a claim that
// wrongly waits for the write lock fails with SQLITE_BUSY instead of hanging.
const settings = { ...sqliteSettings(), busyTimeout: 1000 };

describe('sqlite claims with nothing to claim', () => {
  let db: Database;
  useMigratedDatabase(() => settings, async () => undefined, (d) => { db = d; });
  afterAll(() => fs.rmSync(path.dirname(settings.database_filename), { recursive: true, force: true }));

  it('probe with one read once a claim came back empty, and claim at once when rows appear', async () => {
    const { sql, transactions } = counting(db.sql);
    // The module remembers claim SQL across executors: start from a claim that found rows.
    await db.sql.run("INSERT INTO job_table (PandaID, subStatus) VALUES (1, 'fetched')");
    expect((await claim(sql)).rows.map((r) => r.PandaID)).toEqual([1]);
    expect(transactions()).toBe(1);

    expect((await claim(sql)).rows).toEqual([]); // last claim found rows: a full claim, which finds none
    expect(transactions()).toBe(2);
    expect((await claim(sql)).rows).toEqual([]); // idle: the probe answers, no transaction
    expect((await claim(sql)).rows).toEqual([]);
    expect(transactions()).toBe(2);

    await db.sql.run("INSERT INTO job_table (PandaID, subStatus) VALUES (2, 'fetched'), (3, 'preparing')");
    const c = await claim(sql);
    expect(c.rows.map((r) => r.PandaID)).toEqual([2]); // the probe saw the due row (not the other phase's)
    expect(transactions()).toBe(3);
    const [row] = await db.sql.all<{ lockedBy: string | null }>('SELECT lockedBy FROM job_table WHERE PandaID = 2');
    expect(row?.lockedBy).toBe(ME);
  });

  it('an idle claimer does not wait for the write lock another connection holds', async () => {
    await db.sql.run('DELETE FROM job_table');
    expect((await claim(db.sql)).rows).toEqual([]); // now known idle
    const other: sqlite3.Database = await openSqliteConnection(settings.database_filename, 1000);
    try {
      await new Promise<void>((resolve, reject) => other.exec('BEGIN IMMEDIATE', (err) => (err ? reject(err) : resolve())));
      // With BEGIN IMMEDIATE first, this would fail with SQLITE_BUSY after the 1 s busy timeout.
      expect((await claim(db.sql)).rows).toEqual([]);
      await new Promise<void>((resolve, reject) => other.exec('ROLLBACK', (err) => (err ? reject(err) : resolve())));
    } finally {
      await closeSqliteConnection(other);
    }
  });
});
