import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checksumMismatch, ChecksumMeter, type ChecksumKind, type Digest, type ExpectedChecksum } from '../checksum';
import { READ_NOFOLLOW } from '../safe-path';
import { errText } from './paths';

/**
 * Why a copy did not happen: `missing` — the source is not there (try the
 * next source, then fail naming every place looked at); `transient` — worth
 * another attempt (network trouble, HTTP 5xx); `permanent` — no point
 * retrying (checksum mismatch, HTTP 403).
 */
export class CopyError extends Error {
  constructor(message: string, readonly kind: 'missing' | 'transient' | 'permanent') {
    super(message);
    this.name = 'CopyError';
  }
}

/** What a copied file must match; unset parts are not checked. */
export interface Expected {
  fsize?: number | null;
  checksum?: ExpectedChecksum;
}

/** The problem with `digest` against `expected`, or null when it matches. */
export function mismatch(expected: Expected, digest: Digest): string | null {
  if (expected.fsize !== undefined && expected.fsize !== null && expected.fsize !== digest.fsize) {
    return `size mismatch: expected ${expected.fsize} bytes, got ${digest.fsize}`;
  }
  return expected.checksum ? checksumMismatch(expected.checksum, digest) : null;
}

export interface CopyOptions {
  kinds: readonly ChecksumKind[];
  expected?: Expected;
  signal?: AbortSignal;
  /** Called per chunk (idle timers). */
  onData?: () => void;
}

/**
 * Streams `source` to `dest` through a temp file beside it, computing the
 * checksums on the way; renames into place only if the result matches
 * `expected`. A reader of `dest` therefore never sees a partial or corrupt
 * file, and an interrupted copy leaves at most a `.part-*` file.
 */
export async function copyStream(source: Readable, dest: string, o: CopyOptions): Promise<Digest> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  const meter = new ChecksumMeter(o.kinds, o.onData);
  try {
    await pipeline(source, meter, fs.createWriteStream(tmp, { flags: 'wx' }), { signal: o.signal });
    const digest = meter.digest();
    const problem = o.expected ? mismatch(o.expected, digest) : null;
    if (problem) throw new CopyError(problem, 'permanent');
    await fs.promises.rename(tmp, dest);
    return digest;
  } catch (err) {
    source.destroy();
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Opens a local file for reading, refusing a symlink as the last component and anything not a regular file. */
export async function openRegularFile(p: string): Promise<Readable> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(p, READ_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CopyError(`${p}: ${errText(err)}`, code === 'ENOENT' ? 'missing' : 'permanent');
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new CopyError(`${p} is not a regular file`, 'permanent');
  }
  return fh.createReadStream();
}

/** Checksums of an existing local file (to accept a destination copied before a restart). */
export async function digestFile(p: string, kinds: readonly ChecksumKind[], signal?: AbortSignal): Promise<Digest> {
  const meter = new ChecksumMeter(kinds);
  await pipeline(await openRegularFile(p), meter, async (chunks: AsyncIterable<Buffer>) => {
    for await (const _ of chunks) { /* drain */ }
  }, { signal });
  return meter.digest();
}
