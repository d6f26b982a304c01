/**
 * A queue's `noHeartbeat` attribute (comma-separated job/worker statuses a
 * true pilot reports itself) as a set. Memoized per attribute text: the
 * propagator asks once per job of every report chunk and the monitor once per
 * ended worker, and a queue has one such text. The set is shared: read only.
 */
const memo = new Map<string, ReadonlySet<string>>();
const MEMO_MAX = 256;

export function noHeartbeatStatuses(noHeartbeat: string | undefined): ReadonlySet<string> {
  const text = noHeartbeat ?? '';
  let set = memo.get(text);
  if (!set) {
    set = new Set(text.split(',').map((s) => s.trim()).filter(Boolean));
    // A queue config reload can bring new texts; old ones are simply parsed again.
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(text, set);
  }
  return set;
}
