import { describe, expect, it } from 'vitest';
import { MariaDBExecutor, type MysqlConnection, type MysqlPool } from '../../src/db/mariadb-executor';

/** A pool whose connections log statements and fail the ones `failOn` says. */
function fakePool(failOn: (sql: string, n: number) => { errno: number; code: string } | undefined) {
  const log: string[] = [];
  let n = 0;
  const conn: MysqlConnection = {
    query(sql, _values, cb) {
      log.push(sql);
      const err = failOn(sql, n++);
      if (err) cb(Object.assign(new Error(err.code), err), undefined);
      else cb(null, sql.startsWith('SELECT') ? [{ x: 1 }] : { affectedRows: 1, insertId: 0 });
    },
    release() {
      log.push('(release)');
    },
  };
  const pool: MysqlPool = { getConnection: (cb) => cb(null, conn) };
  return { pool, log };
}

describe('MariaDBExecutor', () => {
  it('retries a transaction that hit a deadlock, after rolling it back', async () => {
    let failed = false;
    const { pool, log } = fakePool((sql) => {
      if (sql.startsWith('UPDATE') && !failed) {
        failed = true;
        return { errno: 1213, code: 'ER_LOCK_DEADLOCK' };
      }
      return undefined;
    });
    const ex = new MariaDBExecutor(pool, { attempts: 3, baseDelayMs: 1 });
    let calls = 0;
    const out = await ex.transaction(async (tx) => {
      calls++;
      await tx.all('SELECT 1');
      return (await tx.run('UPDATE t SET a = 1')).changes;
    });
    expect(out).toBe(1);
    expect(calls).toBe(2);
    expect(log.filter((l) => !l.startsWith('SET SESSION'))).toEqual([
      'START TRANSACTION', 'SELECT 1', 'UPDATE t SET a = 1', 'ROLLBACK', '(release)',
      'START TRANSACTION', 'SELECT 1', 'UPDATE t SET a = 1', 'COMMIT', '(release)',
    ]);
  });

  it('does not retry other errors, and gives up after the configured attempts', async () => {
    const { pool } = fakePool((sql) => (sql.startsWith('UPDATE') ? { errno: 1062, code: 'ER_DUP_ENTRY' } : undefined));
    const ex = new MariaDBExecutor(pool, { attempts: 3, baseDelayMs: 1 });
    let calls = 0;
    await expect(ex.transaction(async (tx) => { calls++; await tx.run('UPDATE t SET a = 1'); })).rejects.toThrow(/ER_DUP_ENTRY.*UPDATE t SET a = 1/);
    expect(calls).toBe(1);

    const lw = fakePool((sql) => (sql.startsWith('UPDATE') ? { errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' } : undefined));
    const ex2 = new MariaDBExecutor(lw.pool, { attempts: 3, baseDelayMs: 1 });
    let calls2 = 0;
    await expect(ex2.transaction(async (tx) => { calls2++; await tx.run('UPDATE t SET a = 1'); })).rejects.toThrow(/ER_LOCK_WAIT_TIMEOUT/);
    expect(calls2).toBe(3);
  });
});
