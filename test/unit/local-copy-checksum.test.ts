import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { adler32 } from '../../plugins/lib/chance';
import { Adler32, ChecksumMeter, checksumMismatch, parseChecksum } from '../../plugins/lib/checksum';
import { expandPath, expandURL } from '../../plugins/lib/local-copy/template';
import { isBelow, plainNameProblem } from '../../plugins/lib/local-copy/paths';

describe('streaming checksums', () => {
  it('Adler32 matches the known vector and the one-shot implementation, in any chunking', () => {
    expect(new Adler32().update(Buffer.from('Wikipedia')).hex()).toBe('11e60398');
    expect(new Adler32().hex()).toBe('00000001');
    const data = randomBytes(3 * 5552 + 123);
    const chunked = new Adler32();
    for (let i = 0; i < data.length; i += 1000) chunked.update(data.subarray(i, i + 1000));
    expect(chunked.hex()).toBe(adler32(data));
    // All 0xff bytes: the worst case for the deferred modulo.
    const ff = Buffer.alloc(100_000, 0xff);
    expect(new Adler32().update(ff).hex()).toBe(adler32(ff));
  });

  it('ChecksumMeter passes data through and reports size, adler32 and md5', async () => {
    const data = randomBytes(70_000);
    const meter = new ChecksumMeter(['adler32', 'md5']);
    const out: Buffer[] = [];
    await pipeline(Readable.from([data.subarray(0, 10), data.subarray(10)]), meter, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) out.push(c);
    });
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(meter.digest()).toEqual({ fsize: data.length, adler32: adler32(data), md5: createHash('md5').update(data).digest('hex') });
    expect(meter.digest().md5, 'digest() can be read twice').toBe(createHash('md5').update(data).digest('hex'));
  });
});

describe('parseChecksum', () => {
  it.each([
    ['ad:0A1B2C3D', 'adler32', '0a1b2c3d'],
    ['adler32:1b2c3d', 'adler32', '001b2c3d'],
    ['1b2c3d', 'adler32', '001b2c3d'],
    [`md:${'a'.repeat(32)}`, 'md5', 'a'.repeat(32)],
    [`md5:${'B'.repeat(32)}`, 'md5', 'b'.repeat(32)],
    ['c'.repeat(32), 'md5', 'c'.repeat(32)],
  ])('%s → %s %s', (raw, kind, value) => {
    expect(parseChecksum(raw)).toEqual({ kind, value, raw });
  });

  it.each([['sha256:abcd'], ['ad:123456789'], ['md:abc'], ['ad:xyz'], ['']])('%j is refused with a reason', (raw) => {
    expect(typeof parseChecksum(raw)).toBe('string');
  });

  it('mismatches name both values', () => {
    const exp = parseChecksum('ad:00000001');
    if (typeof exp === 'string') throw new Error(exp);
    expect(checksumMismatch(exp, { fsize: 0, adler32: '00000001' })).toBeNull();
    expect(checksumMismatch(exp, { fsize: 1, adler32: '00620062' })).toBe('checksum mismatch: expected adler32 00000001, got 00620062');
  });
});

describe('templates and path containment', () => {
  it('path values become single components; URL values are encoded', () => {
    expect(expandPath('/d/${computingSite}/${PandaID}', { computingSite: 'SITE/../x', PandaID: 7 })).toBe('/d/SITE_.._x/7');
    expect(expandPath('/d/${scope}', { scope: '..' })).toBe('/d/_');
    expect(expandURL('http://h/${scope}/${lfn}', { scope: 'mc23', lfn: 'a b?.root' })).toBe('http://h/mc23/a%20b%3F.root');
    expect(() => expandPath('/d/${taskID}', { taskID: null })).toThrow(/\$\{taskID\}.*no value/);
  });

  it('only plain names and paths strictly below the root pass', () => {
    expect(plainNameProblem('a.root')).toBeNull();
    for (const bad of ['', '.', '..', 'a/b', '../a', 'a\\b', 'a\0b']) expect(plainNameProblem(bad)).not.toBeNull();
    expect(isBelow('/r', '/r/a')).toBe(true);
    expect(isBelow('/r', '/r')).toBe(false);
    expect(isBelow('/r', '/r/../s')).toBe(false);
    expect(isBelow('/r', '/rs/a')).toBe(false);
  });
});
