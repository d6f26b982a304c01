import type { QueueInfo } from './types';

/** A throttling decision. */
export interface ThrottleDecision {
  /** true: submit no new workers for this queue this cycle. */
  throttled: boolean;
  /** Why (which rule fired, or why not). */
  diag: string;
}

/**
 * Holds back submission to a queue (facts §2.4 WorkerAdjuster, §6.2
 * `to_be_throttled`), e.g. after too many `missed` workers.
 *
 * The submitter's worker adjuster asks once per queue and cycle, before
 * counting new workers; the instance is cached per queue and configID so a
 * throttler may keep state between cycles. Counts come from
 * `PluginContext.services`.
 */
export interface Throttler {
  toBeThrottled(queue: QueueInfo): Promise<ThrottleDecision>;
}
