import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { handleAdmin } from './admin-routes';
import { HttpError, hasValidToken, parseJsonObject, parseQuery, readBody, reply, replyError, sendJson } from './http-util';
import { readJobSourceFile } from './job-source';
import { loadSnapshot, StorePersister } from './persist';
import { PROTOCOL_ROUTES } from './protocol-routes';
import { WmsStore } from './store';
import type { Params } from './validate';

export const DEFAULT_WMS_PORT = 26080;
export const DEFAULT_WMS_HOST = '127.0.0.1';
/** Prefix of the PanDA protocol paths, so a client's `server_api_url_ssl` is `<url>/api/v1`. */
export const API_PREFIX = '/api/v1/';
/** Prefix of the WMS's own read/submit API. */
export const ADMIN_PREFIX = '/wms/v1/';

export interface WmsOptions {
  /** @defaultValue 127.0.0.1 (loopback only: the WMS is not meant to face a network) */
  host?: string;
  /** 0 = any free port. @defaultValue 26080 */
  port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Job definitions loaded at start (only into an empty store, so a restart does not duplicate them). */
  jobsFile?: string;
  /** JSON file the state is saved to (atomically) and restored from. */
  stateFile?: string;
  /** Delay between a change and saving it. @defaultValue 1000 ms */
  persistDelayMs?: number;
  /** @defaultValue 64 MiB */
  maxBodyBytes?: number;
  /**
   * Serve https instead of http (PEM contents). With `requireClientCert` only
   * clients presenting a certificate signed by `ca` get through — how PanDA's
   * x509 auth looks to the client, for testing that path.
   */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; requireClientCert?: boolean };
  log?: Logger;
}

/**
 * How the protocol side behaves while unavailable: `503` answers 503 at once;
 * `drop` closes the connection without an answer; `hang` never answers (the
 * client's timeout fires). The `/wms/v1/` API keeps working so tests can look.
 */
export type OutageMode = '503' | 'drop' | 'hang';

export interface WmsHandle {
  /** `http://host:port` (`https://` with `tls`) */
  url: string;
  /** `http://host:port/api/v1`: the value for `[pandacon] server_api_url_ssl`. */
  apiUrl: string;
  port: number;
  store: WmsStore;
  setAvailable(available: boolean, mode?: OutageMode): void;
  /** The next `count` protocol requests (matching `path` if given) answer `status` instead of being served. */
  injectFailures(count: number, status?: number, path?: string): void;
  close(): Promise<void>;
}

interface InjectedFailure {
  remaining: number;
  status: number;
  path?: string;
}

/** Start the embedded WMS. Resolves once it listens. */
export async function startWms(opts: WmsOptions = {}): Promise<WmsHandle> {
  const log = opts.log?.child({ component: 'wms' });
  const store = new WmsStore();
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  let persister: StorePersister | undefined;
  let restored = false;
  if (opts.stateFile) {
    const snap = loadSnapshot(opts.stateFile);
    if (snap) {
      store.restore(snap);
      restored = true;
      log?.info({ file: opts.stateFile, jobs: store.jobs.size }, 'WMS state restored');
    }
    const p = new StorePersister(store, opts.stateFile, opts.persistDelayMs ?? 1000, (err) =>
      log?.error({ file: opts.stateFile, err: err.message }, 'cannot save WMS state'));
    persister = p;
    store.onChange = () => p.markDirty();
  }
  if (opts.jobsFile && !restored) {
    const ids = store.addJobs(readJobSourceFile(opts.jobsFile));
    log?.info({ file: opts.jobsFile, jobs: ids.length }, 'WMS jobs loaded');
  }

  let available = true;
  let outageMode: OutageMode = '503';
  const hanging = new Set<http.ServerResponse>();
  const failures: InjectedFailure[] = [];

  const takeInjectedFailure = (path: string): number | undefined => {
    const f = failures.find((x) => x.remaining > 0 && (!x.path || x.path === path));
    if (!f) return undefined;
    f.remaining -= 1;
    return f.status;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://wms');
    const method = req.method ?? 'GET';
    const isProtocol = url.pathname.startsWith(API_PREFIX);
    const isAdmin = url.pathname.startsWith(ADMIN_PREFIX);
    if (isProtocol) {
      const path = url.pathname.slice(API_PREFIX.length);
      store.countRequest(path);
      if (!available) {
        if (outageMode === 'drop') {
          req.socket.destroy();
          return;
        }
        if (outageMode === 'hang') {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        res.setHeader('Retry-After', '5');
        replyError(res, 503, 'WMS unavailable (outage switch)');
        return;
      }
      const injected = takeInjectedFailure(path);
      if (injected !== undefined) {
        replyError(res, injected, `injected failure (HTTP ${injected})`);
        return;
      }
    }
    if (opts.token && !hasValidToken(req, opts.token)) {
      replyError(res, 401, 'missing or invalid bearer token');
      return;
    }
    if (!isProtocol && !isAdmin) {
      replyError(res, 404, `no such path: ${url.pathname} (PanDA API under ${API_PREFIX}, WMS API under ${ADMIN_PREFIX})`);
      return;
    }
    const body = method === 'POST' || method === 'PUT' ? await readBody(req, maxBody) : Buffer.alloc(0);
    const contentType = String(req.headers['content-type'] ?? '');
    const isMultipart = /^multipart\//i.test(contentType);
    const params: Params = method === 'GET' ? parseQuery(url) : isMultipart ? {} : parseJsonObject(body);
    if (isProtocol) {
      const path = url.pathname.slice(API_PREFIX.length);
      const route = PROTOCOL_ROUTES.get(path);
      if (!route) throw new HttpError(404, `unknown API path: ${path}`);
      if (route.method !== method) throw new HttpError(405, `${path} expects ${route.method}, got ${method}`);
      const result = route.handler({ params, store, rawBody: body, contentType });
      if (result.success === false) sendJson(res, 200, { success: false, message: result.message ?? '', data: result.data });
      else reply(res, result.data, result.message);
      return;
    }
    reply(res, handleAdmin({ method, path: url.pathname.slice(ADMIN_PREFIX.length), params, store }));
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof HttpError) {
        replyError(res, err.status, err.message);
      } else {
        log?.error({ url: req.url, err: (err as Error).message }, 'WMS request failed');
        replyError(res, 500, `internal error: ${(err as Error).message}`);
      }
    });
  };
  const server: http.Server = opts.tls
    ? https.createServer({
      cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca,
      requestCert: opts.tls.requireClientCert === true, rejectUnauthorized: opts.tls.requireClientCert === true,
    }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_WMS_PORT, opts.host ?? DEFAULT_WMS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const baseUrl = `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  log?.info({ url: baseUrl, auth: opts.token ? 'token' : 'none' }, 'WMS listening');

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/v1`,
    port: addr.port,
    store,
    setAvailable(b: boolean, mode: OutageMode = '503'): void {
      available = b;
      outageMode = mode;
      if (b) {
        // Requests held during a "hang" outage are dropped; the client has timed out or will retry.
        for (const r of hanging) r.socket?.destroy();
        hanging.clear();
      }
      log?.warn({ available: b, mode }, 'WMS availability changed');
    },
    injectFailures(count: number, status = 503, path?: string): void {
      failures.push({ remaining: count, status, path });
    },
    async close(): Promise<void> {
      for (const r of hanging) r.socket?.destroy();
      hanging.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persister?.flush();
    },
  };
}
