import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChild } from '../../src/log';

function capture(level: pino.LevelWithSilent): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level, redact: { paths: ['token'], censor: '***' } }, sink), lines };
}

describe('lazyChild', () => {
  it('logs with the bindings, like log.child, and redacts as the parent does', () => {
    const { log, lines } = capture('info');
    const l = lazyChild(log, { queue: 'Q1', PandaID: 7 });
    l.info({ token: 'abc', n: 1 }, 'hello');
    l.child({ workerID: 3 }).warn('nested');
    expect(lines).toEqual([
      expect.objectContaining({ queue: 'Q1', PandaID: 7, token: '***', n: 1, msg: 'hello', level: 30 }),
      expect.objectContaining({ queue: 'Q1', PandaID: 7, workerID: 3, msg: 'nested', level: 40 }),
    ]);
  });

  it('makes no child while only calls below the level are made, and one child at most', () => {
    const { log, lines } = capture('info');
    const spy = vi.spyOn(log, 'child');
    const l = lazyChild(log, { PandaID: 8 });
    l.debug({ x: 1 }, 'not shown');
    l.trace('not shown either');
    expect(spy).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    l.error('shown');
    l.info('shown too');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(lines.map((x) => [x.PandaID, x.msg])).toEqual([[8, 'shown'], [8, 'shown too']]);
  });
});
