/**
 * Process-wide state shared by dummy plugin instances with the same key, the
 * way the original's `DummySingletonSubmitter` shared per queue: the factory
 * caches one instance per (queue, configID), but a fake batch system or fake
 * PanDA must outlive a config change and be visible to tests.
 */
const stores = new Map<string, unknown>();

export function sharedState<T>(kind: string, key: string, create: () => T): T {
  const id = `${kind}\u0000${key}`;
  let state = stores.get(id) as T | undefined;
  if (state === undefined) {
    state = create();
    stores.set(id, state);
  }
  return state;
}

/** Forgets every shared state of a kind (or all): tests call this between cases. */
export function resetSharedState(kind?: string): void {
  for (const id of [...stores.keys()]) if (kind === undefined || id.startsWith(`${kind}\u0000`)) stores.delete(id);
}
