import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isInside, PathEscapeError, realpathLoose, resolveInside, resolveInsideAny, resolveInsideReal,
} from '../../plugins/lib/safe-path';

let tmp: string;
let root: string;
let outside: string;

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-safe-path-')));
  root = path.join(tmp, 'root');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(root, 'sub', 'deep'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  fs.writeFileSync(path.join(root, 'ok.txt'), 'ok');
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link-out'));
  fs.symlinkSync(outside, path.join(root, 'dir-out'));
  fs.symlinkSync(path.join(root, 'ok.txt'), path.join(root, 'link-in'));
  fs.symlinkSync('sub', path.join(root, 'dir-in'));
  fs.symlinkSync('../../outside', path.join(root, 'sub', 'rel-out'));
  // A sibling whose name starts like the root: must not count as inside.
  fs.mkdirSync(`${root}-evil`);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rejects(fn: () => unknown, reason?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a PathEscapeError').toBeInstanceOf(PathEscapeError);
  if (reason) expect((err as PathEscapeError).reason).toMatch(reason);
}

describe('isInside', () => {
  it('accepts the root and paths below it', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b', false)).toBe(false);
    expect(isInside('/a/b', '/a/b/c/d')).toBe(true);
    expect(isInside('/a/b/', '/a/b/c')).toBe(true);
  });
  it('refuses parents, siblings and prefix look-alikes', () => {
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a/b-evil/x')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
  });
  it('accepts names that merely start with dots', () => {
    expect(isInside('/a/b', '/a/b/..foo')).toBe(true);
    expect(isInside('/a/b', '/a/b/...')).toBe(true);
  });
});

describe('resolveInside (lexical)', () => {
  it('resolves relative names under the root', () => {
    expect(resolveInside(root, 'x.json')).toBe(path.join(root, 'x.json'));
    expect(resolveInside(root, './sub/../x.json')).toBe(path.join(root, 'x.json'));
    expect(resolveInside(root, 'sub//deep/./f')).toBe(path.join(root, 'sub', 'deep', 'f'));
  });

  it('accepts absolute paths inside the root unless told not to', () => {
    expect(resolveInside(root, path.join(root, 'sub', 'f'))).toBe(path.join(root, 'sub', 'f'));
    rejects(() => resolveInside(root, path.join(root, 'sub', 'f'), { allowAbsolute: false }), /absolute/);
  });

  it.each([
    ['../x'],
    ['../../etc/passwd'],
    ['sub/../../x'],
    ['sub/deep/../../../x'],
    ['..'],
    ['./..'],
    ['sub/../..'],
    ['../root-evil/x'],
  ])('rejects %j (.. escapes)', (p) => rejects(() => resolveInside(root, p), /\.\.|outside/));

  it.each([['/etc/passwd'], ['//etc/passwd'], ['/'], ['<root>-evil/x'], ['<root>/../outside/secret']])(
    'rejects the absolute path %j outside the root', (p) => rejects(() => resolveInside(root, p.replace('<root>', root)), /outside/),
  );

  it('rejects the root itself unless allowed', () => {
    rejects(() => resolveInside(root, '.'), /root itself/);
    rejects(() => resolveInside(root, 'sub/..'), /root itself/);
    expect(resolveInside(root, '.', { allowRoot: true })).toBe(root);
  });

  it('rejects empty paths and NUL bytes', () => {
    rejects(() => resolveInside(root, ''), /empty/);
    rejects(() => resolveInside(root, 'ok.txt\0../../etc/passwd'), /NUL/);
    rejects(() => resolveInside(root, '\0'), /NUL/);
  });

  it.each([
    ['%2e%2e/%2e%2e/etc/passwd', '%2e%2e/%2e%2e/etc/passwd'],
    ['..%2f..%2fetc%2fpasswd', '..%2f..%2fetc%2fpasswd'],
    ['%2E%2E', '%2E%2E'],
    ['..\\..\\etc\\passwd', '..\\..\\etc\\passwd'],
    ['\uff0e\uff0e/x', '\uff0e\uff0e/x'],
    ['file:/etc/passwd', 'file:/etc/passwd'],
    ['...', '...'],
    ['..foo/bar', '..foo/bar'],
  ])('treats the encoded trick %j as a literal name inside the root', (p, rel) => {
    const r = resolveInside(root, p);
    expect(r).toBe(path.join(root, rel));
    expect(isInside(root, r, false)).toBe(true);
  });
});

describe('resolveInsideReal (symlinks)', () => {
  it('returns the real path of files and links that stay inside', async () => {
    expect(await resolveInsideReal(root, 'ok.txt')).toBe(path.join(root, 'ok.txt'));
    expect(await resolveInsideReal(root, 'link-in')).toBe(path.join(root, 'ok.txt'));
    expect(await resolveInsideReal(root, 'dir-in/deep')).toBe(path.join(root, 'sub', 'deep'));
  });

  it('accepts paths that do not exist yet, below existing dirs', async () => {
    expect(await resolveInsideReal(root, 'new/deeper/file.json')).toBe(path.join(root, 'new', 'deeper', 'file.json'));
    expect(await resolveInsideReal(root, 'dir-in/new.json')).toBe(path.join(root, 'sub', 'new.json'));
  });

  it.each([
    ['link-out', 'a file link pointing outside'],
    ['dir-out/secret', 'a dir link pointing outside'],
    ['dir-out/not-yet-there', 'a new file under a dir link pointing outside'],
    ['sub/rel-out/secret', 'a relative link climbing out'],
    ['dir-in/rel-out', 'a chain of links ending outside'],
  ])('rejects %j (%s)', async (p) => {
    await expect(resolveInsideReal(root, p)).rejects.toThrow(PathEscapeError);
    await expect(resolveInsideReal(root, p)).rejects.toThrow(/symlink leads outside/);
  });

  it('still applies the lexical checks first', async () => {
    await expect(resolveInsideReal(root, '../outside/secret')).rejects.toThrow(PathEscapeError);
    await expect(resolveInsideReal(root, '/etc/passwd')).rejects.toThrow(PathEscapeError);
  });

  it('works when the root itself is reached through a symlink', async () => {
    const alias = path.join(tmp, 'alias');
    fs.symlinkSync(root, alias);
    expect(await resolveInsideReal(alias, 'ok.txt')).toBe(path.join(root, 'ok.txt'));
    await expect(resolveInsideReal(alias, 'link-out')).rejects.toThrow(PathEscapeError);
  });

  it('realpathLoose keeps the missing tail', async () => {
    expect(await realpathLoose(path.join(root, 'dir-in', 'a', 'b'))).toBe(path.join(root, 'sub', 'a', 'b'));
    expect(await realpathLoose(path.join(root, 'ok.txt', 'under-a-file'))).toBe(path.join(root, 'ok.txt', 'under-a-file'));
  });
});

describe('resolveInsideAny', () => {
  it('takes the first root that contains the path', async () => {
    expect(await resolveInsideAny([root, outside], path.join(outside, 'secret'))).toBe(path.join(outside, 'secret'));
    expect(await resolveInsideAny([root, outside], 'ok.txt')).toBe(path.join(root, 'ok.txt'));
  });
  it('rejects a path none of the roots contains', async () => {
    await expect(resolveInsideAny([path.join(root, 'sub')], '/etc/passwd')).rejects.toThrow(PathEscapeError);
    await expect(resolveInsideAny([], 'x')).rejects.toThrow(PathEscapeError);
  });
});
