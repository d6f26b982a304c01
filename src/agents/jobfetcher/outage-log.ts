/**
 * "Upstream unreachable" logged once per outage and process, not once per
 * cycle and thread: an outage of an hour would otherwise write thousands of
 * identical warnings. An outage is identified by the time it began
 * (`UpstreamHealth.since`), per upstream client.
 */
import type { Logger } from '../../log';
import type { UpstreamHealth } from '../services';

const logged = new WeakMap<object, Set<string>>();

/** Logs `message` at warn level unless this outage of `upstream` was logged already. Returns whether it logged. */
export function warnOncePerOutage(upstream: object, health: UpstreamHealth, log: Logger, what: string, message: string): boolean {
  const key = `${what}@${health.since?.toISOString() ?? 'unknown'}`;
  let seen = logged.get(upstream);
  if (!seen) {
    seen = new Set();
    logged.set(upstream, seen);
  }
  if (seen.has(key)) return false;
  // Keep the set small: only the current outage matters.
  for (const k of seen) if (k.startsWith(`${what}@`)) seen.delete(k);
  seen.add(key);
  log.warn({ since: health.since, lastError: health.lastError }, message);
  return true;
}
