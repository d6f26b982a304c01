/**
 * Errors of the upstream (PanDA protocol) client.
 *
 * Two kinds matter to the agents and must never be confused:
 * - `UpstreamUnreachableError`: we could not get an answer (connection refused,
 *   timeout, reset, 5xx after all retries). Nothing was decided upstream, so the
 *   job fetcher pauses and pending updates stay in the database to be re-sent.
 * - `UpstreamRejectedError`: the server answered and said no (4xx, or HTTP 200 with
 *   `success: false`). Retrying the same request will not help.
 */
export type UpstreamErrorKind = 'unreachable' | 'rejected';

export abstract class UpstreamError extends Error {
  abstract readonly kind: UpstreamErrorKind;
  /** API path relative to the base URL, e.g. `pilot/acquire_jobs`. */
  readonly path: string;
  /** HTTP status if a response arrived. */
  readonly httpStatus?: number;
  /** Attempts made (1 = no retry). */
  readonly attempts: number;

  constructor(message: string, opts: { path: string; httpStatus?: number; attempts: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.path = opts.path;
    this.httpStatus = opts.httpStatus;
    this.attempts = opts.attempts;
  }
}

export class UpstreamUnreachableError extends UpstreamError {
  readonly kind = 'unreachable' as const;
  override readonly name = 'UpstreamUnreachableError';
}

export class UpstreamRejectedError extends UpstreamError {
  readonly kind = 'rejected' as const;
  override readonly name = 'UpstreamRejectedError';
}

export function isUpstreamUnreachable(err: unknown): err is UpstreamUnreachableError {
  return err instanceof UpstreamUnreachableError;
}

export function isUpstreamRejected(err: unknown): err is UpstreamRejectedError {
  return err instanceof UpstreamRejectedError;
}
