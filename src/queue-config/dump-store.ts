/**
 * configID dumps (qcdump_table): every distinct resolved config of a queue is
 * stored once, so a worker submitted under configID N keeps resolving the
 * plugins of version N after the file changes. The SQL store is safe when
 * several processes load the same new config at once: the dump insert is
 * insert-or-ignore on the unique dumpUniqueName, and the configID is read back.
 */
import type { SqlExecutor } from '../db/sql';
import { canonicalJson, dumpUniqueName } from './checksum';

export interface StoredDump {
  readonly configID: number;
  readonly queueName: string;
  readonly checksum: string;
  readonly dumpUniqueName: string;
  /** The dumped config (QueueConfig without queueStatus/configID). */
  readonly data: Record<string, unknown>;
}

export interface ConfigDumpStore {
  /** configID of this exact config of `queueName`, storing a new dump when unseen. */
  idFor(queueName: string, checksum: string, data: Record<string, unknown>): Promise<number>;
  load(configID: number): Promise<StoredDump | undefined>;
}

/** For `qconf validate` and tests without a database: ids live as long as the process. */
export class MemoryConfigDumpStore implements ConfigDumpStore {
  private readonly byUnique = new Map<string, StoredDump>();
  private readonly byId = new Map<number, StoredDump>();
  private next = 1;

  async idFor(queueName: string, checksum: string, data: Record<string, unknown>): Promise<number> {
    const unique = dumpUniqueName(queueName, checksum);
    const found = this.byUnique.get(unique);
    if (found) return found.configID;
    const dump: StoredDump = { configID: this.next++, queueName, checksum, dumpUniqueName: unique, data: JSON.parse(canonicalJson(data)) as Record<string, unknown> };
    this.byUnique.set(unique, dump);
    this.byId.set(dump.configID, dump);
    return dump.configID;
  }

  async load(configID: number): Promise<StoredDump | undefined> {
    return this.byId.get(configID);
  }
}

const SEQ_NAME = 'SEQ_configID';

export class SqlConfigDumpStore implements ConfigDumpStore {
  constructor(private readonly sql: SqlExecutor) {}

  private get insertIgnore(): string {
    return this.sql.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  }

  private async existingId(unique: string): Promise<number | undefined> {
    const rows = await this.sql.all<{ configID: number | string }>('SELECT configID FROM qcdump_table WHERE dumpUniqueName = ?', [unique]);
    return rows[0] ? Number(rows[0].configID) : undefined;
  }

  /** Next SEQ_configID, as the original (UPDATE +1 then SELECT), seeding the row when the table has none. */
  private async nextConfigID(tx: SqlExecutor): Promise<number> {
    const bump = (): Promise<{ changes: number }> => tx.run('UPDATE seq_table SET curVal = curVal + 1 WHERE numberName = ?', [SEQ_NAME]);
    if ((await bump()).changes === 0) {
      const seeded = await tx.run(
        `${this.insertIgnore} INTO seq_table (numberName, curVal) SELECT ?, COALESCE(MAX(configID), 0) + 1 FROM qcdump_table`,
        [SEQ_NAME],
      );
      if (seeded.changes === 0) await bump(); // another process seeded it first
    }
    const rows = await tx.all<{ curVal: number | string }>('SELECT curVal FROM seq_table WHERE numberName = ?', [SEQ_NAME]);
    if (!rows[0]) throw new Error(`seq_table has no ${SEQ_NAME} row after seeding it`);
    return Number(rows[0].curVal);
  }

  async idFor(queueName: string, checksum: string, data: Record<string, unknown>): Promise<number> {
    const unique = dumpUniqueName(queueName, checksum);
    const known = await this.existingId(unique);
    if (known !== undefined) return known;
    await this.sql.transaction(async (tx) => {
      const configID = await this.nextConfigID(tx);
      await tx.run(
        `${this.insertIgnore} INTO qcdump_table (configID, queueName, checksum, dumpUniqueName, creationTime, data) VALUES (?, ?, ?, ?, ?, ?)`,
        [configID, queueName, checksum, unique, new Date(), canonicalJson(data)],
      );
    });
    // Read back: if another process stored the same config first, its configID is the one.
    const id = await this.existingId(unique);
    if (id === undefined) throw new Error(`qcdump_table: no row for ${unique} after inserting it (queue ${queueName})`);
    return id;
  }

  async load(configID: number): Promise<StoredDump | undefined> {
    const rows = await this.sql.all<{ configID: number | string; queueName: string; checksum: string; dumpUniqueName: string; data: string | Buffer | null }>(
      'SELECT configID, queueName, checksum, dumpUniqueName, data FROM qcdump_table WHERE configID = ?',
      [configID],
    );
    const row = rows[0];
    if (!row || row.data === null) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(row.data.toString());
    } catch (err) {
      throw new Error(`qcdump_table configID ${configID} (queue ${row.queueName}): data is not JSON: ${(err as Error).message}`);
    }
    return { configID: Number(row.configID), queueName: row.queueName, checksum: row.checksum, dumpUniqueName: row.dumpUniqueName, data: data as Record<string, unknown> };
  }

  /**
   * Deletes dumps older than `olderThan` that no job or worker references and
   * that are not being served (`keep`) — the original's 24 h clean-up.
   */
  async purgeUnused(olderThan: Date, keep: readonly number[]): Promise<number> {
    const keepList = keep.length ? ` AND configID NOT IN (${keep.map(() => '?').join(', ')})` : '';
    const res = await this.sql.run(
      `DELETE FROM qcdump_table WHERE creationTime < ?${keepList}
         AND configID NOT IN (SELECT configID FROM job_table WHERE configID IS NOT NULL)
         AND configID NOT IN (SELECT configID FROM work_table WHERE configID IS NOT NULL)`,
      [olderThan, ...keep],
    );
    return res.changes;
  }
}
