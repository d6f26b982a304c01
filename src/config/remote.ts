/**
 * Reads the instance configuration named by HARVESTER_INSTANCE_CONFIG_URL:
 * INI text over http(s) or from a file:// URL. Failures are ConfigErrors naming
 * the URL, so a broken remote stops startup with a clear message instead of
 * silently running on the local values.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors';

export const REMOTE_URL_ENV = 'HARVESTER_INSTANCE_CONFIG_URL';
const TIMEOUT_MS = 30_000;

export async function fetchRemoteConfigText(url: string, configFile: string): Promise<string> {
  const fail = (detail: string): never => {
    throw new ConfigError({ file: configFile, source: `${REMOTE_URL_ENV}=${url}` }, detail);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('not a valid URL (expected http://, https:// or file://)');
  }
  if (parsed.protocol === 'file:') {
    try {
      return await readFile(fileURLToPath(parsed), 'utf8');
    } catch (err) {
      return fail(`cannot read the remote instance configuration: ${(err as Error).message}`);
    }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return fail(`unsupported URL scheme ${parsed.protocol} (expected http://, https:// or file://)`);
  }
  let res: Response;
  try {
    res = await fetch(parsed, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return fail(`cannot fetch the remote instance configuration: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!res.ok) return fail(`cannot fetch the remote instance configuration: HTTP ${res.status} ${res.statusText}`);
  return res.text();
}
