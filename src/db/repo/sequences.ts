import type { SqlExecutor } from '../sql';

/**
 * Reserves `n` consecutive values of a `seq_table` sequence (SEQ_workerID,
 * SEQ_configID) and returns the first. One UPDATE + SELECT in a transaction, so
 * concurrent processes never get overlapping ranges (the row is write-locked by
 * the UPDATE until commit on both engines).
 */
export async function reserveSequence(sql: SqlExecutor, name: string, n = 1): Promise<number> {
  if (n < 1) throw new Error(`reserveSequence(${name}): n must be >= 1, got ${n}`);
  return sql.transaction(async (tx) => {
    const res = await tx.run('UPDATE seq_table SET curVal = curVal + ? WHERE numberName = ?', [n, name]);
    if (res.changes === 0) {
      await tx.run('INSERT INTO seq_table (numberName, curVal) VALUES (?, ?)', [name, n]);
      return 1;
    }
    const rows = await tx.all<{ curVal: number | string }>('SELECT curVal FROM seq_table WHERE numberName = ?', [name]);
    return Number(rows[0].curVal) - n + 1;
  });
}
