import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { CredManager, RenewResult } from '../../src/plugins/cred-manager';
import { happens } from '../lib/chance';
import { delay } from '../lib/delay';

const attributes = {
  lifetimeHours: { type: 'number', min: 0, default: 96, doc: 'validity of a renewed credential' },
  minLifetimeHours: { type: 'number', min: 0, default: 24, doc: 'checkCredential says renew below this' },
  initialLifetimeHours: { type: 'number', min: 0, default: 0, doc: 'validity at start when no outCertFile exists yet (0 = must renew first)' },
  renewDelay: { type: 'number', min: 0, default: 0, doc: 'ms each renewal takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of renewals that fail (per attempt and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  outCertFile: { type: 'string', doc: 'file holding the pretend credential ({"expiresAt": ISO}); shared across processes. Else memory only' },
} as const satisfies AttributeSchema;

/**
 * A pretend credential with an expiry: `checkCredential` is false once less
 * than `minLifetimeHours` is left, `renewCredential` grants `lifetimeHours`.
 * With `outCertFile` the expiry lives in that file, like a real proxy that
 * other processes read.
 */
export class DummyCredManager implements CredManager {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private expiresAt: number;
  private attempts = 0;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.expiresAt = Date.now() + attrs.initialLifetimeHours * 3_600_000;
  }

  async checkCredential(): Promise<boolean> {
    return this.hoursLeft() >= this.a.minLifetimeHours && this.hoursLeft() > 0;
  }

  async renewCredential(): Promise<RenewResult> {
    await delay(this.a.renewDelay);
    this.attempts += 1;
    if (happens(this.a.failureRate, this.a.seed, 'renew', this.attempts)) {
      return { status: 'failed', diag: `dummy renewal #${this.attempts} failed` };
    }
    this.expiresAt = Date.now() + this.a.lifetimeHours * 3_600_000;
    if (this.a.outCertFile) {
      fs.mkdirSync(path.dirname(this.a.outCertFile), { recursive: true });
      fs.writeFileSync(this.a.outCertFile, JSON.stringify({ expiresAt: new Date(this.expiresAt).toISOString() }));
    }
    return { status: 'done', diag: `valid until ${new Date(this.expiresAt).toISOString()}` };
  }

  async checkCredentialLifetime(): Promise<number | null> {
    return Math.max(0, this.hoursLeft());
  }

  private hoursLeft(): number {
    let expiresAt = this.expiresAt;
    if (this.a.outCertFile) {
      try {
        const parsed = JSON.parse(fs.readFileSync(this.a.outCertFile, 'utf8')) as { expiresAt?: string };
        expiresAt = parsed.expiresAt ? Date.parse(parsed.expiresAt) : 0;
      } catch {
        expiresAt = 0; // no (readable) credential file: nothing valid
      }
    }
    return (expiresAt - Date.now()) / 3_600_000;
  }
}
