import { describe, expect, it } from 'vitest';
import type { FifoBackend } from '../../src/plugins/fifo';
import type { MakePlugin, SuiteOptions } from './common';

export type FifoSuiteOptions = SuiteOptions;

/**
 * Contract of {@link FifoBackend}. `makePlugin` must return an EMPTY FIFO
 * (a fresh title, or cleared) each time.
 */
export function fifoConformance(makePlugin: MakePlugin<FifoBackend>, opts: FifoSuiteOptions = {}): void {
  describe(opts.name ?? 'fifo conformance', () => {
    it('an empty FIFO: size 0, get/peek null, getMany []', async () => {
      const f = await makePlugin();
      expect(await f.size()).toBe(0);
      expect(await f.get()).toBeNull();
      expect(await f.getLast()).toBeNull();
      expect(await f.peek()).toBeNull();
      expect(await f.getMany({ count: 5 })).toEqual([]);
    }, opts.timeoutMs);

    it('lower score comes out first; getLast takes the highest; peek does not remove', async () => {
      const f = await makePlugin();
      await f.put('b', 20);
      await f.put('a', 10);
      await f.put('c', 30);
      expect((await f.peek())?.item).toBe('a');
      expect((await f.peekLast())?.item).toBe('c');
      expect(await f.size()).toBe(3);
      expect((await f.get())?.item).toBe('a');
      expect((await f.getLast())?.item).toBe('c');
      expect(await f.size()).toBe(1);
      expect((await f.get())).toMatchObject({ item: 'b', score: 20 });
      expect(await f.size()).toBe(0);
    }, opts.timeoutMs);

    it('get waits up to timeoutMs for an object', async () => {
      const f = await makePlugin();
      const t0 = Date.now();
      expect(await f.get({ timeoutMs: 150 })).toBeNull();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
      setTimeout(() => void f.put('late', 1), 50);
      expect((await f.get({ timeoutMs: 2000 }))?.item).toBe('late');
    }, opts.timeoutMs);

    it('protective dequeue hides the object until delete or restore', async () => {
      const f = await makePlugin();
      const id = await f.put('x', 1);
      const got = await f.get({ protective: true });
      expect(got?.id).toBe(id);
      expect(await f.size()).toBe(0);
      expect(await f.peekById(id)).not.toBeNull();
      expect(await f.restore()).toBe(1);
      expect(await f.size()).toBe(1);
      const again = await f.get({ protective: true });
      expect(await f.delete([again?.id as number])).toBe(1);
      expect(await f.restore()).toBe(0);
      expect(await f.size()).toBe(0);
    }, opts.timeoutMs);

    it('putById inserts once; update honours condScore', async () => {
      const f = await makePlugin();
      expect(await f.putById(7, 'w7', 100)).toBe(true);
      expect(await f.putById(7, 'again', 1)).toBe(false);
      expect((await f.peekById(7))?.item).toBe('w7');
      expect((await f.peekById(7, { skipItem: true }))?.item).toBe('');
      expect(await f.update(7, { score: 50, condScore: 'gt' })).toBe(false);
      expect(await f.update(7, { score: 150, condScore: 'gt', item: 'w7b' })).toBe(true);
      expect(await f.peekById(7)).toMatchObject({ item: 'w7b', score: 150 });
      expect(await f.update(12345, { score: 1 })).toBe(false);
    }, opts.timeoutMs);

    it('getMany respects score range, count and mode; clear empties', async () => {
      const f = await makePlugin();
      for (const s of [5, 1, 4, 2, 3]) await f.put(`s${s}`, s);
      const mid = await f.getMany({ minScore: 2, maxScore: 4, count: 2 });
      expect(mid.map((o) => o.item)).toEqual(['s2', 's3']);
      const last = await f.getMany({ mode: 'last', count: 1 });
      expect(last.map((o) => o.item)).toEqual(['s5']);
      expect(await f.size()).toBe(2);
      await f.clear();
      expect(await f.size()).toBe(0);
    }, opts.timeoutMs);
  });
}
