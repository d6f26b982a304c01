import { describe, expect, it } from 'vitest';
import { chunkJobs, jobsToClaim, type ChunkJob, type ChunkOptions } from '../../src/agents/submitter/job-chunks';
import { expandAccessPoint } from '../../src/agents/submitter/access-point';

const base: ChunkOptions = {
  mapType: 'OneToOne', nWorkers: 3, nJobsPerWorker: 1, allowJobMixture: false, nWorkersPerJob: 1, maxWorkersPerJobInTotal: Infinity, maxWorkersPerJobPerCycle: null,
};
const job = (PandaID: number, taskID = 1, extra: Partial<ChunkJob> = {}): ChunkJob => ({ PandaID, taskID, nWorkers: 0, nWorkersLimit: null, nWorkersInTotal: 0, ...extra });
const ids = (chunks: ChunkJob[][]): number[][] => chunks.map((c) => c.map((j) => j.PandaID));

describe('chunkJobs per mapType', () => {
  it('NoJob: empty chunks, no jobs claimed', () => {
    expect(chunkJobs([], { ...base, mapType: 'NoJob' })).toEqual([[], [], []]);
    expect(jobsToClaim({ ...base, mapType: 'NoJob' })).toBe(0);
  });

  it('OneToOne: one job per worker, at most nWorkers', () => {
    expect(ids(chunkJobs([job(1), job(2), job(3), job(4)], base))).toEqual([[1], [2], [3]]);
    expect(jobsToClaim(base)).toBe(3);
  });

  it('ManyToOne: nJobsPerWorker per worker, grouped by taskID', () => {
    const o = { ...base, mapType: 'ManyToOne' as const, nJobsPerWorker: 2 };
    expect(jobsToClaim(o)).toBe(6);
    expect(ids(chunkJobs([job(1, 7), job(2, 8), job(3, 7), job(4, 8), job(5, 7)], o))).toEqual([[1, 3], [5], [2, 4]]);
  });

  it('ManyToOne with allowJobMixture mixes tasks', () => {
    const o = { ...base, mapType: 'ManyToOne' as const, nJobsPerWorker: 2, allowJobMixture: true };
    expect(ids(chunkJobs([job(1, 7), job(2, 8), job(3, 7), job(4, 8)], o))).toEqual([[1, 2], [3, 4]]);
  });

  it('OneToMany: nWorkersPerJob workers per job, capped per cycle and in total', () => {
    const o = { ...base, mapType: 'OneToMany' as const, nWorkers: 5, nWorkersPerJob: 3 };
    expect(jobsToClaim(o)).toBe(2);
    expect(ids(chunkJobs([job(1), job(2)], o))).toEqual([[1], [1], [1], [2], [2]]);
    expect(ids(chunkJobs([job(1), job(2)], { ...o, maxWorkersPerJobPerCycle: 1 }))).toEqual([[1], [2]]);
    expect(ids(chunkJobs([job(1, 1, { nWorkersInTotal: 9 }), job(2)], { ...o, maxWorkersPerJobInTotal: 10 }))).toEqual([[1], [2], [2], [2]]);
    // A job already running with 2 of its 3 workers only gets one more.
    expect(ids(chunkJobs([job(1, 1, { nWorkers: 2, nWorkersLimit: 3, nWorkersInTotal: 2 })], o))).toEqual([[1]]);
  });
});

describe('expandAccessPoint', () => {
  it('substitutes workerID, harvesterID, digit selections and worker attributes', () => {
    expect(expandAccessPoint('/d/${harvesterID}/${_workerID_3.2}/${workerID}/${computingSite}', { workerID: 12345, computingSite: 'Q1' }, 'h1')).toBe('/d/h1/34/12345/Q1');
    expect(expandAccessPoint('/d/${_workerID_9}/${unknownAttr}', { workerID: 7 }, 'h1')).toBe('/d/0/${unknownAttr}');
  });
});
