import type { Problem } from './types';

/** One line per problem: `source: queue "Q", attribute "A": reason`. */
export function formatProblem(p: Problem): string {
  const where: string[] = [];
  if (p.queue) where.push(`queue "${p.queue}"`);
  if (p.attribute) where.push(`attribute "${p.attribute}"`);
  const prefix = [p.source || '(merged config)', where.join(', ')].filter((s) => s).join(': ');
  return `${p.severity === 'warning' ? 'warning: ' : ''}${prefix}: ${p.reason}`;
}

/**
 * Thrown when a queue config cannot be used at all: unreadable/invalid JSON, or
 * a broken local file at startup. `problems` lists everything found, not just
 * the first, so an operator fixes the file in one go.
 */
export class QueueConfigError extends Error {
  readonly problems: readonly Problem[];

  constructor(summary: string, problems: readonly Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(`${summary}\n${errors.map((p) => `  - ${formatProblem(p)}`).join('\n')}`);
    this.name = 'QueueConfigError';
    this.problems = problems;
  }
}
