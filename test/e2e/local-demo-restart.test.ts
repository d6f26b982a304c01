/**
 * SIGKILL the master while payloads run, start it again: the payloads (own
 * process groups) keep running, the new master re-attaches to them by pid +
 * start time, starts the queued ones, and every job ends `finished` with its
 * payload run exactly once (each run appends its PandaID to a marker file).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { makeLocalDemo, poll, type LocalDemo } from '../helpers/local-demo';
import { exitWithin } from '../helpers/master-process';

const N_JOBS = 12;

describe('local payloads survive a SIGKILLed master (exactly once)', () => {
  let demo: LocalDemo;
  let marker: string;

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js', 'dist/plugins/submitter/local.js', 'dist/plugins/monitor/local.js']);
    demo = await makeLocalDemo({ nJobs: N_JOBS, seconds: '4', maxConcurrent: 4, keepHours: 1, env: { DEMO_MARKER: '' } });
    // The marker lives in the demo dir, known only now: point the queue's payload environment at it.
    marker = path.join(demo.dir, 'marker.txt');
    const queues = path.join(demo.dir, 'queues.json');
    fs.writeFileSync(queues, fs.readFileSync(queues, 'utf8').replace('"DEMO_MARKER": ""', `"DEMO_MARKER": ${JSON.stringify(marker)}`));
  }, 60_000);

  afterAll(async () => {
    await demo?.close();
  });

  const runs = (): Map<string, number> => {
    const m = new Map<string, number>();
    const text = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : '';
    for (const line of text.split('\n').filter(Boolean)) m.set(line.split(' ')[0], (m.get(line.split(' ')[0]) ?? 0) + 1);
    return m;
  };

  it('every job finishes and each payload ran exactly once', async () => {
    const first = demo.start();
    // Payloads running (4 started), others still queued for a slot: kill harvester now.
    await poll('4 payloads started', 40_000, () => (runs().size >= 4 ? true : undefined), () => JSON.stringify([...runs()]));
    first.child.kill('SIGKILL');
    expect((await exitWithin(first, 10_000)).signal).toBe('SIGKILL');
    const runningAtKill = runs().size;
    expect(runningAtKill).toBeLessThan(N_JOBS);

    const second = demo.start();
    const store = demo.wms.store;
    await poll('every job final upstream', 50_000, () => {
      const c = store.jobCountsByStatus();
      return (c.finished ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0) === N_JOBS ? true : undefined;
    }, () => JSON.stringify(store.jobCountsByStatus()));

    expect([...store.jobs.values()].filter((j) => j.status !== 'finished').map((j) => ({ id: j.PandaID, status: j.status, report: j.lastReport }))).toEqual([]);
    const counted = runs();
    expect([...counted.keys()].sort()).toEqual([...store.jobs.keys()].map(String).sort());
    expect([...counted.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    // The new master found the payloads the old one had started rather than starting them again.
    for (const j of store.jobs.values()) expect(fs.existsSync(path.join(demo.outputDir, String(j.PandaID), `out.${j.PandaID}.txt`))).toBe(true);

    second.child.kill('SIGINT');
    expect((await exitWithin(second, 30_000)).code).toBe(0);
  }, 90_000);
});
