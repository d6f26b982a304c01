/** Fields an error may carry that identify what it was working on (queue, rows, plugin). */
const ID_KEYS = [
  'queue', 'queueName', 'computingSite', 'workerID', 'workerIDs', 'PandaID', 'PandaIDs',
  'fileID', 'configID', 'plugin', 'batchID',
] as const;

/**
 * The ids carried by an error (or its `cause` chain), for the log line of a
 * failed cycle: an operator must be able to find the row or queue that broke it.
 */
export function idsFromError(err: unknown): Record<string, unknown> {
  const ids: Record<string, unknown> = {};
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    const rec = cur as Record<string, unknown>;
    for (const key of ID_KEYS) {
      if (rec[key] !== undefined && ids[key] === undefined) ids[key] = rec[key];
    }
    cur = rec.cause;
  }
  return ids;
}
