import type { WorkerSpec } from '../../plugins/types';

/**
 * Expands the messenger's `accessPoint` template for one worker (facts §7.1):
 * `${workerID}`, `${harvesterID}`, `${_workerID_<d>.<d>…}` (digits of the
 * workerID counted from the right, e.g. `_workerID_3.2` = hundreds then tens,
 * for spreading directories) and any other worker attribute by name.
 */
export function expandAccessPoint(template: string, worker: Partial<WorkerSpec> & { workerID: number }, harvesterID: string): string {
  return template.replace(/\$\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (whole, name: string) => {
    if (name === 'harvesterID') return harvesterID;
    if (name.startsWith('_workerID_')) {
      const digits = String(worker.workerID);
      return name
        .slice('_workerID_'.length)
        .split('.')
        .map((d) => {
          const pos = Number(d);
          return Number.isInteger(pos) && pos >= 1 && pos <= digits.length ? digits[digits.length - pos] : '0';
        })
        .join('');
    }
    const v = (worker as Record<string, unknown>)[name];
    return v === undefined || v === null ? whole : String(v);
  });
}
