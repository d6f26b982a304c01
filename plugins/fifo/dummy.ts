import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { FifoBackend, FifoGetManyOptions, FifoGetOptions, FifoObject, FifoUpdateOptions } from '../../src/plugins/fifo';
import { delay } from '../lib/delay';
import { sharedState } from '../lib/shared-state';

const attributes = {
  title: { type: 'string', default: 'default', doc: 'FIFO name; instances with the same title in one process share the queue' },
  latency: { type: 'number', min: 0, default: 0, doc: 'ms every call takes' },
} as const satisfies AttributeSchema;

interface Entry extends FifoObject {
  temporary: boolean;
  /** Insertion order: ties in score come out first-in first-out. */
  seq: number;
}

interface Store {
  entries: Map<number, Entry>;
  nextID: number;
  nextSeq: number;
}

const nowSec = () => Date.now() / 1000;
const POLL_MS = [100, 200, 500, 1000, 2000];

/**
 * An in-memory FIFO backend with the semantics of the original's sqlite FIFO:
 * lowest score first, protective dequeue into temporary space, restore,
 * conditional score updates. Shared by title within one process.
 */
export class DummyFifo implements FifoBackend {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;
  private readonly store: Store;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
    this.store = sharedState('dummy-fifo', attrs.title, (): Store => ({ entries: new Map(), nextID: 1, nextSeq: 1 }));
  }

  private live(temporary = false): Entry[] {
    return [...this.store.entries.values()]
      .filter((e) => e.temporary === temporary)
      .sort((x, y) => x.score - y.score || x.seq - y.seq);
  }

  private out(e: Entry, skipItem = false): FifoObject {
    return { id: e.id, item: skipItem ? '' : e.item, score: e.score };
  }

  private insert(id: number, item: string, score: number): void {
    this.store.entries.set(id, { id, item, score, temporary: false, seq: this.store.nextSeq++ });
    this.store.nextID = Math.max(this.store.nextID, id + 1);
  }

  async put(item: string, score: number = nowSec()): Promise<number> {
    await delay(this.a.latency);
    const id = this.store.nextID;
    this.insert(id, item, score);
    return id;
  }

  async putById(id: number, item: string, score: number = nowSec()): Promise<boolean> {
    await delay(this.a.latency);
    if (this.store.entries.has(id)) return false;
    this.insert(id, item, score);
    return true;
  }

  private take(e: Entry, protective: boolean): FifoObject {
    if (protective) e.temporary = true;
    else this.store.entries.delete(e.id);
    return this.out(e);
  }

  private async pop(last: boolean, o: FifoGetOptions): Promise<FifoObject | null> {
    await delay(this.a.latency);
    const deadline = Date.now() + (o.timeoutMs ?? 0);
    for (let attempt = 0; ; attempt++) {
      const list = this.live();
      const e = last ? list[list.length - 1] : list[0];
      if (e) return this.take(e, o.protective ?? false);
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await delay(Math.min(left, POLL_MS[Math.min(attempt, POLL_MS.length - 1)]));
    }
  }

  async get(options: FifoGetOptions = {}): Promise<FifoObject | null> {
    return this.pop(false, options);
  }

  async getLast(options: FifoGetOptions = {}): Promise<FifoObject | null> {
    return this.pop(true, options);
  }

  async getMany(o: FifoGetManyOptions = {}): Promise<FifoObject[]> {
    await delay(this.a.latency);
    let list = this.live(o.temporary ?? false).filter(
      (e) => (o.minScore === undefined || e.score >= o.minScore) && (o.maxScore === undefined || e.score <= o.maxScore),
    );
    if (o.mode === 'last') list = list.reverse();
    if (o.count !== undefined) list = list.slice(0, Math.max(0, o.count));
    return list.map((e) => (o.temporary ? this.out(e) : this.take(e, o.protective ?? false)));
  }

  async peek(): Promise<FifoObject | null> {
    await delay(this.a.latency);
    const e = this.live()[0];
    return e ? this.out(e) : null;
  }

  async peekLast(): Promise<FifoObject | null> {
    await delay(this.a.latency);
    const list = this.live();
    const e = list[list.length - 1];
    return e ? this.out(e) : null;
  }

  async peekById(id: number, options: { skipItem?: boolean } = {}): Promise<FifoObject | null> {
    await delay(this.a.latency);
    const e = this.store.entries.get(id);
    return e ? this.out(e, options.skipItem) : null;
  }

  async size(): Promise<number> {
    await delay(this.a.latency);
    return this.live().length;
  }

  async delete(ids: readonly number[]): Promise<number> {
    await delay(this.a.latency);
    let n = 0;
    for (const id of ids) if (this.store.entries.delete(id)) n += 1;
    return n;
  }

  async restore(ids?: readonly number[]): Promise<number> {
    await delay(this.a.latency);
    let n = 0;
    for (const e of this.store.entries.values()) {
      if (e.temporary && (ids === undefined || ids.includes(e.id))) {
        e.temporary = false;
        n += 1;
      }
    }
    return n;
  }

  async update(id: number, o: FifoUpdateOptions): Promise<boolean> {
    await delay(this.a.latency);
    const e = this.store.entries.get(id);
    if (!e) return false;
    if (o.condScore && o.score !== undefined) {
      const ok = { gt: o.score > e.score, ge: o.score >= e.score, lt: o.score < e.score, le: o.score <= e.score }[o.condScore];
      if (!ok) return false;
    }
    if (o.item !== undefined) e.item = o.item;
    if (o.score !== undefined) e.score = o.score;
    if (o.temporary !== undefined) e.temporary = o.temporary;
    return true;
  }

  async clear(): Promise<void> {
    await delay(this.a.latency);
    this.store.entries.clear();
  }
}
