import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import {
  QueueConfigError, QueueConfigMapper, SqlConfigDumpStore, queueConfigChecksum, readCachedQueueConfig,
  type JsonObject, type QueueConfigSource, type SourceInput,
} from '../../src/queue-config';

const plugins: JsonObject = {
  preparator: { module: 'dummy', name: 'DummyPreparator' },
  submitter: { module: 'dummy', name: 'DummySubmitter' },
  workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' },
  messenger: { module: 'dummy', name: 'DummyMessenger' },
  stager: { module: 'dummy', name: 'DummyStager' },
  monitor: { module: 'dummy', name: 'DummyMonitor' },
  sweeper: { module: 'dummy', name: 'DummySweeper' },
};
const file = (data: JsonObject): QueueConfigSource => ({ label: '/etc/q.json', kind: 'file', data });
const remote = (data: JsonObject): QueueConfigSource => ({ label: 'https://cfg/q.json', kind: 'remote', data });

describe('QueueConfigMapper: startup and reload', () => {
  it('startup with a broken local file throws, listing every problem', async () => {
    const mapper = new QueueConfigMapper();
    const err = await mapper.load([file({ A: { ...plugins, maxWorkerz: 1 }, B: { ...plugins, mapType: 'Bad' } })]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('/etc/q.json: queue "A", attribute "maxWorkerz": unknown attribute');
    expect(msg).toContain('/etc/q.json: queue "B", attribute "mapType": unknown value "Bad"');
    expect(mapper.loaded).toBe(false);
  });

  it('startup with an unreadable local file throws; an unreadable remote is skipped', async () => {
    const failedFile: SourceInput = { label: '/etc/q.json', kind: 'file', error: 'cannot read file (ENOENT)' };
    await expect(new QueueConfigMapper().load([failedFile])).rejects.toThrow(/\/etc\/q.json: cannot read file \(ENOENT\)/);
    const mapper = new QueueConfigMapper();
    await mapper.load([file({ A: plugins }), { label: 'https://cfg/q.json', kind: 'remote', error: 'HTTP 500' }]);
    expect(mapper.hasQueue('A')).toBe(true);
    expect(mapper.status().sources).toContainEqual({ label: 'https://cfg/q.json', kind: 'remote', ok: false, error: 'HTTP 500' });
  });

  it('startup: a queue broken by the remote is not served but does not stop the master', async () => {
    const mapper = new QueueConfigMapper();
    await mapper.load([file({ A: plugins, B: plugins }), remote({ B: { maxWorkers: 'many' } })]);
    expect(mapper.hasQueue('A')).toBe(true);
    expect(mapper.hasQueue('B')).toBe(false);
    expect(mapper.status().queues.find((q) => q.queueName === 'B')).toMatchObject({ state: 'broken', serving: false });
  });

  it('reload keeps the last good version of a broken queue while the others update', async () => {
    const mapper = new QueueConfigMapper();
    await mapper.load([file({ A: { ...plugins, maxWorkers: 1 }, B: { ...plugins, maxWorkers: 1 } })]);
    const before = mapper.getQueue('A');
    const report = await mapper.load([file({ A: { ...plugins, maxWorkers: 'two' }, B: { ...plugins, maxWorkers: 2 }, C: plugins })]);
    expect(report).toMatchObject({ applied: true, broken: ['A'], changed: ['B'], added: ['C'] });
    expect(mapper.getQueue('A')).toBe(before);
    expect(mapper.getQueue('A')?.maxWorkers).toBe(1);
    expect(mapper.getQueue('B')?.maxWorkers).toBe(2);
    expect(mapper.getActiveQueues().has('A')).toBe(true);
    const a = mapper.status().queues.find((q) => q.queueName === 'A');
    expect(a).toMatchObject({ state: 'broken', serving: true, servingLastGood: true, configID: before?.configID });
    expect(a?.reason).toMatch(/^maxWorkers: expected an integer, got string "two" \(serving the last good version\)$/);
    // fixed on the next reload
    await mapper.load([file({ A: { ...plugins, maxWorkers: 3 }, B: { ...plugins, maxWorkers: 2 } })]);
    expect(mapper.getQueue('A')?.maxWorkers).toBe(3);
    expect(mapper.status().queues.find((q) => q.queueName === 'A')?.state).toBe('active');
    expect(mapper.hasQueue('C')).toBe(false);
  });

  it('reload with an unreadable source keeps everything as it was', async () => {
    const mapper = new QueueConfigMapper();
    await mapper.load([file({ A: plugins }), remote({ A: { maxWorkers: 9 } })]);
    const report = await mapper.load([file({ A: plugins }), { label: 'https://cfg/q.json', kind: 'remote', error: 'invalid JSON at line 1, column 2' }]);
    expect(report.applied).toBe(false);
    expect(mapper.getQueue('A')?.maxWorkers).toBe(9);
    expect(mapper.status().sources[1]).toMatchObject({ ok: false, error: 'invalid JSON at line 1, column 2' });
  });

  it('status: offline and not-listed queues are served but not active', async () => {
    const mapper = new QueueConfigMapper({ settings: { queueList: ['A', 'B'] } });
    await mapper.load([file({ A: plugins, B: { ...plugins, queueStatus: 'OFFLINE' }, C: plugins })]);
    expect([...mapper.getActiveQueues().keys()]).toEqual(['A']);
    expect(mapper.getAllQueues().size).toBe(3);
    const states = Object.fromEntries(mapper.status().queues.map((q) => [q.queueName, q.state]));
    expect(states).toEqual({ A: 'active', B: 'offline', C: 'not-listed' });
    expect(mapper.getQueue('B')?.queueStatus).toBe('offline');
  });

  it('a queue whose plugin the checker rejects is broken with the reason', async () => {
    const mapper = new QueueConfigMapper({
      checkPlugin: async (_q, category, cfg) => {
        if (cfg.name === 'Bad') throw new Error(`${category}: constructor rejected attribute "x"`);
      },
    });
    await mapper.load([file({ A: plugins })]);
    await mapper.load([file({ A: { ...plugins, monitor: { module: 'dummy', name: 'Bad', x: 1 } } })]);
    expect(mapper.status().queues[0]?.reason).toMatch(/monitor: monitor plugin module "dummy" name "Bad": monitor: constructor rejected attribute "x"/);
    expect(mapper.getQueue('A')?.monitor.name).toBe('DummyMonitor');
  });
});

describe('QueueConfigMapper: configID dumps and pq_table on sqlite', () => {
  let dir: string;
  let db: Database;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qconf-'));
    db = await openDatabase({
      engine: 'sqlite', database_filename: path.join(dir, 'h.db'), host: '', port: 0, user: '', password: '', schema: '',
      nConnections: 1, reconnectTimeout: 1, busyTimeout: 5000,
    });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('same config → same configID (also across mappers); changed → new; queueStatus alone → same', async () => {
    const m1 = new QueueConfigMapper({ sql: db.sql });
    await m1.load([file({ A: { ...plugins, maxWorkers: 1 }, B: plugins })]);
    const id1 = m1.getQueue('A')?.configID;
    expect(typeof id1).toBe('number');
    expect(m1.getQueue('B')?.configID).not.toBe(id1);

    const m2 = new QueueConfigMapper({ sql: db.sql });
    await m2.load([file({ B: plugins, A: { maxWorkers: 1, ...plugins } })]);
    expect(m2.getQueue('A')?.configID).toBe(id1);

    await m1.load([file({ A: { ...plugins, maxWorkers: 1, queueStatus: 'offline' }, B: plugins })]);
    expect(m1.getQueue('A')?.configID).toBe(id1);

    await m1.load([file({ A: { ...plugins, maxWorkers: 2, submitter: { module: 'dummy', name: 'DummySubmitter', nCorePerNode: 4 } }, B: plugins })]);
    const id2 = m1.getQueue('A')?.configID;
    expect(id2).not.toBe(id1);
    expect(id2).toBeGreaterThan(id1 as number);

    const rows = await db.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM qcdump_table WHERE queueName = ?', ['A']);
    expect(Number(rows[0]?.n)).toBe(2);
    const dump = await db.sql.all<{ dumpUniqueName: string; checksum: string }>('SELECT dumpUniqueName, checksum FROM qcdump_table WHERE configID = ?', [id2 as number]);
    expect(dump[0]?.dumpUniqueName).toBe(`A_${dump[0]?.checksum}`);
    expect(dump[0]?.checksum).toBe(queueConfigChecksum(m1.getQueue('A')!));
  });

  it('getQueueConfigByID serves the version a worker was submitted with, from the database in a new process', async () => {
    const m = new QueueConfigMapper({ sql: db.sql });
    await m.load([file({ W: { ...plugins, submitter: { module: 'dummy', name: 'DummySubmitter', nCorePerNode: 1 } } })]);
    const oldId = m.getQueue('W')!.configID as number;
    await m.load([file({ W: { ...plugins, submitter: { module: 'dummy', name: 'DummySubmitter', nCorePerNode: 2 } } })]);
    expect(m.getQueue('W')?.submitter.nCorePerNode).toBe(2);

    const fresh = new QueueConfigMapper({ sql: db.sql });
    const old = await fresh.getQueueConfigByID(oldId);
    expect(old?.submitter.nCorePerNode).toBe(1);
    expect(old?.configID).toBe(oldId);
    expect(await fresh.getQueueConfigByID(999999)).toBeUndefined();
    expect((await m.getQueueConfig('W', oldId))?.submitter.nCorePerNode).toBe(1);
    expect((await m.getQueueConfig('W'))?.submitter.nCorePerNode).toBe(2);
  });

  it('two mappers storing the same new config at once agree on one configID', async () => {
    const store = new SqlConfigDumpStore(db.sql);
    const ids = await Promise.all([1, 2, 3].map(() => store.idFor('RACE', 'c0ffee', { x: 1 })));
    expect(new Set(ids).size).toBe(1);
  });

  it('fills pq_table for active queues, refreshes limits and drops queues no longer active', async () => {
    const m = new QueueConfigMapper({ sql: db.sql });
    await m.load([file({ P: { ...plugins, maxWorkers: 10, nQueueLimitWorker: 3 }, 'S/SCORE': { ...plugins, nQueueLimitJob: 4 }, OFF: { ...plugins, queueStatus: 'offline' } })]);
    let rows = await db.sql.all<Record<string, unknown>>('SELECT * FROM pq_table ORDER BY uniqueName');
    expect(rows.map((r) => r.uniqueName)).toEqual(['P:ANY:managed', 'S/SCORE:SCORE:managed']);
    expect(rows[0]).toMatchObject({ queueName: 'P', siteName: 'P', resourceType: 'ANY', jobType: 'ANY' });
    expect(Number(rows[0]?.maxWorkers)).toBe(10);
    expect(Number(rows[0]?.nQueueLimitWorker)).toBe(3);
    expect(Number(rows[1]?.nQueueLimitJob)).toBe(4);

    await db.sql.run('UPDATE pq_table SET submitTime = ? WHERE uniqueName = ?', ['2024-01-01 00:00:00.000', 'P:ANY:managed']);
    await m.load([file({ P: { ...plugins, maxWorkers: 20, nQueueLimitWorker: 3 } })]);
    rows = await db.sql.all<Record<string, unknown>>('SELECT * FROM pq_table ORDER BY uniqueName');
    expect(rows.map((r) => r.uniqueName)).toEqual(['P:ANY:managed']);
    expect(Number(rows[0]?.maxWorkers)).toBe(20);
    expect(rows[0]?.submitTime).toBe('2024-01-01 00:00:00.000');
  });

  it('reads the remote copy the cacher stored in cache_table', async () => {
    await db.sql.run('INSERT INTO cache_table (mainKey, subKey, data, lastUpdate) VALUES (?, ?, ?, ?)', [
      'queues_config_file', null, JSON.stringify({ A: { maxWorkers: 7 } }), '2024-01-01 00:00:00.000',
    ]);
    const cached = await readCachedQueueConfig(db.sql, 'https://cfg/q.json');
    expect(cached?.source).toEqual({ label: 'https://cfg/q.json (cache_table queues_config_file)', kind: 'remote', data: { A: { maxWorkers: 7 } } });
    const m = new QueueConfigMapper({ sql: db.sql });
    await m.load([file({ A: plugins }), cached!.source]);
    expect(m.getQueue('A')?.maxWorkers).toBe(7);
  });
});
