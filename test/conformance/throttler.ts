import { describe, expect, it } from 'vitest';
import type { Throttler } from '../../src/plugins/throttler';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';
import { makeQueueInfo } from './fixtures';

export type ThrottlerSuiteOptions = SuiteOptions;

/** Contract of {@link Throttler}. */
export function throttlerConformance(makePlugin: MakePlugin<Throttler>, opts: ThrottlerSuiteOptions = {}): void {
  describe(opts.name ?? 'throttler conformance', () => {
    it('decides with a boolean and a diag, repeatedly', async () => {
      const plugin = await makePlugin();
      for (let i = 0; i < 3; i++) {
        const d = await plugin.toBeThrottled(makeQueueInfo());
        expect(typeof d.throttled).toBe('boolean');
        expectDiag(d.diag);
        if (d.throttled) expect(d.diag.length, 'say why it throttles').toBeGreaterThan(0);
      }
    }, opts.timeoutMs);
  });
}
