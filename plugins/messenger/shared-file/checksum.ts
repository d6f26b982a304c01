import * as fs from 'node:fs';
import { READ_NOFOLLOW } from '../../lib/safe-path';

/** Largest run of bytes before the Adler-32 sums must be reduced (zlib's NMAX). */
const NMAX = 5552;
const MOD = 65521;

/**
 * Adler-32 of a file as the original's `calc_adler32` (8 lower-case hex
 * digits), streamed so large outputs do not sit in memory. Opened without
 * following a final symlink: the caller checked the path it passes.
 */
export async function adler32File(file: string): Promise<string> {
  let a = 1;
  let b = 0;
  const fh = await fs.promises.open(file, READ_NOFOLLOW);
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      let i = 0;
      while (i < bytesRead) {
        const end = Math.min(i + NMAX, bytesRead);
        for (; i < end; i++) {
          a += buf[i];
          b += a;
        }
        a %= MOD;
        b %= MOD;
      }
    }
  } finally {
    await fh.close();
  }
  return ((b * 65536 + a) >>> 0).toString(16).padStart(8, '0');
}
