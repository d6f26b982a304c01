import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../log';
import { createAgents, TokenSource } from './auth';
import { UpstreamRejectedError, UpstreamUnreachableError } from './errors';
import type { JsonValue } from './json';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from './retry';
import type { ResolvedPandaCon } from './settings';

export interface TransportRequest {
  method: 'GET' | 'POST';
  /** Which base URL: the API server, or the cache (uploads). */
  base?: 'server' | 'cache';
  /** Path below the base URL, e.g. `pilot/acquire_jobs`. */
  path: string;
  /** GET: query string (objects/arrays JSON-encoded); POST: the JSON body. */
  params?: Record<string, JsonValue>;
  /** Pre-encoded body (multipart upload); replaces `params` for POST. */
  rawBody?: { contentType: string; data: Buffer };
  /**
   * Whether repeating the request is harmless. Non-idempotent calls (acquiring
   * jobs, commands, event ranges) are retried only when the server provably did not
   * process them (connection refused, 503), so a lost reply never loses jobs twice.
   */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  /** Parsed JSON body. */
  body: unknown;
  attempts: number;
}

/** Largest reply we accept; a runaway response should not take the daemon's memory. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** Network errors raised before the request could reach the server application. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

type AttemptOutcome =
  | { kind: 'response'; status: number; text: string }
  | { kind: 'network'; error: Error; notSent: boolean; staleSocket?: boolean };

function encodeQuery(params: Record<string, JsonValue> | undefined): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) continue;
    q.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function snippet(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** `message` of a `{success, message, data}` reply, if the body is one. */
function replyMessage(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
      const m = (parsed as { message: unknown }).message;
      if (typeof m === 'string' && m) return m;
    }
  } catch {
    /* not JSON: the caller falls back to the raw text */
  }
  return undefined;
}

/**
 * HTTP(S) transport for the PanDA API: headers, auth, per-attempt timeout, retries
 * with exponential back-off and jitter for network errors and 5xx, none for 4xx.
 * Headers are never logged (they carry the bearer token).
 */
export class HttpTransport {
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly tokens?: TokenSource;

  constructor(
    private readonly conf: ResolvedPandaCon,
    private readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
    private readonly log?: Logger,
    tokenSource?: TokenSource,
  ) {
    this.agents = createAgents(conf);
    if (conf.authType === 'oidc' && conf.authToken) this.tokens = tokenSource ?? new TokenSource(conf.authToken);
  }

