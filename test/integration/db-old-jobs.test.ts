/**
 * deleteOldJobs (the original's delete_old_jobs) finds old `done` jobs with
 * two index range scans (migration 0003); both branches and every exclusion
 * must hold on both engines.
 */
import { expect, it, describe } from 'vitest';
import type { Database } from '../../src/db/connect';
import { deleteOldJobs } from '../../src/db/repo/sweeper-deletes';
import type { DbSettings } from '../../src/db/settings';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { useMigratedDatabase } from '../helpers/migrated-db';

const NOW = new Date('2031-06-01T12:00:00.000Z');
const KEEP = 3600;
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

function oldJobTests(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let db: Database;
  useMigratedDatabase(settingsFor, cleanup, (d) => { db = d; });

  it('deletes done jobs modified before keep or created before twice keep, with their files; nothing else', async () => {
    const rows: Array<[number, string, Date, Date, Date | null]> = [
      // PandaID, subStatus, creationTime, modificationTime, propagatorTime
      [1, 'done', ago(1.5 * KEEP), ago(1.2 * KEEP), null], // modified before keep
      [2, 'done', ago(2.5 * KEEP), ago(10), null], // recently touched but created before 2 × keep
      [3, 'done', ago(1.5 * KEEP), ago(10), null], // young on both counts
      [4, 'to_transfer', ago(5 * KEEP), ago(5 * KEEP), null], // not done
      [5, 'done', ago(5 * KEEP), ago(5 * KEEP), ago(1)], // still to propagate
      [6, 'done', ago(5 * KEEP), ago(5 * KEEP), null], // both branches: deleted once
    ];
    for (const [id, sub, created, modified, prop] of rows) {
      await db.sql.run('INSERT INTO job_table (PandaID, status, subStatus, creationTime, modificationTime, propagatorTime) VALUES (?, ?, ?, ?, ?, ?)',
        [id, sub === 'done' ? 'finished' : 'transferring', sub, created, modified, prop]);
      await db.sql.run("INSERT INTO file_table (PandaID, lfn, status, fileType) VALUES (?, ?, 'finished', 'output')", [id, `f${id}`]);
    }
    expect(await deleteOldJobs(db.sql, KEEP, NOW)).toBe(3);
    const left = (await db.sql.all('SELECT PandaID FROM job_table ORDER BY PandaID')).map((r) => Number(r.PandaID));
    expect(left).toEqual([3, 4, 5]);
    const files = (await db.sql.all('SELECT PandaID FROM file_table ORDER BY PandaID')).map((r) => Number(r.PandaID));
    expect(files).toEqual([3, 4, 5]);
  });
}

describe('deleteOldJobs on sqlite', () => {
  oldJobTests(() => sqliteSettings(), async () => undefined);
});

describeMariaDB('deleteOldJobs on MariaDB', (env) => {
  oldJobTests(() => mariadbSettings(env, uniquePrefix('oldjobs')), (s) => dropPrefixedTables(env, s.tablePrefix ?? ''));
});
