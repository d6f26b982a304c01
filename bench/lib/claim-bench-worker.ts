/**
 * One claimer process of bench/claim.ts: from `startAt` for `durationMs`, claim
 * a batch of jobs (preparator channel, interval 0 so a released row is due at
 * once) and release it at once, as an agent does: owner-checked, lock cleared,
 * claim time kept. Prints one JSON line: rows claimed+released.
 */
import { claimJobsToPrepare, releaseJobsFromPreparator } from '../../src/db/claim';
import { openDatabase } from '../../src/db/connect';
import { ownerId } from '../../src/db/owner';
import type { DbSettings } from '../../src/db/settings';

export interface BenchWorkerArgs {
  settings: DbSettings;
  thread: number;
  batch: number;
  startAt: number;
  durationMs: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as BenchWorkerArgs;
  const db = await openDatabase(a.settings);
  const owner = ownerId('bench', a.thread);
  const cycle = async (): Promise<{ rows: number; lost: number }> => {
    const c = await claimJobsToPrepare(db.sql, { owner, phase: 'trigger', interval: 0, lockInterval: 600, limit: a.batch });
    if (c.rows.length === 0) return { rows: 0, lost: 0 };
    const r = await releaseJobsFromPreparator(db.sql, owner, c.rows.map((j) => ({ id: j.PandaID })));
    return { rows: r.released.length, lost: r.lost.length };
  };
  // JIT warm-up until the common start, as the raw loop (in the long-running parent) is warm too.
  while (Date.now() < a.startAt - 50) await cycle();
  if (a.startAt > Date.now()) await new Promise((r) => setTimeout(r, a.startAt - Date.now()));
  const end = a.startAt + a.durationMs;
  let rows = 0;
  let lost = 0;
  let cycles = 0;
  while (Date.now() < end) {
    const r = await cycle();
    rows += r.rows;
    lost += r.lost;
    cycles++;
  }
  const elapsedMs = Date.now() - a.startAt;
  await db.close();
  process.stdout.write(`${JSON.stringify({ rows, lost, cycles, elapsedMs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`claim-bench-worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
