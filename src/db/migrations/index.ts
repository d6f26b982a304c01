import { m0001Initial } from './0001-initial';
import { m0002ClaimIndexes } from './0002-claim-indexes';
import { m0003ScanIndexes } from './0003-scan-indexes';
import { m0004SweepIndex } from './0004-sweep-index';
import type { Migration } from './types';

export type { Migration };

/** Every migration, in order. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [m0001Initial, m0002ClaimIndexes, m0003ScanIndexes, m0004SweepIndex];
