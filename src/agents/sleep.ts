/**
 * How long an agent sleeps between cycles, in ms. With jitter, a uniform draw in
 * [0.4, 1.4) × sleepTime, as the original's `terminated()`, so threads and
 * instances that started together drift apart instead of claiming in lockstep.
 */
export function sleepMs(sleepTimeSec: number, jitter: boolean, random: () => number = Math.random): number {
  const base = Math.max(0, sleepTimeSec) * 1000;
  return jitter ? base * (0.4 + random()) : base;
}

/** Resolves after `ms`, or at once when `signal` fires (so stop never waits out a sleep). */
export function interruptibleSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
