import { describe, expect, it } from 'vitest';
import { nextStageOutState } from '../../src/agents/stager/job-state';
import { groupForZips } from '../../src/agents/stager/zip-grouping';
import { adler32Of, outputFilesToReport } from '../../src/agents/stager/output-report';
import type { FileSpec } from '../../src/plugins/types';

const counts = (o: Record<string, number>) => new Map(Object.entries(o));

describe('nextStageOutState (update_job_for_stage_out bookkeeping)', () => {
  it('hasOutFile from what is left, zipping first', () => {
    expect(nextStageOutState('running', counts({ zipping: 1, defined: 1 })).hasOutFile).toBe(2);
    expect(nextStageOutState('running', counts({ post_zipping: 1, defined: 1, transferring: 1 })).hasOutFile).toBe(4);
    expect(nextStageOutState('running', counts({ defined: 1, transferring: 1 })).hasOutFile).toBe(1);
    expect(nextStageOutState('running', counts({ transferring: 1, finished: 2 })).hasOutFile).toBe(3);
    expect(nextStageOutState('running', counts({ finished: 2 }))).toEqual({ hasOutFile: 0, final: false });
  });

  it('to_transfer → transferring once nothing is left to zip or trigger; staged or failed when nothing is in flight', () => {
    expect(nextStageOutState('to_transfer', counts({ defined: 1 }))).toEqual({ hasOutFile: 1, final: false });
    // Outputs still waiting for their zip: not finished with them.
    expect(nextStageOutState('to_transfer', counts({ pending: 1, finished: 1 }))).toEqual({ hasOutFile: 2, final: false });
    expect(nextStageOutState('running', counts({ pending: 1 }))).toEqual({ hasOutFile: 0, final: false });
    expect(nextStageOutState('to_transfer', counts({ transferring: 2 }))).toEqual({ hasOutFile: 3, subStatus: 'transferring', final: false });
    expect(nextStageOutState('to_transfer', counts({ finished: 2 }))).toEqual({ hasOutFile: 0, subStatus: 'staged', final: true });
    expect(nextStageOutState('transferring', counts({ finished: 1, failed: 1 }))).toEqual({ hasOutFile: 0, subStatus: 'failed_to_stage_out', status: 'failed', final: true });
    expect(nextStageOutState('transferring', counts({ finished: 1, transferring: 1 }))).toEqual({ hasOutFile: 3, final: false });
  });
});

describe('outputFilesToReport', () => {
  it('finished output and log files only, checksum without prefix, log guid from jobParamsExtForLog', () => {
    const f = (lfn: string, fileType: FileSpec['fileType'], status: FileSpec['status'], extra: Partial<FileSpec> = {}): FileSpec =>
      ({ fileID: 1, PandaID: 1, lfn, fileType, status, fsize: 5, chksum: 'ad:0000abcd', ...extra });
    const text = outputFilesToReport([
      f('o', 'output', 'finished', { fileAttributes: { guid: 'G' } }),
      f('l', 'log', 'finished'),
      f('bad', 'output', 'failed'),
      f('z.zip', 'zip_output', 'finished'),
    ], { lfn: 'l', guid: 'LG' });
    expect(JSON.parse(text)).toEqual({ o: { guid: 'G', fsize: 5, adler32: '0000abcd' }, l: { guid: 'LG', fsize: 5, adler32: '0000abcd' } });
    expect(adler32Of('md:ffff')).toBeNull();
    expect(outputFilesToReport([], null)).toBe('{}');
    // LFNs needing escapes; a repeated LFN keeps its place and takes the last values, as an object keyed by LFN would.
    const odd = outputFilesToReport([f('a"b\\c', 'output', 'finished'), f('x', 'output', 'finished'), f('a"b\\c', 'log', 'finished', { fsize: 9 })], null);
    expect(odd).toBe(JSON.stringify({ 'a"b\\c': { guid: null, fsize: 9, adler32: '0000abcd' }, x: { guid: null, fsize: 5, adler32: '0000abcd' } }));
  });
});

describe('groupForZips', () => {
  const f = (fileID: number, mb: number): FileSpec => ({ fileID, PandaID: 1, lfn: `f${fileID}`, status: 'pending', fileType: 'output', fsize: mb * 1024 * 1024 });
  it('fills zips up to zipPerMB; the rest waits while the job runs, becomes a last zip once it is done', () => {
    const files = [f(1, 3), f(2, 3), f(3, 1)];
    expect(groupForZips(files, 5, false).map((g) => g.map((x) => x.fileID))).toEqual([[1, 2]]);
    expect(groupForZips(files, 5, true).map((g) => g.map((x) => x.fileID))).toEqual([[1, 2], [3]]);
    expect(groupForZips(files, 0, true).map((g) => g.map((x) => x.fileID))).toEqual([[1, 2, 3]]);
    expect(groupForZips(files, 0, false)).toEqual([]);
  });
});
