import type sqlite3 from 'sqlite3';
import { SqlError } from './errors';

/**
 * Prepared statements per SQL text (LRU). node-sqlite3's `db.run(sql)` prepares,
 * runs and finalizes on the thread pool, three round trips per call; a cached
 * statement needs one. The claim and release SQL repeat with new parameters
 * every cycle, so this is most of their per-call overhead.
 * Only used under the executor's mutex: a statement never runs twice at once.
 */
export class StatementCache {
  private readonly map = new Map<string, sqlite3.Statement>();

  constructor(private readonly conn: sqlite3.Database, private readonly max = 256) {}

  async get(sql: string): Promise<sqlite3.Statement> {
    const hit = this.map.get(sql);
    if (hit) {
      this.map.delete(sql);
      this.map.set(sql, hit);
      return hit;
    }
    const stmt = await new Promise<sqlite3.Statement>((resolve, reject) => {
      const s = this.conn.prepare(sql, (err: Error | null) => (err ? reject(new SqlError('sqlite', sql, err)) : resolve(s)));
    });
    this.map.set(sql, stmt);
    if (this.map.size > this.max) {
      const [oldest, st] = this.map.entries().next().value as [string, sqlite3.Statement];
      this.map.delete(oldest);
      st.finalize();
    }
    return stmt;
  }

  /** Finalizes every statement (before closing the connection). */
  async clear(): Promise<void> {
    const all = [...this.map.values()];
    this.map.clear();
    await Promise.all(all.map((s) => new Promise<void>((r) => s.finalize(() => r()))));
  }
}
