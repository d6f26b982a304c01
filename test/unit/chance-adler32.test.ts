import { describe, expect, it } from 'vitest';
import { adler32 } from '../../plugins/lib/chance';

describe('adler32 (the `ad:` checksums of the original)', () => {
  it('matches the published test vectors', () => {
    expect(adler32('Wikipedia')).toBe('11e60398');
    expect(adler32('')).toBe('00000001');
    expect(adler32(Buffer.from('abc'))).toBe('024d0127');
  });

  it('wraps its sums modulo 65521 on long input', () => {
    // 100 000 bytes of 0xff: both sums wrap many times; reference value computed independently (zlib.adler32).
    expect(adler32(Buffer.alloc(100_000, 0xff))).toBe('149a302c');
  });
});
