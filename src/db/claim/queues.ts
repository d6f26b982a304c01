import type { Row } from '../sql';
import { num, str } from './common';

/** pq_table columns returned by queue claims. */
export const PQ_SUMMARY = [
  'uniqueName', 'queueName', 'siteName', 'jobType', 'resourceType', 'nNewWorkers', 'nQueueLimitJob', 'nQueueLimitWorker',
  'maxWorkers', 'nQueueLimitJobRatio', 'nQueueLimitJobMax', 'nQueueLimitJobMin', 'nQueueLimitWorkerRatio',
  'nQueueLimitWorkerMax', 'nQueueLimitWorkerMin',
] as const;

export interface PandaQueueRow {
  uniqueName: string;
  queueName: string | null;
  siteName: string | null;
  jobType: string | null;
  resourceType: string | null;
  nNewWorkers: number | null;
  nQueueLimitJob: number | null;
  nQueueLimitWorker: number | null;
  maxWorkers: number | null;
  nQueueLimitJobRatio: number | null;
  nQueueLimitJobMax: number | null;
  nQueueLimitJobMin: number | null;
  nQueueLimitWorkerRatio: number | null;
  nQueueLimitWorkerMax: number | null;
  nQueueLimitWorkerMin: number | null;
}

export function toPandaQueueRow(r: Row): PandaQueueRow {
  if (r.uniqueName === null || r.uniqueName === undefined) throw new Error('pq_table.uniqueName: unexpected NULL');
  return {
    uniqueName: String(r.uniqueName),
    queueName: str(r.queueName),
    siteName: str(r.siteName),
    jobType: str(r.jobType),
    resourceType: str(r.resourceType),
    nNewWorkers: num(r.nNewWorkers),
    nQueueLimitJob: num(r.nQueueLimitJob),
    nQueueLimitWorker: num(r.nQueueLimitWorker),
    maxWorkers: num(r.maxWorkers),
    nQueueLimitJobRatio: num(r.nQueueLimitJobRatio),
    nQueueLimitJobMax: num(r.nQueueLimitJobMax),
    nQueueLimitJobMin: num(r.nQueueLimitJobMin),
    nQueueLimitWorkerRatio: num(r.nQueueLimitWorkerRatio),
    nQueueLimitWorkerMax: num(r.nQueueLimitWorkerMax),
    nQueueLimitWorkerMin: num(r.nQueueLimitWorkerMin),
  };
}
