/**
 * `[pandacon]` settings as the client needs them. Structurally compatible with the
 * config module's section (every key optional here, so the client does not import
 * src/config and can be constructed from a plain object in tests).
 */
export interface PandaConSettings {
  /** Base URL of the current API, e.g. `https://pandaserver.cern.ch:25443/api/v1`. */
  server_api_url_ssl?: string;
  /** Base URL for uploads (log files) on the PanDA cache. */
  cache_api_url_ssl?: string;
  /** Legacy base URL; when `server_api_url_ssl` is unset its scheme+host+port + `/api/v1` is used. */
  pandaURLSSL?: string;
  /** Legacy cache URL; used the same way for `cache_api_url_ssl`. */
  pandaCacheURL_W?: string;
  /** `x509` (client certificate, default) or `oidc` (bearer token). */
  auth_type?: string;
  cert_file?: string;
  key_file?: string;
  /** CA bundle used to verify the server; unset → Node's default trust store. */
  ca_cert?: string;
  /** The token itself, or `file:/path` to read it from (re-read every 10 min). */
  auth_token?: string;
  /** Sent as `Origin` with oidc auth (the VO/issuer the token belongs to). */
  auth_origin?: string;
  /** Per-request timeout in seconds (original default 180). */
  timeout?: number;
  /** Chunk size for event range requests (original default 5120). */
  getEventsChunkSize?: number;
  /** Log every call (path, status, duration) at debug level. */
  verbose?: boolean;
}

export const DEFAULT_SERVER_API_URL = 'https://pandaserver.cern.ch:25443/api/v1';
export const DEFAULT_CACHE_API_URL = 'https://pandacache.cern.ch:25443/api/v1';
/** The original template's legacy defaults: a value equal to these was not chosen by the operator. */
export const DEFAULT_PANDA_URL_SSL = 'https://pandaserver.cern.ch:25443/server/panda';
export const DEFAULT_PANDA_CACHE_URL_W = 'https://aipanda011.cern.ch:25443/server/panda';
export const DEFAULT_TIMEOUT_S = 180;
export const DEFAULT_EVENTS_CHUNK_SIZE = 5120;

export type AuthType = 'x509' | 'oidc';

export interface ResolvedPandaCon {
  serverApiUrl: string;
  cacheApiUrl: string;
  authType: AuthType;
  certFile?: string;
  keyFile?: string;
  caCert?: string;
  authToken?: string;
  authOrigin?: string;
  timeoutMs: number;
  eventsChunkSize: number;
  verbose: boolean;
}

/** Error in `[pandacon]` values; names the key and what is expected. */
export class PandaConSettingsError extends Error {
  constructor(readonly key: string, message: string) {
    super(`[pandacon] ${key}: ${message}`);
    this.name = 'PandaConSettingsError';
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === null || String(v).trim() === '' || v === 'None' ? undefined : String(v).trim();
}

/**
 * `https://host:25443/server/panda` → `https://host:25443/api/v1`: the current API
 * lives at a fixed path on the same host and port as the legacy one.
 */
export function apiUrlFromLegacy(legacyUrl: string, key: string): string {
  let u: URL;
  try {
    u = new URL(legacyUrl);
  } catch {
    throw new PandaConSettingsError(key, `not a URL: ${JSON.stringify(legacyUrl)}`);
  }
  return `${u.protocol}//${u.host}/api/v1`;
}

function checkUrl(value: string, key: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new PandaConSettingsError(key, `not a URL: ${JSON.stringify(value)}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new PandaConSettingsError(key, `expected an http(s) URL, got ${u.protocol}`);
  }
  return value.replace(/\/+$/, '');
}

export function resolvePandaCon(s: PandaConSettings): ResolvedPandaCon {
  // The config schema fills in defaults for both the new and the legacy keys, so
  // "unset" means "still the default": an operator who only changed pandaURLSSL
  // (an old panda_harvester.cfg) gets the API on that host, as in the original.
  const explicitServer = nonEmpty(s.server_api_url_ssl);
  const legacyServer = nonEmpty(s.pandaURLSSL);
  const serverApiUrl =
    explicitServer && !(explicitServer === DEFAULT_SERVER_API_URL && legacyServer && legacyServer !== DEFAULT_PANDA_URL_SSL)
      ? checkUrl(explicitServer, 'server_api_url_ssl')
      : legacyServer
        ? apiUrlFromLegacy(legacyServer, 'pandaURLSSL')
        : DEFAULT_SERVER_API_URL;
  const explicitCache = nonEmpty(s.cache_api_url_ssl);
  const legacyCache = nonEmpty(s.pandaCacheURL_W);
  // Uploads follow the server when only the server was moved (e.g. to the embedded WMS).
  const cacheChosen = explicitCache !== undefined && explicitCache !== DEFAULT_CACHE_API_URL;
  const legacyCacheChosen = legacyCache !== undefined && legacyCache !== DEFAULT_PANDA_CACHE_URL_W;
  const cacheApiUrl = cacheChosen
    ? checkUrl(explicitCache, 'cache_api_url_ssl')
    : legacyCacheChosen
      ? apiUrlFromLegacy(legacyCache, 'pandaCacheURL_W')
      : serverApiUrl === DEFAULT_SERVER_API_URL
        ? DEFAULT_CACHE_API_URL
        : serverApiUrl;

  const rawAuth = nonEmpty(s.auth_type) ?? 'x509';
  if (rawAuth !== 'x509' && rawAuth !== 'oidc') {
    throw new PandaConSettingsError('auth_type', `expected x509 or oidc, got ${JSON.stringify(rawAuth)}`);
  }
  const timeout = s.timeout ?? DEFAULT_TIMEOUT_S;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new PandaConSettingsError('timeout', `expected a positive number of seconds, got ${JSON.stringify(timeout)}`);
  }
  const chunk = s.getEventsChunkSize ?? DEFAULT_EVENTS_CHUNK_SIZE;
  if (!Number.isInteger(chunk) || chunk <= 0) {
    throw new PandaConSettingsError('getEventsChunkSize', `expected a positive integer, got ${JSON.stringify(chunk)}`);
  }
  const authToken = nonEmpty(s.auth_token);
  if (rawAuth === 'oidc' && !authToken) {
    throw new PandaConSettingsError('auth_token', 'required with auth_type = oidc (the token or file:/path)');
  }
  return {
    serverApiUrl,
    cacheApiUrl,
    authType: rawAuth,
    certFile: nonEmpty(s.cert_file),
    keyFile: nonEmpty(s.key_file),
    caCert: nonEmpty(s.ca_cert),
    authToken,
    authOrigin: nonEmpty(s.auth_origin),
    timeoutMs: Math.round(timeout * 1000),
    eventsChunkSize: chunk,
    verbose: s.verbose === true,
  };
}