  /** Forget the cached token so the next request re-reads the token file (the original's force_credential_renewal). */
  forceCredentialRenewal(): void {
    this.tokens?.invalidate();
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const baseUrl = req.base === 'cache' ? this.conf.cacheApiUrl : this.conf.serverApiUrl;
    const url = new URL(`${baseUrl}/${req.path}${req.method === 'GET' ? encodeQuery(req.params) : ''}`);
    let body: Buffer | undefined;
    let contentType = 'application/json';
    if (req.method === 'POST') {
      if (req.rawBody) {
        body = req.rawBody.data;
        contentType = req.rawBody.contentType;
      } else {
        body = Buffer.from(JSON.stringify(req.params ?? {}));
      }
    }
    let renewedAfter401 = false;
    let staleRetried = false;
    let lastFailure = '';
    let lastStatus: number | undefined;
    let lastError: Error | undefined;
    const maxAttempts = this.retry.retries + 1;
    let attempt = 0;
    while (attempt < maxAttempts) {
      attempt += 1;
      if (req.signal?.aborted) break;
      const started = Date.now();
      const outcome = await this.attempt(url, req.method, body, contentType, req.signal);
      const ms = Date.now() - started;
      let retryable: boolean;
      if (outcome.kind === 'response') {
        const { status, text } = outcome;
        if (this.conf.verbose) this.log?.debug({ path: req.path, status, ms, attempt }, 'upstream request');
        if (status >= 200 && status < 300) {
          let parsed: unknown;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            throw new UpstreamRejectedError(`${req.method} ${req.path}: HTTP ${status} with a body that is not JSON: ${snippet(text)}`, {
              path: req.path, httpStatus: status, attempts: attempt,
            });
          }
          return { status, body: parsed, attempts: attempt };
        }
        const msg = replyMessage(text) ?? snippet(text);
        if (status === 401 && this.tokens?.fromFile && !renewedAfter401) {
          // The token file may have been renewed since we last read it: re-read once.
          renewedAfter401 = true;
          this.tokens.invalidate();
          attempt -= 1;
          continue;
        }
        if (status < 500) {
          throw new UpstreamRejectedError(`${req.method} ${req.path}: HTTP ${status}: ${msg}`, {
            path: req.path, httpStatus: status, attempts: attempt,
          });
        }
        lastStatus = status;
        lastFailure = `HTTP ${status}: ${msg}`;
        // 503 means "not processed"; any 5xx is safe to repeat for idempotent calls.
        retryable = req.idempotent || status === 503;
      } else {
        if (outcome.staleSocket && !staleRetried) {
          // An idle keep-alive connection the server had closed: not a failure of the server, try at once on a new one.
          staleRetried = true;
          attempt -= 1;
          continue;
        }
        lastError = outcome.error;
        lastStatus = undefined;
        const code = (outcome.error as NodeJS.ErrnoException).code;
        lastFailure = `${code ?? outcome.error.name}: ${outcome.error.message}`;
        this.log?.debug({ path: req.path, err: lastFailure, ms, attempt }, 'upstream request failed');
        retryable = req.idempotent || outcome.notSent;
      }
      if (!retryable || attempt >= maxAttempts || req.signal?.aborted) break;
      const delay = backoffDelayMs(attempt, this.retry);
      this.log?.warn({ path: req.path, attempt, delayMs: delay, reason: lastFailure }, 'upstream request failed; retrying');
      await sleep(delay, req.signal);
    }
    throw new UpstreamUnreachableError(
      `${req.method} ${url.origin}${url.pathname} unreachable after ${attempt} attempt(s): ${req.signal?.aborted ? 'aborted' : lastFailure}`,
      { path: req.path, httpStatus: lastStatus, attempts: attempt, cause: lastError },
    );
  }

  private headers(contentType: string, body?: Buffer): http.OutgoingHttpHeaders {
    const h: http.OutgoingHttpHeaders = { Accept: 'application/json' };
    if (body) {
      h['Content-Type'] = contentType;
      h['Content-Length'] = body.length;
    }
    if (this.tokens) {
      h.Authorization = `Bearer ${this.tokens.token()}`;
      if (this.conf.authOrigin) h.Origin = this.conf.authOrigin;
    }
    return h;
  }

  private attempt(url: URL, method: string, body: Buffer | undefined, contentType: string, signal?: AbortSignal): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (o: AttemptOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      let headers: http.OutgoingHttpHeaders;
      try {
        headers = this.headers(contentType, body);
      } catch (err) {
        resolve({ kind: 'network', error: err as Error, notSent: true });
        return;
      }
      const isHttps = url.protocol === 'https:';
      const mod = isHttps ? https : http;
      const req = mod.request(url, { method, headers, agent: isHttps ? this.agents.https : this.agents.http });
      const timer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`no complete reply within ${this.conf.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, this.conf.timeoutMs);
      const onAbort = (): void => {
        req.destroy(Object.assign(new Error('request aborted'), { code: 'ABORT_ERR' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let responded = false;
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A reset on a reused keep-alive socket means the server had closed it before reading our request.
        const staleSocket = (error.code === 'ECONNRESET' || error.code === 'EPIPE') && req.reusedSocket && !responded;
        finish({ kind: 'network', error, notSent: staleSocket || NOT_SENT_CODES.has(error.code ?? ''), staleSocket });
      });
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`reply larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => finish({ kind: 'response', status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => finish({ kind: 'network', error, notSent: false }));
      });
      req.end(body);
    });
  }
}
