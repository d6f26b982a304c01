import { describe, expect, it } from 'vitest';
import { claimJobsToPrepare } from '../../src/db/claim';
import type { Database } from '../../src/db/connect';
import { ENTITIES, JobEntity, SeqNumberEntity, WorkEntity } from '../../src/db/entities';
import type { DbSettings } from '../../src/db/settings';
import { toSqlDateTime } from '../../src/db/dates';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { useMigratedDatabase } from '../helpers/migrated-db';

/** The ORM and the hand-written SQL must agree on tables, columns and the timestamp format. */
function entityTests(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let db: Database;
  useMigratedDatabase(settingsFor, cleanup, (d) => { db = d; });

  it('every entity maps onto a migrated table with a primary key', async () => {
    expect(ENTITIES).toHaveLength(13);
    for (const e of ENTITIES) {
      const meta = (await db.dataSource()).getMetadata(e);
      expect(meta.primaryColumns.length, meta.tableName).toBeGreaterThan(0);
      // Selecting every mapped column proves the columns exist under the original names.
      await (await db.dataSource()).getRepository(e).find({ take: 1 });
    }
    const seqs = await (await db.dataSource()).getRepository(SeqNumberEntity).find({ order: { numberName: 'ASC' } });
    expect(seqs.map((s) => s.numberName)).toEqual(['SEQ_configID', 'SEQ_workerID']);
  });

  it('rows written by the ORM are claimable by SQL, and SQL-written times read back as the same Date', async () => {
    const repo = (await db.dataSource()).getRepository(JobEntity);
    const created = new Date('2030-02-03T04:05:06.789Z');
    await repo.save(repo.create({ PandaID: 9_000_000_001, subStatus: 'fetched', computingSite: 'Q', creationTime: created, preparatorTime: new Date(Date.now() - 3_600_000) }));
    const [raw] = await db.sql.all<{ creationTime: unknown }>('SELECT creationTime FROM job_table WHERE PandaID = ?', [9_000_000_001]);
    const text = raw.creationTime instanceof Date ? toSqlDateTime(raw.creationTime) : raw.creationTime;
    expect(text).toBe('2030-02-03 04:05:06.789');

    const now = new Date('2031-01-01T00:00:00.123Z');
    const c = await claimJobsToPrepare(db.sql, { owner: 'preparator-h_1-0', phase: 'trigger', interval: 60, lockInterval: 600, limit: 5, now });
    expect(c.rows).toEqual([{ PandaID: 9_000_000_001, computingSite: 'Q' }]);
    const job = await repo.findOneByOrFail({ PandaID: 9_000_000_001 });
    expect(job.lockedBy).toBe('preparator-h_1-0');
    expect(job.preparatorTime).toEqual(now);
    expect(job.creationTime).toEqual(created);
    expect(job.nWorkers).toBe(0); // DEFAULT 0 from the migration
  });

  it('auto-increment and surrogate keys work through the ORM', async () => {
    const w = (await db.dataSource()).getRepository(WorkEntity);
    await w.save(w.create({ workerID: 77, status: 'submitted', computingSite: 'Q' }));
    expect((await w.findOneByOrFail({ workerID: 77 })).status).toBe('submitted');
    const res = await db.sql.run('INSERT INTO jw_table (PandaID, workerID, relationType) VALUES (?, ?, ?)', [9_000_000_001, 77, 'OneToOne']);
    expect(res.lastInsertId).toBeGreaterThan(0);
  });
}

describe('entities and SQL on sqlite', () => {
  entityTests(() => sqliteSettings(), async () => undefined);
});

describeMariaDB('entities and SQL on MariaDB', (env) => {
  entityTests(() => mariadbSettings(env, uniquePrefix('ent')), (s) => dropPrefixedTables(env, s.tablePrefix ?? ''));
});
