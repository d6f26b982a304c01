import { PandaClient, type PandaClientOptions } from '../../src/upstream/panda-client';
import type { PandaConSettings } from '../../src/upstream/settings';
import type { RetryPolicy } from '../../src/upstream/retry';
import { startWms, type WmsHandle, type WmsOptions } from '../../src/wms/server';

/** Fast retries so tests that exercise them stay quick. */
export const FAST_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 20, maxDelayMs: 100 };

/** An embedded WMS on 127.0.0.1, any free port. */
export function startTestWms(opts: WmsOptions = {}): Promise<WmsHandle> {
  return startWms({ port: 0, host: '127.0.0.1', ...opts });
}

/** A PandaClient pointed at the WMS (`server_api_url_ssl = <wms>/api/v1`). */
export function clientFor(
  wms: Pick<WmsHandle, 'apiUrl'>,
  opts: { settings?: PandaConSettings; retry?: Partial<RetryPolicy>; harvesterId?: string } = {},
): PandaClient {
  const o: PandaClientOptions = {
    settings: { server_api_url_ssl: wms.apiUrl, timeout: 5, ...opts.settings },
    harvesterId: opts.harvesterId ?? 'test-harvester',
    retry: opts.retry ?? FAST_RETRY,
  };
  return new PandaClient(o);
}

/** Wait until `cond()` holds, polling; throws with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
