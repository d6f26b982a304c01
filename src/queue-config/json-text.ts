/**
 * JSON parsing with a position an operator can act on. JSON.parse messages
 * differ across Node versions and often carry no position at all, so on failure
 * a small scanner walks the text to find the first offending character.
 */

export interface JsonSyntaxError {
  readonly message: string;
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

export function parseJsonText(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const located = locateJsonError(text);
    const fallback = err instanceof Error ? err.message : String(err);
    const { offset, message } = located ?? { offset: 0, message: fallback };
    const { line, column } = lineColumn(text, offset);
    return { ok: false, error: { message, offset, line, column } };
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class ScanError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Returns the first syntax error of `text`, or undefined if it is valid JSON. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const describe = (): string => (i >= text.length ? 'end of input' : `'${text[i]}'`);
  const expect = (what: string): never => {
    throw new ScanError(`expected ${what}, found ${describe()}`, i);
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else expect('a value');
  };
  const str = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new ScanError('bad \\u escape in string', i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new ScanError('bad escape in string', i);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new ScanError('control character in string (unescaped newline?)', i);
      i++;
    }
    throw new ScanError('unterminated string', i);
  };
  const num = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '-') expect('a value');
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return obj();
    if (c === '[') return arr();
    if (c === '"') return str();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return num();
    expect('a value');
  };
  const obj = (): void => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') expect(text[i] === '}' ? 'a property name (trailing comma?)' : 'a property name in double quotes');
      str();
      ws();
      if (text[i] !== ':') expect("':'");
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      expect("',' or '}'");
    }
  };
  const arr = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') expect('a value (trailing comma?)');
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      expect("',' or ']'");
    }
  };
  try {
    value();
    ws();
    if (i < text.length) expect('end of input');
    return undefined;
  } catch (err) {
    if (err instanceof ScanError) return { offset: err.offset, message: err.message };
    throw err;
  }
}
