import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { READ_NOFOLLOW } from './safe-path';

/**
 * A small tar.gz writer (POSIX ustar + pax headers for long names and big
 * sizes), enough for log tarballs: regular files only, streamed through
 * node's zlib, no shell and no external `tar`/`pigz`. GNU tar, bsdtar and
 * Python's tarfile read the result.
 *
 * Files are opened with O_NOFOLLOW: an entry that became a symlink since it
 * was listed is skipped, so a payload cannot smuggle a file from elsewhere
 * into its tarball.
 */

export interface TarEntry {
  /** Name inside the archive (e.g. `./payload.log`). */
  name: string;
  /** Absolute path of the regular file to store. */
  source: string;
}

export interface TarResult {
  /** Entries written (vanished or non-regular ones are skipped). */
  files: number;
  /** Bytes of file content stored (uncompressed). */
  bytes: number;
  skipped: string[];
}

const BLOCK = 512;
const CHUNK = 1 << 20;
/** Largest size the 11-digit octal field holds; bigger files get a pax `size` record. */
const MAX_OCTAL_SIZE = 0o77777777777;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 digits, NUL-terminated, zero-padded (the classic encoding every reader accepts).
  const digits = Math.max(0, Math.floor(value)).toString(8).padStart(length - 1, '0');
  writeString(buf, offset, length - 1, digits.slice(-(length - 1)));
  buf[offset + length - 1] = 0;
}

function header(name: string, size: number, mode: number, mtimeSec: number, type: '0' | 'x'): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, mode & 0o7777);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, Math.min(size, MAX_OCTAL_SIZE));
  writeOctal(h, 136, 12, mtimeSec);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar');
  h[262] = 0;
  writeString(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 6, sum.toString(8).padStart(6, '0'));
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** One pax record: `<len> key=value\n`, where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** Headers of one entry: a pax header first when the name or size does not fit ustar. */
function entryHeaders(name: string, size: number, mode: number, mtimeSec: number): Buffer[] {
  const records: string[] = [];
  if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', String(size)));
  const out: Buffer[] = [];
  if (records.length) {
    const body = Buffer.from(records.join(''), 'utf8');
    out.push(header(`PaxHeader/${path.posix.basename(name)}`.slice(0, 100), body.length, 0o644, mtimeSec, 'x'), body, padding(body.length));
  }
  // A truncated name stays in the ustar field for readers that ignore pax.
  out.push(header(Buffer.from(name).subarray(0, 100).toString('utf8'), size, mode, mtimeSec, '0'));
  return out;
}

async function* tarStream(entries: readonly TarEntry[], result: TarResult): AsyncGenerator<Buffer> {
  for (const e of entries) {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(e.source, READ_NOFOLLOW);
    } catch {
      result.skipped.push(e.source); // vanished, or turned into a symlink
      continue;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        result.skipped.push(e.source);
        continue;
      }
      // The size is fixed by the header: a file growing meanwhile is cut, one shrinking is zero-padded.
      const size = st.size;
      yield* entryHeaders(e.name, size, st.mode, st.mtimeMs / 1000);
      let done = 0;
      while (done < size) {
        const want = Math.min(CHUNK, size - done);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, done);
        if (bytesRead === 0) {
          yield Buffer.alloc(size - done);
          done = size;
          break;
        }
        done += bytesRead;
        yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
      }
      yield padding(size);
      result.files += 1;
      result.bytes += size;
    } finally {
      await fh.close();
    }
  }
  yield Buffer.alloc(2 * BLOCK); // end-of-archive marker
}

/**
 * Writes `entries` as a gzip-compressed tar to `dest`, atomically (a temp
 * file in the same directory, renamed when complete), so a reader never sees
 * half a tarball and an existing symlink at `dest` is replaced, not followed.
 */
export async function writeTarGz(dest: string, entries: readonly TarEntry[], opts: { level?: number } = {}): Promise<TarResult> {
  const result: TarResult = { files: 0, bytes: 0, skipped: [] };
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await pipeline(
      Readable.from(tarStream(entries, result)),
      zlib.createGzip({ level: opts.level ?? zlib.constants.Z_DEFAULT_COMPRESSION }),
      // 'wx': O_CREAT|O_EXCL never follows a symlink someone put at the temp name.
      fs.createWriteStream(tmp, { flags: 'wx', mode: 0o644 }),
    );
    await fs.promises.rename(tmp, dest);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return result;
}
