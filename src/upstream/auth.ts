import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ResolvedPandaCon } from './settings';

/** The original re-reads a `file:` token every 10 minutes so a renewed token is picked up without restart. */
export const TOKEN_REREAD_MS = 10 * 60 * 1000;

/**
 * Supplies the bearer token for oidc auth. A literal token is returned as is; a
 * `file:/path` token is read on first use and again once it is older than
 * `rereadMs` (or after `invalidate()`, e.g. when the server answered 401).
 */
export class TokenSource {
  private cached?: string;
  private readAt = 0;

  constructor(
    private readonly spec: string,
    private readonly rereadMs: number = TOKEN_REREAD_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the token comes from a file, so re-reading it can help after a 401. */
  get fromFile(): boolean {
    return this.spec.startsWith('file:');
  }

  invalidate(): void {
    this.readAt = 0;
  }

  token(): string {
    if (!this.fromFile) return this.spec;
    if (this.cached === undefined || this.now() - this.readAt >= this.rereadMs) {
      const path = this.spec.slice('file:'.length);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        // Keep the previous token if the file is briefly missing during renewal.
        if (this.cached !== undefined) return this.cached;
        throw new Error(`[pandacon] auth_token: cannot read token file ${path}: ${(err as Error).message}`);
      }
      this.cached = text.trim();
      this.readAt = this.now();
    }
    return this.cached;
  }
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`[pandacon] ${key}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Connection agents for the base URLs. Keep-alive is on (unlike the original's
 * `Connection: close`): a bulk propagation cycle makes many requests and a TLS
 * handshake each would dominate. For x509 the https agent carries the client
 * certificate and key; `ca_cert` replaces the default trust store.
 */
export function createAgents(conf: ResolvedPandaCon): { http: http.Agent; https: https.Agent } {
  const tls: https.AgentOptions = { keepAlive: true, maxSockets: 16 };
  if (conf.caCert) tls.ca = readPem(conf.caCert, 'ca_cert');
  if (conf.authType === 'x509') {
    if (conf.certFile) tls.cert = readPem(conf.certFile, 'cert_file');
    if (conf.keyFile) tls.key = readPem(conf.keyFile, 'key_file');
    // A grid proxy holds certificate and key in one file; use it for both when key_file is unset.
    if (conf.certFile && !conf.keyFile) tls.key = tls.cert;
  }
  return {
    http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    https: new https.Agent(tls),
  };
}
