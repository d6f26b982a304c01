import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRunDir, retireRunDir } from '../../bench/lib/run-dirs';

describe('bench run directories', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const base = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'run-dirs-'));
    made.push(d);
    return path.join(d, 'bench');
  };

  it('retires a run by renaming it into the trash, deleting nothing recent', () => {
    const b = base();
    const run = makeRunDir(b, 'e2e-');
    fs.writeFileSync(path.join(run, 'out.1.root'), 'x');
    const ino = fs.statSync(path.join(run, 'out.1.root')).ino;
    expect(retireRunDir(b, run)).toEqual([]);
    expect(fs.existsSync(run)).toBe(false);
    const moved = path.join(b, '.trash', path.basename(run), 'out.1.root');
    // Same inode: moved, not copied and deleted.
    expect(fs.statSync(moved).ino).toBe(ino);
  });

  it('deletes trash older than the keep time at the end of a later run, and only that', () => {
    const b = base();
    const t0 = Date.parse('2026-12-07T10:00:00Z');
    const old = makeRunDir(b, 'e2e-');
    fs.writeFileSync(path.join(old, 'f'), 'x');
    retireRunDir(b, old, 60_000, t0);
    const recent = makeRunDir(b, 'e2e-');
    retireRunDir(b, recent, 60_000, t0 + 50_000);
    const last = makeRunDir(b, 'e2e-');
    const deleted = retireRunDir(b, last, 60_000, t0 + 61_000);
    expect(deleted).toEqual([path.join(b, '.trash', path.basename(old))]);
    expect(fs.readdirSync(path.join(b, '.trash')).sort()).toEqual([path.basename(recent), path.basename(last)].sort());
  });
});
