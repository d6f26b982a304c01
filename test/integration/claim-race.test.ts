import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobsToPrepare } from '../../src/db/claim';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import { MIGRATIONS } from '../../src/db/migrations';
import type { DbSettings } from '../../src/db/settings';
import { ClaimProcess, CLAIM_WORKER_JS } from '../helpers/claim-process';
import type { ClaimWorkerArgs } from '../helpers/claim-worker';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { ensureBuilt } from '../helpers/master-build';

const root = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seedJobs(db: Database, n: number): Promise<number[]> {
  await db.sql.run('DELETE FROM job_table');
  const ids = Array.from({ length: n }, (_, i) => 1_000_000_000 + i);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await db.sql.run(
      `INSERT INTO job_table (PandaID, status, subStatus, computingSite) VALUES ${chunk.map(() => "(?, 'starting', 'fetched', 'Q1')").join(', ')}`,
      chunk,
    );
  }
  return ids;
}

function spawnAll(n: number, args: (i: number) => ClaimWorkerArgs): ClaimProcess[] {
  return Array.from({ length: n }, (_, i) => new ClaimProcess(root, args(i)));
}

/** The same race scenarios on any database the settings point to. */
function raceScenarios(settingsFor: (purpose: string) => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let settings: DbSettings;
  let db: Database;

  beforeAll(async () => {
    ensureBuilt([CLAIM_WORKER_JS]);
    settings = settingsFor('claim');
    db = await openDatabase(settings);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    if (settings) await cleanup(settings);
  });

  it('4 processes: every row is claimed exactly once per round', async () => {
    const N = 2000;
    for (let round = 1; round <= 2; round++) {
      const ids = await seedJobs(db, N);
      const startAt = Date.now() + 2500;
      const procs = spawnAll(4, (i) => ({ settings, mode: 'drain', thread: i, batch: 7, startAt }));
      const codes = await Promise.all(procs.map((p) => p.exitCode()));
      expect(codes, procs.map((p) => p.stderr).join('\n')).toEqual([0, 0, 0, 0]);

      const perProc = procs.map((p) => p.claimedIds());
      const all = perProc.flat();
      expect(all.length, `round ${round}: rows claimed more than once`).toBe(N);
      expect(new Set(all).size).toBe(N);
      expect([...all].sort((a, b) => a - b)).toEqual(ids);
      // A real race: more than one process got rows.
      expect(perProc.filter((c) => c.length > 0).length, `round ${round}: per process ${perProc.map((c) => c.length)}`).toBeGreaterThan(1);

      // The database agrees with what each process reported.
      const owners = procs.map((p) => p.lines.find((l) => l.owner)!.owner!);
      const rows = await db.sql.all<{ PandaID: number; lockedBy: string }>('SELECT PandaID, lockedBy FROM job_table');
      const ownerOf = new Map(rows.map((r) => [Number(r.PandaID), r.lockedBy]));
      perProc.forEach((claimed, i) => claimed.forEach((id) => expect(ownerOf.get(id)).toBe(owners[i])));
    }
  });

  it('rows of a SIGKILLed owner are taken over after lockInterval and not before', async () => {
    const lockInterval = 2;
    const ids = await seedJobs(db, 40);
    const holder = new ClaimProcess(root, { settings, mode: 'hold', thread: 0, batch: 100, lockInterval });
    const line = await holder.waitFor((l) => l.claimed !== undefined);
    expect([...line.claimed!].sort((a, b) => a - b)).toEqual(ids);
    holder.child.kill('SIGKILL');
    await holder.exitCode();

    const claimedAt = line.claimedAt!;
    const taker = `taker-${process.pid}-0`;
    let firstTakeover: { at: number; ids: number[] } | undefined;
    let emptyPollsBefore = 0;
    while (!firstTakeover && Date.now() < claimedAt + lockInterval * 1000 + 5000) {
      const now = new Date();
      const c = await claimJobsToPrepare(db.sql, { owner: taker, phase: 'trigger', interval: 3600, lockInterval, limit: 100, now });
      if (c.rows.length > 0) firstTakeover = { at: now.getTime(), ids: c.rows.map((r) => r.PandaID) };
      else {
        emptyPollsBefore++;
        await sleep(100);
      }
    }
    expect(firstTakeover, 'rows never taken over').toBeDefined();
    expect(emptyPollsBefore, 'polled while the lock was still valid').toBeGreaterThan(3);
    // Not before lockInterval (strict '<' in the predicate) and promptly after it.
    expect(firstTakeover!.at - claimedAt).toBeGreaterThan(lockInterval * 1000);
    expect(firstTakeover!.at - claimedAt).toBeLessThan(lockInterval * 1000 + 1500);
    expect([...firstTakeover!.ids].sort((a, b) => a - b)).toEqual(ids);
    const rows = await db.sql.all<{ lockedBy: string }>('SELECT DISTINCT lockedBy FROM job_table');
    expect(rows.map((r) => r.lockedBy)).toEqual([taker]);
  });

  it('a release by a former owner writes nothing', async () => {
    const lockInterval = 1;
    const ids = await seedJobs(db, 10);
    const a = new ClaimProcess(root, { settings, mode: 'claim-wait-release', thread: 1, batch: 100, lockInterval, releaseSubStatus: 'written_by_A' });
    const aLine = await a.waitFor((l) => l.claimed !== undefined);
    expect(aLine.claimed!.length).toBe(10);
    // A is alive but slow: after lockInterval B takes the rows over.
    await sleep(lockInterval * 1000 + 300);
    const b = new ClaimProcess(root, { settings, mode: 'claim-once', thread: 2, batch: 100, lockInterval });
    const bLine = await b.waitFor((l) => l.claimed !== undefined);
    expect([...bLine.claimed!].sort((x, y) => x - y)).toEqual(ids);
    expect(await b.exitCode()).toBe(0);
    const bOwner = b.lines.find((l) => l.owner)!.owner!;

    const before = await db.sql.all('SELECT PandaID, lockedBy, subStatus, preparatorTime FROM job_table ORDER BY PandaID');
    a.child.stdin!.write('release\n');
    const res = await a.waitFor((l) => l.released !== undefined);
    expect(await a.exitCode()).toBe(0);
    expect(res.released).toEqual([]);
    expect(res.lost!.length).toBe(10);
    const after = await db.sql.all('SELECT PandaID, lockedBy, subStatus, preparatorTime FROM job_table ORDER BY PandaID');
    expect(after).toEqual(before);
    expect(new Set(after.map((r) => r.lockedBy))).toEqual(new Set([bOwner]));
    expect(after.every((r) => r.subStatus === 'fetched')).toBe(true);
  });
}

