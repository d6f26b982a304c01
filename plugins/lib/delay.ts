/** Waits `ms` milliseconds (0 or less: returns at once, without a timer tick). */
export async function delay(ms: number): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
}
