import { describe, expect, it } from 'vitest';
import { formatPretty } from '../../src/log-pretty';
import { upstreamCounts } from '../../src/progress/counts';
import { allDoneLine, progressLine } from '../../src/progress/format';

describe('progress line', () => {
  it('lists jobs and workers in pipeline order, then upstream totals', () => {
    const line = progressLine(
      { jobs: { finished: 12, running: 4, preparing: 2, weird: 1 }, workers: { finished: 12, running: 4 } },
      upstreamCounts({ finished: 12, running: 8 }),
    );
    expect(line).toBe('progress: jobs preparing=2 running=4 finished=12 weird=1 | workers running=4 finished=12 | upstream finished 12/20');
    expect(progressLine({ jobs: {}, workers: {} }, undefined)).toBe('progress: jobs none | workers none');
  });

  it('says once where the outputs are, or that the jobs were already done', () => {
    const up = upstreamCounts({ finished: 18, failed: 2 });
    expect(allDoneLine(up, ['var/output'], false, '')).toBe(
      'all 20 jobs done upstream: 18 finished, 2 failed; outputs in var/output/<PandaID>/. Harvester keeps running idle; Ctrl-C stops it');
    expect(allDoneLine(up, [], true, 'var/wms-state.json')).toMatch(/^all 20 jobs of the embedded WMS had already finished before this start \(kept in var\/wms-state.json\).*rm -rf var/);
  });
});

describe('pretty log lines', () => {
  it('shows time, level, agent, message and scalar fields; nested objects are left out', () => {
    const rec = { level: 40, time: '2026-01-02T03:04:05.000Z', pid: 1, name: 'harvester', agent: 'monitor', thread: 2, msg: 'rejected', path: '../x', n: 3, obj: { a: 1 }, err: { message: 'boom', stack: '...' } };
    const line = formatPretty(JSON.stringify(rec), { colour: false });
    expect(line).toMatch(/^\d\d:\d\d:\d\d WARN  \[monitor#2\] rejected {2}path=\.\.\/x n=3 err="boom"\n$/);
    expect(formatPretty('not json', { colour: false })).toBe('not json\n');
  });
});
