/**
 * Reading one cache source, as the original's `Cacher.get_data`: `file:`
 * (JSON-parsed when it parses, else the text), `http:` and `https:` (must be
 * JSON; https presents the [pandacon] client certificate when one is set and
 * retries without it on a TLS error), 60 s timeout. Never throws for a bad
 * source: the result says why, with the URL redacted.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactText, redactUrl } from './redact';

export interface TlsFiles {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
}

export interface FetchOptions {
  readonly timeoutMs?: number;
  readonly tls?: TlsFiles;
  /** Sent as User-Agent, so a server can tell which process fetched. */
  readonly userAgent?: string;
}

export type FetchResult =
  | { readonly ok: true; readonly value: unknown; readonly text: string }
  | { readonly ok: false; readonly error: string };

const DEFAULT_TIMEOUT_MS = 60_000;
/** A CRIC dump is tens of MB; anything far beyond is a misconfigured URL, not data. */
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export async function fetchSource(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  if (url.startsWith('file:')) return readFileSource(url);
  if (url.startsWith('http:') || url.startsWith('https:')) return fetchHttp(url, opts);
  const scheme = url.split(':')[0] ?? '';
  return { ok: false, error: `unsupported source scheme "${scheme}:" (supported: file:, http:, https:; panda_cache:/panda_server: need the communicator and are not implemented yet)` };
}

async function readFileSource(url: string): Promise<FetchResult> {
  // file:///abs/path is a URL; the original also accepts file:/abs and file:relative (split on ':').
  const file = url.startsWith('file://') ? fileURLToPath(url) : path.resolve(url.slice('file:'.length));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown, text };
  } catch {
    return { ok: true, value: text, text };
  }
}

interface HttpReply {
  status: number;
  location?: string;
  body: string;
}

async function fetchHttp(url: string, opts: FetchOptions): Promise<FetchResult> {
  const shown = redactUrl(url);
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const reply = await getWithTlsFallback(current, opts);
      if (reply.status >= 300 && reply.status < 400 && reply.location) {
        current = new URL(reply.location, current).toString();
        continue;
      }
      if (reply.status !== 200) return { ok: false, error: `HTTP ${reply.status} from ${shown}: ${snippet(reply.body)}` };
      try {
        return { ok: true, value: JSON.parse(reply.body) as unknown, text: reply.body };
      } catch (err) {
        return { ok: false, error: `invalid JSON from ${shown}: ${(err as Error).message}; body starts ${JSON.stringify(snippet(reply.body))}` };
      }
    }
    return { ok: false, error: `more than ${MAX_REDIRECTS} redirects from ${shown}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, error: `cannot fetch ${shown}: ${code ? `${code} ` : ''}${redactText((err as Error).message)}` };
  }
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function isTlsError(err: unknown): boolean {
  const code = String((err as NodeJS.ErrnoException).code ?? '');
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /SSL|TLS|certificate/i.test((err as Error).message);
}

async function getWithTlsFallback(url: string, opts: FetchOptions): Promise<HttpReply> {
  const tls = url.startsWith('https:') ? opts.tls : undefined;
  const withCert = tls && (tls.certFile || tls.keyFile);
  try {
    return await get(url, opts, tls);
  } catch (err) {
    // The original retries without the client certificate when the TLS handshake fails with it.
    if (withCert && isTlsError(err)) return get(url, opts, { ...(tls.caFile ? { caFile: tls.caFile } : {}) });
    throw err;
  }
}

async function get(url: string, opts: FetchOptions, tls: TlsFiles | undefined): Promise<HttpReply> {
  const tlsOptions: https.RequestOptions = {};
  if (tls?.certFile) tlsOptions.cert = await readFile(tls.certFile);
  if (tls?.keyFile) tlsOptions.key = await readFile(tls.keyFile);
  if (tls?.caFile) tlsOptions.ca = await readFile(tls.caFile);
  const lib = url.startsWith('https:') ? https : http;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<HttpReply>((resolve, reject) => {
    const req = lib.get(url, {
      ...tlsOptions,
      headers: { Accept: 'application/json', ...(opts.userAgent ? { 'User-Agent': opts.userAgent } : {}) },
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) {
          req.destroy(new Error(`response larger than ${MAX_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        ...(res.headers.location ? { location: res.headers.location } : {}),
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}
