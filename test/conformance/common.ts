import { expect } from 'vitest';
import type { OutcomeResult } from '../../src/plugins/types';

/** Options every conformance suite takes. */
export interface SuiteOptions {
  /** Label of the `describe` block (default: the category). */
  name?: string;
  /** Per-test timeout in ms for slow real implementations. */
  timeoutMs?: number;
}

/** A plugin factory for a suite; called once per test so tests do not share state. */
export type MakePlugin<T> = () => T | Promise<T>;

export function expectDiag(diag: unknown): void {
  expect(typeof diag, 'diag must be a string').toBe('string');
}

export function expectOutcome(r: OutcomeResult, allowed: readonly string[] = ['done', 'pending', 'failed']): void {
  expect(allowed, `status ${JSON.stringify(r.status)} not in ${allowed.join('|')}`).toContain(r.status);
  expectDiag(r.diag);
  if (r.status === 'failed') expect(r.diag.length, 'a failure must say why').toBeGreaterThan(0);
}
