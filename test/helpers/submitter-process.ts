/**
 * A submitter process for the race tests (compiled to
 * dist/test/helpers/submitter-process.js, spawned with one JSON argument):
 * `threads` Submitter loops until `untilMs`. Reports on stdout, one JSON
 * object per line: `{ready}` once started, `{done, totals, errors}` at the end.
 * Must not import vitest (runs under plain node).
 */
import type { DbSettings } from '../../src/db/settings';
import { openSubmitterRuntime, runSubmitterThreads } from './submitter-runtime';

export interface SubmitterProcessArgs {
  settings: DbSettings;
  /** System config file: [submitter] keys and [qconf] configFile. */
  configFile: string;
  threads: number;
  /** Epoch ms to start at, so all processes race after their (slow) startup. */
  startAt: number;
  /** Epoch ms after which no new cycle starts. */
  untilMs: number;
  threadBase?: number;
}

function out(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SubmitterProcessArgs;
  const rt = await openSubmitterRuntime(args.settings, args.configFile);
  out({ ready: true, pid: process.pid });
  if (args.startAt > Date.now()) await new Promise((r) => setTimeout(r, args.startAt - Date.now()));
  const { totals, errors } = await runSubmitterThreads(rt, args.threads, args.untilMs, args.threadBase ?? 0);
  out({ done: true, totals, errors });
  await rt.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
