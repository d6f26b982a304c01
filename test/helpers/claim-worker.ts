/**
 * A claimer process for the race tests (compiled to dist/test/helpers/claim-worker.js
 * and spawned with one JSON argument). It reports on stdout, one JSON object per
 * line, so the test can check across real OS processes who claimed what.
 * Must not import vitest (it runs under plain node).
 */
import readline from 'node:readline';
import { claimJobsToPrepare, releaseJobsFromPreparator } from '../../src/db/claim';
import { openDatabase } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import { ownerId } from '../../src/db/owner';
import type { DbSettings } from '../../src/db/settings';

export interface ClaimWorkerArgs {
  settings: DbSettings;
  /**
   * drain: claim batches until nothing is left (no release);
   * hold: claim one batch and sleep until killed;
   * claim-wait-release: claim one batch, release (writing subStatus) when a line arrives on stdin;
   * claim-once: claim one batch and exit without releasing;
   * migrate: run migrate().
   */
  mode: 'drain' | 'hold' | 'claim-wait-release' | 'claim-once' | 'migrate';
  thread: number;
  batch?: number;
  lockInterval?: number;
  /** Epoch ms to start at, so that all processes start together after their (slow) startup. */
  startAt?: number;
  /** subStatus the release writes (claim-wait-release). */
  releaseSubStatus?: string;
}

function out(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function waitUntil(t: number | undefined): Promise<void> {
  if (t !== undefined && t > Date.now()) await new Promise((r) => setTimeout(r, t - Date.now()));
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ClaimWorkerArgs;
  const owner = ownerId('racer', args.thread);
  const db = await openDatabase(args.settings);
  const claim = () =>
    claimJobsToPrepare(db.sql, { owner, phase: 'trigger', interval: 3600, lockInterval: args.lockInterval ?? 600, limit: args.batch ?? 10 });
  out({ ready: true, owner, pid: process.pid });
  await waitUntil(args.startAt);
  switch (args.mode) {
    case 'migrate': {
      const { applied } = await migrate(db);
      out({ applied });
      break;
    }
    case 'drain': {
      for (;;) {
        const c = await claim();
        if (c.rows.length === 0) break;
        out({ claimed: c.rows.map((r) => r.PandaID) });
      }
      break;
    }
    case 'claim-once': {
      const c = await claim();
      out({ claimed: c.rows.map((r) => r.PandaID), claimedAt: c.claimedAt.getTime() });
      break;
    }
    case 'hold': {
      const c = await claim();
      out({ claimed: c.rows.map((r) => r.PandaID), claimedAt: c.claimedAt.getTime() });
      await new Promise(() => setInterval(() => undefined, 60_000)); // until SIGKILL
      break;
    }
    case 'claim-wait-release': {
      const c = await claim();
      out({ claimed: c.rows.map((r) => r.PandaID), claimedAt: c.claimedAt.getTime() });
      const rl = readline.createInterface({ input: process.stdin });
      await new Promise<void>((r) => rl.once('line', () => r()));
      rl.close();
      const res = await releaseJobsFromPreparator(
        db.sql,
        owner,
        c.rows.map((r) => ({ id: r.PandaID, set: { subStatus: args.releaseSubStatus ?? 'preparing', preparatorTime: null }, expect: { subStatus: 'fetched' } })),
      );
      out({ released: res.released, lost: res.lost });
      break;
    }
  }
  await db.close();
  out({ done: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`claim-worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
