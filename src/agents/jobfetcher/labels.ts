/**
 * The prodSourceLabel to ask for: the queue's label, or with
 * `prodSourceLabelRandomWeightsPermille` ({label: permille}) another label with
 * that chance — the original draws from a 1000-slot list filled with each label
 * `permille` times and the default label for the rest.
 */
export function chooseProdSourceLabel(
  defaultLabel: string,
  weightsPermille: Readonly<Record<string, number>>,
  random: () => number = Math.random,
): string {
  const entries = Object.entries(weightsPermille).filter(([, w]) => Number.isFinite(w) && w > 0);
  if (entries.length === 0) return defaultLabel;
  const slot = Math.floor(random() * 1000);
  let upTo = 0;
  for (const [label, w] of entries) {
    upTo += w;
    if (slot < upTo) return label;
  }
  return defaultLabel;
}
