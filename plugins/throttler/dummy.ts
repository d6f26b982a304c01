import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { ThrottleDecision, Throttler } from '../../src/plugins/throttler';
import type { QueueInfo } from '../../src/plugins/types';
import { happens } from '../lib/chance';

const attributes = {
  throttled: { type: 'boolean', default: false, doc: 'always throttle' },
  throttleRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of cycles throttled at random (per queue, call and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic choice' },
  maxMissed: { type: 'integer', min: 0, default: 0, doc: 'throttle when this many workers went missed within timeWindow (0 = off), like the simple throttler' },
  timeWindow: { type: 'number', min: 0, default: 10, doc: 'minutes counted for maxMissed' },
} as const satisfies AttributeSchema;

/**
 * Throttles on demand (`throttled`, `throttleRate`) or, like the original's
 * simple throttler, when `maxMissed` workers of the queue went `missed`
 * within `timeWindow` minutes (counted through `services.countWorkers`).
 */
export class DummyThrottler implements Throttler {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private calls = 0;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async toBeThrottled(queue: QueueInfo): Promise<ThrottleDecision> {
    this.calls += 1;
    if (this.a.throttled) return { throttled: true, diag: 'throttled by configuration' };
    if (happens(this.a.throttleRate, this.a.seed, 'throttle', queue.queueName, this.calls)) {
      return { throttled: true, diag: `random throttle (rate ${this.a.throttleRate})` };
    }
    if (this.a.maxMissed > 0) {
      const count = this.ctx.services.countWorkers;
      if (!count) return { throttled: false, diag: 'maxMissed set but no worker counts available' };
      const since = new Date(Date.now() - this.a.timeWindow * 60_000);
      const missed = await count({ status: 'missed', computingSite: queue.queueName, since });
      if (missed >= this.a.maxMissed) {
        return { throttled: true, diag: `${missed} missed worker(s) in the last ${this.a.timeWindow} min (max ${this.a.maxMissed})` };
      }
      return { throttled: false, diag: `${missed} missed worker(s) in the last ${this.a.timeWindow} min` };
    }
    return { throttled: false, diag: '' };
  }
}
