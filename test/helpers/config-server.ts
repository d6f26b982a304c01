import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedRequest {
  /** ms since epoch when the request arrived. */
  readonly at: number;
  readonly userAgent: string;
  /** Version label of what was served (see `serve`). */
  readonly served: string;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) serving one queue config document,
 * for cacher tests: swap the document, take the server down and bring it back
 * on the same port, and see who fetched what.
 */
export interface ConfigServer {
  readonly url: string;
  readonly requests: ServedRequest[];
  /** Serve `body` (a string as is, anything else as JSON) with `status`, labelled `version` in `requests`. */
  serve(version: string, body: unknown, status?: number): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startConfigServer(path = '/panda_queueconfig.json'): Promise<ConfigServer> {
  let current = { version: 'none', status: 404, text: 'not configured' };
  const requests: ServedRequest[] = [];
  const server = http.createServer((req, res) => {
    const served = req.url === path ? current : { version: 'wrong-path', status: 404, text: 'no such path' };
    requests.push({ at: Date.now(), userAgent: req.headers['user-agent'] ?? '', served: served.version });
    res.writeHead(served.status, { 'Content-Type': 'application/json' });
    res.end(served.text);
  });
  const listen = (port: number): Promise<void> => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = (): Promise<void> => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    serve(version, body, status = 200) {
      current = { version, status, text: typeof body === 'string' ? body : JSON.stringify(body) };
    },
    down: stop,
    up: () => listen(port),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
