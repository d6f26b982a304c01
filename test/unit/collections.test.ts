import { describe, expect, it } from 'vitest';
import { appendTo } from '../../src/collections';

describe('appendTo', () => {
  it('groups values under their key in arrival order, one list per key, appended in place', () => {
    const m = new Map<string, number[]>();
    appendTo(m, 'a', 1);
    const first = m.get('a');
    appendTo(m, 'b', 2);
    appendTo(m, 'a', 3);
    expect([...m]).toEqual([['a', [1, 3]], ['b', [2]]]);
    expect(m.get('a')).toBe(first);
  });
});
