/** Retry policy for upstream requests. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). @defaultValue 3 */
  retries: number;
  /** Base delay in ms; attempt n waits up to base × 2^(n-1). @defaultValue 500 */
  baseDelayMs: number;
  /** Cap on one delay in ms. @defaultValue 15000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * Delay before retry number `retry` (1-based): exponential with "equal jitter"
 * (half fixed, half random), so many harvester threads that failed together do not
 * hammer a recovering server in lock-step, yet the wait still grows.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
