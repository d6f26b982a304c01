import { describe, expect, it } from 'vitest';
import {
  aggregateJobState, convertToJobStatus, defaultPilotError, heldBackStatus, jobStateFromWorker, nextWorkerStatus, payloadJobStatus,
} from '../../src/agents/monitor/status-map';
import type { WorkerStatus } from '../../src/plugins/types';

describe('convertToJobStatus (facts §5.1)', () => {
  it.each<[WorkerStatus, string, string]>([
    ['submitted', 'starting', 'submitted'],
    ['pending', 'starting', 'submitted'],
    ['ready', 'starting', 'ready'],
    ['running', 'running', 'running'],
    ['idle', 'running', 'idle'],
    ['finished', 'finished', 'to_transfer'],
    ['failed', 'failed', 'to_transfer'],
    ['cancelled', 'cancelled', 'to_transfer'],
    ['missed', 'missed', 'missed'],
  ])('worker %s → job %s/%s', (worker, status, subStatus) => {
    expect(convertToJobStatus(worker)).toEqual({ status, subStatus });
  });
});

describe('payload jobStatus override', () => {
  it('only finished and failed override the worker status', () => {
    expect(payloadJobStatus({ jobStatus: 'finished' })).toBe('finished');
    expect(payloadJobStatus({ jobStatus: 'failed' })).toBe('failed');
    expect(payloadJobStatus({ jobStatus: 'running' })).toBeNull();
    expect(payloadJobStatus({ jobStatus: 'cancelled' })).toBeNull();
    expect(payloadJobStatus(null)).toBeNull();
  });

  it('a multi-job worker still running ends the job the payload reported done', () => {
    expect(jobStateFromWorker('running', { jobStatus: 'finished' })).toEqual({ status: 'finished', subStatus: 'to_transfer' });
    expect(jobStateFromWorker('running', { jobStatus: 'failed', pilotErrorCode: 1305 })).toEqual({ status: 'failed', subStatus: 'to_transfer' });
    expect(jobStateFromWorker('running', { jobStatus: 'running' })).toEqual({ status: 'running', subStatus: 'running' });
    expect(jobStateFromWorker('failed', {})).toEqual({ status: 'failed', subStatus: 'to_transfer' });
  });
});

describe('aggregateJobState (OneToMany)', () => {
  it.each<[WorkerStatus[], boolean, string, string]>([
    [['finished', 'failed', 'cancelled'], false, 'finished', 'to_transfer'],
    [['failed', 'cancelled'], false, 'failed', 'to_transfer'],
    [['cancelled', 'cancelled'], false, 'cancelled', 'to_transfer'],
    [['missed', 'cancelled'], false, 'cancelled', 'to_transfer'],
    [['finished', 'running'], false, 'running', 'running'],
    [['finished', 'submitted'], false, 'starting', 'submitted'],
    [['finished', 'submitted'], true, 'running', 'running'],
    [['submitted', 'submitted'], false, 'starting', 'submitted'],
    [['idle', 'submitted'], false, 'running', 'running'],
  ])('%j (job already running: %s) → %s/%s', (workers, already, status, subStatus) => {
    expect(aggregateJobState(workers, already)).toEqual({ status, subStatus });
  });

  it('a job without workers is not done', () => {
    expect(aggregateJobState([])).toEqual({ status: 'starting', subStatus: 'submitted' });
  });
});

describe('worker status transitions', () => {
  it('submitted never comes back after running/idle', () => {
    expect(nextWorkerStatus('running', 'submitted')).toBe('running');
    expect(nextWorkerStatus('idle', 'submitted')).toBe('idle');
    expect(nextWorkerStatus('submitted', 'running')).toBe('running');
    expect(nextWorkerStatus('running', 'idle')).toBe('idle');
    expect(nextWorkerStatus('idle', 'running')).toBe('running');
  });

  it('final rows are never overwritten', () => {
    expect(nextWorkerStatus('finished', 'running')).toBe('finished');
    expect(nextWorkerStatus('cancelled', 'failed')).toBe('cancelled');
  });

  it('an ended worker is held as running when it was running, else idle', () => {
    expect(heldBackStatus('running')).toBe('running');
    expect(heldBackStatus('submitted')).toBe('idle');
    expect(heldBackStatus('idle')).toBe('idle');
  });

  it('default pilot errors: 1008 for failed, 1144 for cancelled, none otherwise', () => {
    expect(defaultPilotError('failed')).toBe(1008);
    expect(defaultPilotError('cancelled')).toBe(1144);
    expect(defaultPilotError('finished')).toBeNull();
    expect(defaultPilotError('running')).toBeNull();
  });
});
