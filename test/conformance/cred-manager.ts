import { describe, expect, it } from 'vitest';
import type { CredManager } from '../../src/plugins/cred-manager';
import { expectOutcome, type MakePlugin, type SuiteOptions } from './common';

export type CredManagerSuiteOptions = SuiteOptions;

/** Contract of {@link CredManager}. */
export function credManagerConformance(makePlugin: MakePlugin<CredManager>, opts: CredManagerSuiteOptions = {}): void {
  describe(opts.name ?? 'credManager conformance', () => {
    it('check gives a boolean, renew an outcome, lifetime hours or null', async () => {
      const plugin = await makePlugin();
      expect(typeof (await plugin.checkCredential())).toBe('boolean');
      const r = await plugin.renewCredential();
      expectOutcome(r, ['done', 'failed']);
      if (plugin.checkCredentialLifetime) {
        const h = await plugin.checkCredentialLifetime();
        expect(h === null || (typeof h === 'number' && h >= 0)).toBe(true);
      }
    }, opts.timeoutMs);

    it('a successful renewal makes the credential pass its check', async () => {
      const plugin = await makePlugin();
      const r = await plugin.renewCredential();
      if (r.status === 'done') expect(await plugin.checkCredential()).toBe(true);
    }, opts.timeoutMs);
  });
}
