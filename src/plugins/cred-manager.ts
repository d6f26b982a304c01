import type { OutcomeResult } from './types';

/** The outcome of a renewal. `pending` is not used: a renewal either worked or is retried next cycle. */
export interface RenewResult extends OutcomeResult {
  status: 'done' | 'failed';
}

/**
 * Keeps a credential (proxy, token, key) valid (facts §2.10, §6.2).
 *
 * The credManager agent (process-locked, every `sleepTime`, default 1800 s)
 * calls `checkCredential` for every configured plugin and `renewCredential`
 * when it says no. The service monitor reads `checkCredentialLifetime` for the
 * lifetime metric.
 */
export interface CredManager {
  /** Is the credential still valid for long enough? */
  checkCredential(): Promise<boolean>;
  /** Renews it. */
  renewCredential(): Promise<RenewResult>;
  /** Hours of validity left, or null when the plugin cannot tell. */
  checkCredentialLifetime?(): Promise<number | null>;
}
