import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '../upstream/json';

/** An error that becomes an HTTP reply `{success: false, message}` with this status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Read the whole body, refusing more than `maxBytes` (413) so a client cannot fill our memory. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${maxBytes}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > maxBytes) {
        failed = true;
        reject(new HttpError(413, `request body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Parse a JSON object body; anything else is a 400 with a message saying why. */
export function parseJsonObject(body: Buffer): Record<string, JsonValue> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  return parsed as Record<string, JsonValue>;
}

/**
 * Query parameters as JSON values: values that look like JSON (numbers, lists,
 * objects, true/false/null) are decoded, as PanDA's API does for GET requests.
 */
export function parseQuery(url: URL): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of url.searchParams) {
    const t = v.trim();
    if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(t) || t.startsWith('[') || t.startsWith('{')) {
      try {
        out[k] = JSON.parse(t) as JsonValue;
        continue;
      } catch {
        /* keep the raw string */
      }
    }
    out[k] = v;
  }
  return out;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The protocol's reply envelope. */
export function reply(res: ServerResponse, data: unknown, message = ''): void {
  sendJson(res, 200, { success: true, message, data: data ?? null });
}

export function replyError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { success: false, message, data: null });
}

/** Constant-time bearer token check. */
export function hasValidToken(req: IncomingMessage, token: string): boolean {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return false;
  const given = Buffer.from(h.slice('Bearer '.length).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
