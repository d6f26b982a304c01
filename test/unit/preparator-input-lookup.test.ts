import { describe, expect, it } from 'vitest';
import { decideInputFiles, InputFileRegistry } from '../../src/agents/preparator/input-lookup';
import type { InputFileCopy } from '../../src/db/repo/stage-in';
import type { FileSpec } from '../../src/plugins/types';

const file = (fileID: number, PandaID: number, lfn: string, status: FileSpec['status']): FileSpec =>
  ({ fileID, PandaID, lfn, status, fileType: 'input', endpoint: 'DISK' });
const copy = (PandaID: number, lfn: string, status: string, path: string | null = null, endpoint = 'DISK'): InputFileCopy =>
  ({ PandaID, fileID: PandaID * 10, lfn, fileType: 'input', endpoint, status, path, groupID: path ? 'g1' : null, groupStatus: null, groupUpdateTime: null });

describe('decideInputFiles (the trigger lookup of facts §2.3)', () => {
  it('reuses a ready copy of another starting job, path and group included', () => {
    const reg = new InputFileRegistry([copy(2, 'x', 'ready', '/d/x')]);
    const d = decideInputFiles(1, [file(11, 1, 'x', 'to_prepare')], reg);
    expect(d).toEqual({ updates: [{ fileID: 11, status: 'ready', path: '/d/x', groupID: 'g1' }], toPrepare: [], wait: false });
  });

  it('waits while another job has the LFN triggered, or to_prepare when this job prepares nothing', () => {
    expect(decideInputFiles(1, [file(11, 1, 'x', 'to_prepare')], new InputFileRegistry([copy(2, 'x', 'triggered')]))).toMatchObject({
      wait: true, toPrepare: [], updates: [{ fileID: 11, status: 'preparing' }],
    });
    expect(decideInputFiles(1, [file(11, 1, 'x', 'preparing')], new InputFileRegistry([copy(2, 'x', 'to_prepare')]))).toMatchObject({
      wait: true, updates: [],
    });
    // Both hold x to_prepare and this job prepares files itself: it does not wait on the other's to_prepare.
    const d = decideInputFiles(1, [file(11, 1, 'x', 'to_prepare')], new InputFileRegistry([copy(2, 'x', 'to_prepare')]));
    expect(d.wait).toBe(false);
    expect(d.toPrepare.map((f) => f.lfn)).toEqual(['x']);
  });

  it('ignores its own copies and copies on another endpoint', () => {
    const reg = new InputFileRegistry([copy(1, 'x', 'triggered'), copy(3, 'x', 'ready', '/other', 'TAPE')]);
    const d = decideInputFiles(1, [file(11, 1, 'x', 'preparing')], reg);
    expect(d).toEqual({ updates: [{ fileID: 11, status: 'to_prepare' }], toPrepare: [{ ...file(11, 1, 'x', 'preparing'), status: 'to_prepare' }], wait: false });
  });

  it('a later job of the same batch waits for an LFN an earlier one is about to trigger', () => {
    const reg = new InputFileRegistry([]);
    expect(decideInputFiles(1, [file(11, 1, 'x', 'to_prepare')], reg).wait).toBe(false);
    expect(decideInputFiles(2, [file(21, 2, 'x', 'to_prepare')], reg).wait).toBe(true);
  });
});
