import { pump, type PumpOptions } from './pump';

const timers = new Map<string, NodeJS.Timeout>();

/**
 * Keeps pumping `stateDir` every `intervalMs` while workers wait in its queue,
 * so a freed slot is reused within seconds rather than at the next monitor
 * cycle (minutes). One timer per state directory per process, unref'd (it
 * never keeps harvester alive); it stops itself when the queue is empty.
 * Losing it (harvester restart) loses nothing: the monitor pumps too.
 */
export function keepPumping(o: PumpOptions, intervalMs: number): void {
  if (intervalMs <= 0 || timers.has(o.stateDir)) return;
  const timer = setInterval(() => {
    pump(o).then(
      (r) => {
        if (r.queued === 0) stopPumping(o.stateDir);
      },
      (err: unknown) => o.log?.warn({ err, stateDir: o.stateDir }, 'local-proc: background pump failed; retried'),
    );
  }, intervalMs);
  timer.unref();
  timers.set(o.stateDir, timer);
}

export function stopPumping(stateDir?: string): void {
  for (const [dir, t] of timers) {
    if (stateDir !== undefined && dir !== stateDir) continue;
    clearInterval(t);
    timers.delete(dir);
  }
}
