import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Digest } from '../checksum';
import { copyStream, CopyError, type CopyOptions } from './copy';
import { errText } from './paths';

export interface FetchOptions extends CopyOptions {
  /** Give up after this many ms without progress (connecting, headers, or body data). */
  idleTimeoutMs: number;
}

/** "fetch failed" says nothing; the cause (ECONNREFUSED, certificate, ...) does. */
function networkError(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? `: ${errText(err.cause)}` : '';
  return `${errText(err)}${cause}`;
}

/**
 * Downloads `url` into `dest` (via {@link copyStream}: checksummed, verified,
 * renamed into place). HTTP 404/410 is `missing`; 5xx, 429, timeouts and
 * network errors are `transient`; other statuses `permanent`. The timeout is
 * an idle timeout, so a large file on a slow but live link still arrives.
 */
export async function fetchToFile(url: string, dest: string, o: FetchOptions): Promise<Digest> {
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort(o.signal?.reason);
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new CopyError(`${url}: no data for ${o.idleTimeoutMs / 1000}s`, 'transient')), o.idleTimeoutMs);
  };
  arm();
  try {
    const res = await fetch(url, { signal: ac.signal, redirect: 'follow' });
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new CopyError(`${url}: HTTP ${res.status}`, 'missing');
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      const kind = res.status >= 500 || res.status === 429 ? 'transient' : 'permanent';
      throw new CopyError(`${url}: HTTP ${res.status} ${res.statusText}`.trim(), kind);
    }
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    return await copyStream(body, dest, { ...o, signal: ac.signal, onData: arm });
  } catch (err) {
    if (err instanceof CopyError) throw err;
    const reason: unknown = ac.signal.aborted ? ac.signal.reason : undefined;
    if (reason instanceof CopyError) throw reason;
    if (o.signal?.aborted) throw new CopyError(`${url}: aborted (${errText(o.signal.reason)})`, 'permanent');
    throw new CopyError(`${url}: ${networkError(err)}`, 'transient');
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}