function migrateRace(settingsFor: (purpose: string) => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  it('two processes migrating an empty database at once: both succeed, applied once', async () => {
    ensureBuilt([CLAIM_WORKER_JS]);
    for (let attempt = 0; attempt < 3; attempt++) {
      const settings = settingsFor('mig');
      try {
        const startAt = Date.now() + 2000;
        const procs = spawnAll(2, (i) => ({ settings, mode: 'migrate', thread: i, startAt }));
        const codes = await Promise.all(procs.map((p) => p.exitCode()));
        expect(codes, procs.map((p) => p.stderr).join('\n')).toEqual([0, 0]);
        const applied = procs.map((p) => p.lines.find((l) => l.applied)!.applied!);
        const all = MIGRATIONS.map((m) => m.id);
        // Exactly one of the two applied everything; the other waited for the lock and found nothing to do.
        expect(applied.map((a) => a.length).sort()).toEqual([0, all.length]);
        expect(applied.flat().sort()).toEqual(all);
        const db = await openDatabase(settings);
        try {
          expect((await db.sql.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id)).toEqual(all);
          const seqs = await db.sql.all<{ numberName: string; curVal: number }>('SELECT numberName, curVal FROM seq_table ORDER BY numberName');
          expect(seqs.map((s) => [s.numberName, Number(s.curVal)])).toEqual([['SEQ_configID', 0], ['SEQ_workerID', 0]]);
          expect((await migrate(db)).applied).toEqual([]);
        } finally {
          await db.close();
        }
      } finally {
        await cleanup(settings);
      }
    }
  });
}

describe('claim race on one sqlite file (real processes)', () => {
  const noCleanup = async () => undefined;
  raceScenarios(() => sqliteSettings(), noCleanup);
  migrateRace(() => sqliteSettings(), noCleanup);
});

describeMariaDB('claim race on one MariaDB database (real processes)', (env) => {
  const drop = async (s: DbSettings) => dropPrefixedTables(env, s.tablePrefix ?? '');
  raceScenarios((p) => mariadbSettings(env, uniquePrefix(p)), drop);
  migrateRace((p) => mariadbSettings(env, uniquePrefix(p)), drop);
});
