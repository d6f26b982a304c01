import { describe, expect, it } from 'vitest';
import { noHeartbeatStatuses } from '../../src/agents/no-heartbeat';

describe('noHeartbeatStatuses', () => {
  it('splits the comma list, trimming and dropping empty entries', () => {
    expect([...noHeartbeatStatuses(' running, finished ,,failed')].sort()).toEqual(['failed', 'finished', 'running']);
    expect(noHeartbeatStatuses(undefined).size).toBe(0);
    expect(noHeartbeatStatuses('').size).toBe(0);
  });

  it('gives the same set for the same text, and a new one for a changed text (queue config reload)', () => {
    const a = noHeartbeatStatuses('running');
    expect(noHeartbeatStatuses('running')).toBe(a);
    expect(noHeartbeatStatuses('running,finished').has('finished')).toBe(true);
    expect(a.has('finished')).toBe(false);
  });
});
