import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors';
import { convertIniValue, parseIni } from '../../src/config/ini';

const entries = (text: string) =>
  Object.fromEntries(parseIni(text, 'x.cfg').sections.flatMap((s) => s.entries.map((e) => [`${s.name}.${e.key}`, e])));

describe('parseIni', () => {
  it('reads sections, both separators, case-sensitive keys and skips comments', () => {
    const e = entries('# top\n[master]\n; semi\nharvester_id = h1\nnThreads: 4\nsleepTime=60\n[db]\nport = \t3306\n');
    expect(Object.keys(e)).toEqual(['master.harvester_id', 'master.nThreads', 'master.sleepTime', 'db.port']);
    expect(e['master.nThreads'].value).toBe('4');
    expect(e['db.port']).toMatchObject({ value: '3306', multiline: false, line: 8 });
  });

  it('continues values on indented lines across blank and comment lines', () => {
    const e = entries('[qconf]\nqueueList =\n Q1\n\n# a comment\n  Q2\nnext = 1\n');
    expect(e['qconf.queueList']).toMatchObject({ value: '\nQ1\nQ2', multiline: true, line: 2 });
    expect(e['qconf.next'].value).toBe('1');
  });

  it('keeps "=" and ":" after the first separator and "#" inside a value', () => {
    const e = entries('[cacher]\nurl = http://h:80/a?b=c#frag\n');
    expect(e['cacher.url'].value).toBe('http://h:80/a?b=c#frag');
  });

  it.each([
    ['key = 1\n', /x\.cfg:1: a \[section\] header must come first/],
    ['[a]\njust text\n', /x\.cfg:2: \[a\]: expected "key = value", got "just text"/],
    ['[a]\nk = 1\nk = 2\n', /x\.cfg:3: \[a\] k: key appears twice in the section \(first at line 2\)/],
    ['[a]\n[a]\n', /x\.cfg:2: \[a\]: section appears twice \(first at line 1\)/],
    ['[a]\n = 1\n', /x\.cfg:2: \[a\]: missing key/],
  ])('reports %j with its line number', (text, re) => {
    expect(() => parseIni(text, 'x.cfg')).toThrow(ConfigError);
    expect(() => parseIni(text, 'x.cfg')).toThrow(re);
  });
});

describe('convertIniValue (the original conversion rules)', () => {
  const conv = (value: string, multiline = false) => convertIniValue({ value, multiline });
  it('converts literals and all-digit text, leaves floats as text', () => {
    expect(conv('True')).toBe(true);
    expect(conv('False')).toBe(false);
    expect(conv('None')).toBeNull();
    expect(conv('600')).toBe(600);
    expect(conv('1.5')).toBe('1.5');
    expect(conv('-3')).toBe('-3');
  });
  it('parses multi-line JSON and splits other multi-line values into trimmed lines', () => {
    expect(conv('\n{\n"refreshPeriod": 300\n}', true)).toEqual({ refreshPeriod: 300 });
    expect(conv('\n[1, 2]', true)).toEqual([1, 2]);
    expect(conv('\nA\nB', true)).toEqual(['A', 'B']);
    expect(conv('\n{not json', true)).toEqual(['{not json']);
  });
});
