import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandJobSource, readJobSourceFile } from '../../src/wms/job-source';
import { loadSnapshot, StorePersister } from '../../src/wms/persist';
import { WmsStore } from '../../src/wms/store';

describe('job source', () => {
  it('expands templates with counts and literal job dicts; the sample file is valid', () => {
    expect(expandJobSource([{ count: 2, template: { a: 1 } }, { PandaID: 5 }], 'x')).toEqual([{ a: 1 }, { a: 1 }, { PandaID: 5 }]);
    expect(expandJobSource({ jobs: [{ count: 0, template: {} }] }, 'x')).toEqual([]);
    expect(readJobSourceFile(path.join(__dirname, '../../etc/wms-jobs.json'))).toHaveLength(12);
  });

  it('names the entry and what is wrong', () => {
    expect(() => expandJobSource({ nope: 1 }, 'f.json')).toThrow(/f.json: expected a list/);
    expect(() => expandJobSource([{ count: -1, template: {} }], 'f.json')).toThrow(/f.json: entry 0: count must be a non-negative integer/);
    expect(() => expandJobSource([1], 'f.json')).toThrow(/entry 0: expected an object/);
    expect(() => expandJobSource([{ count: 200_000, template: {} }], 'f.json')).toThrow(/more than 100000 jobs/);
    expect(() => readJobSourceFile('/nonexistent.json')).toThrow(/nonexistent.json: cannot read/);
  });
});

describe('store', () => {
  it('assigns unique PandaIDs, substitutes ${PandaID}, honours a free fixed PandaID', () => {
    const s = new WmsStore();
    const ids = s.addJobs([{ jobPars: 'run ${PandaID}' }, { PandaID: 42 }, { PandaID: 42 }]);
    expect(ids[1]).toBe(42);
    expect(new Set(ids).size).toBe(3);
    expect(s.jobs.get(ids[0]!)!.dict.jobPars).toBe(`run ${ids[0]}`);
  });

  it('kill of a job never handed out cancels it; of a running one sends tobekilled until final', () => {
    const s = new WmsStore();
    const [a, b] = s.addJobs([{}, {}]);
    s.acquireJobs({ site: 'Q', n: 1 });
    expect(s.killJob(b!)).toBe(true);
    expect(s.jobs.get(b!)!.status).toBe('cancelled');
    expect(s.acquireJobs({ site: 'Q', n: 5 })).toHaveLength(0);
    s.killJob(a!);
    expect(s.updateJob({ job_id: a!, job_status: 'running' }).data.command).toBe('tobekilled');
    expect(s.updateJob({ job_id: a!, job_status: 'failed', job_sub_status: 'killed' }).data.command).toBe('NULL');
    expect(s.statusSequence(a!)).toEqual(['activated', 'sent', 'running', 'failed']);
  });
});

describe('persistence', () => {
  it('writes atomically (no temp file left), debounces, and restores the same state', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wms-persist-'));
    const file = path.join(dir, 'var', 'state.json');
    try {
      const s = new WmsStore();
      const p = new StorePersister(s, file, 50);
      s.onChange = () => p.markDirty();
      const ids = s.addJobs([{}, {}, {}]);
      s.acquireJobs({ site: 'Q', n: 1 });
      s.updateJob({ job_id: ids[0]!, job_status: 'running' });
      s.queueCommand({ harvester_id: 'h', command: 'KILL_WORKERS' });
      expect(existsSync(file)).toBe(false); // not yet: debounced
      await new Promise((r) => setTimeout(r, 150));
      expect(existsSync(file)).toBe(true);
      expect(readdirSync(path.dirname(file))).toEqual(['state.json']);

      const restored = new WmsStore();
      restored.restore(loadSnapshot(file)!);
      expect(restored.statusSequence(ids[0]!)).toEqual(['activated', 'sent', 'running']);
      expect(restored.acquireJobs({ site: 'Q', n: 10 }).map((j) => j.PandaID)).toEqual([ids[1], ids[2]]);
      expect(restored.addJobs([{}])[0]).toBeGreaterThan(ids[2]!);
      expect(restored.acquireCommands('h', 5)).toHaveLength(1);
      expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a corrupt state file with its name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wms-persist-'));
    try {
      const f = path.join(dir, 's.json');
      writeFileSync(f, '{"version": 2}');
      expect(() => loadSnapshot(f)).toThrow(/s.json: unknown format/);
      writeFileSync(f, '{');
      expect(() => loadSnapshot(f)).toThrow(/s.json is not readable JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
