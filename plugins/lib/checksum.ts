import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Streaming checksums for data-moving plugins: Adler-32 (PanDA's `ad:`) and
 * MD5 (`md:`), computed while bytes pass through, so a copy reads its source
 * once. (`plugins/lib/chance.ts` has a one-shot adler32 for small buffers.)
 */

const MOD = 65521;
/** Largest run of bytes before `b` must be reduced (zlib's NMAX): keeps sums exact in doubles and fast. */
const NMAX = 5552;

/** Incremental Adler-32. */
export class Adler32 {
  private a = 1;
  private b = 0;

  update(buf: Uint8Array): this {
    let { a, b } = this;
    let i = 0;
    while (i < buf.length) {
      const end = Math.min(i + NMAX, buf.length);
      for (; i < end; i++) {
        a += buf[i];
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** 8 lower-case hex digits, as in `ad:0a1b2c3d`. */
  hex(): string {
    return ((this.b * 65536 + this.a) >>> 0).toString(16).padStart(8, '0');
  }
}

export type ChecksumKind = 'adler32' | 'md5';

/** A checksum as a job gives it, normalised for comparison. */
export interface ExpectedChecksum {
  kind: ChecksumKind;
  /** Lower-case hex; adler32 padded to 8 digits. */
  value: string;
  /** The text as given, for diagnostics. */
  raw: string;
}

/**
 * Parses a job/file checksum: `ad:`/`adler32:` and `md:`/`md5:` prefixes;
 * without a prefix, up to 8 hex digits is adler32 (the original's default)
 * and 32 is md5. Returns a string describing the problem for anything else,
 * so callers fail loudly instead of skipping verification.
 */
export function parseChecksum(raw: string): ExpectedChecksum | string {
  const text = raw.trim();
  const m = /^(?:([a-z0-9]+):)?([0-9a-fA-F]+)$/.exec(text);
  if (!m) return `unparsable checksum "${raw}"`;
  const prefix = m[1]?.toLowerCase();
  const hex = m[2].toLowerCase();
  if (prefix === 'ad' || prefix === 'adler32' || (prefix === undefined && hex.length <= 8)) {
    if (hex.length > 8) return `adler32 checksum "${raw}" has more than 8 hex digits`;
    // PanDA values sometimes lost leading zeros on the way; the number is what counts.
    return { kind: 'adler32', value: hex.padStart(8, '0'), raw };
  }
  if (prefix === 'md' || prefix === 'md5' || (prefix === undefined && hex.length === 32)) {
    if (hex.length !== 32) return `md5 checksum "${raw}" must have 32 hex digits`;
    return { kind: 'md5', value: hex, raw };
  }
  return `unsupported checksum "${raw}" (supported: ad:/adler32:, md:/md5:)`;
}

/** What a {@link ChecksumMeter} saw. */
export interface Digest {
  fsize: number;
  adler32?: string;
  md5?: string;
}

/**
 * Pass-through stream counting bytes and computing the requested checksums.
 * `onData` lets the caller reset an idle timer on progress.
 */
export class ChecksumMeter extends Transform {
  private bytes = 0;
  private readonly adler?: Adler32;
  private readonly md5?: Hash;
  private md5Hex?: string;

  constructor(kinds: readonly ChecksumKind[], private readonly onData?: () => void) {
    super();
    if (kinds.includes('adler32')) this.adler = new Adler32();
    if (kinds.includes('md5')) this.md5 = createHash('md5');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.adler?.update(chunk);
    this.md5?.update(chunk);
    this.onData?.();
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    // A Hash can be finalised once only; keep the value for repeated digest() calls.
    this.md5Hex = this.md5?.digest('hex');
    cb();
  }

  /** Valid once the stream has ended. */
  digest(): Digest {
    return {
      fsize: this.bytes,
      ...(this.adler ? { adler32: this.adler.hex() } : {}),
      ...(this.md5Hex !== undefined ? { md5: this.md5Hex } : {}),
    };
  }
}

/** `null` when `digest` matches `expected`, else "expected md5 X, got Y". */
export function checksumMismatch(expected: ExpectedChecksum, digest: Digest): string | null {
  const actual = expected.kind === 'adler32' ? digest.adler32 : digest.md5;
  if (actual === undefined) return `${expected.kind} was not computed`;
  return actual === expected.value ? null : `checksum mismatch: expected ${expected.kind} ${expected.value}, got ${actual}`;
}
