/**
 * Appends `value` to the list under `key`, creating the list on first use.
 * For grouping rows of a batch: `map.set(k, [...(map.get(k) ?? []), v])`
 * copies the list on every append, quadratic in a 500-row batch.
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
