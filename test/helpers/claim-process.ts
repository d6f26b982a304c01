import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ClaimWorkerArgs } from './claim-worker';

export const CLAIM_WORKER_JS = 'dist/test/helpers/claim-worker.js';

export interface WorkerLine {
  ready?: boolean;
  owner?: string;
  claimed?: number[];
  claimedAt?: number;
  applied?: string[];
  released?: number[];
  lost?: number[];
  done?: boolean;
}

/** A spawned claim-worker: its parsed stdout lines, and helpers to wait for them. */
export class ClaimProcess {
  readonly child: ChildProcess;
  readonly lines: WorkerLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(root: string, args: ClaimWorkerArgs) {
    this.child = spawn(process.execPath, [path.join(root, CLAIM_WORKER_JS), JSON.stringify(args)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) this.lines.push(JSON.parse(line) as WorkerLine);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w();
      r(code);
    }));
  }

  /** Resolves with the first line matching `pred`; rejects on exit or timeout. */
  async waitFor(pred: (l: WorkerLine) => boolean, timeoutMs = 20_000): Promise<WorkerLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`claim-worker exited (${this.child.exitCode ?? this.child.signalCode}) before the expected line; stderr: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`claim-worker: timed out; lines ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  async exitCode(): Promise<number | null> {
    return this.exited;
  }

  claimedIds(): number[] {
    return this.lines.flatMap((l) => l.claimed ?? []);
  }
}
