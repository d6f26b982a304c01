/**
 * Deterministic randomness for the dummy plugins: the outcome for a given
 * (seed, key) is the same in every process and in any call order, so a test
 * or benchmark with `failureRate: 0.2, seed: 7` fails the same workers on
 * every run — and a worker checked by another master process gets the same fate.
 */

/** FNV-1a, then a murmur-style finaliser for better spread of nearby keys. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) fixed by seed and key parts. */
export function chance(seed: number, ...key: (string | number | null | undefined)[]): number {
  return hash32(`${seed}|${key.join('|')}`) / 0x1_0000_0000;
}

/** Whether the event with this key happens at `rate` (0 never, 1 always). */
export function happens(rate: number, seed: number, ...key: (string | number | null | undefined)[]): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return chance(seed, ...key) < rate;
}

/** Adler-32 as the `ad:` checksums of the original (8 hex digits). */
export function adler32(data: Buffer | string): string {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  let a = 1;
  let b = 0;
  // Indexed: for-of over a Buffer allocates an iterator result per byte in unoptimized code.
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (((b << 16) | a) >>> 0).toString(16).padStart(8, '0').slice(-8);
}
