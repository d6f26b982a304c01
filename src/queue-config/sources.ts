/**
 * Turning files and fetched documents into `QueueConfigSource`s. Reading never
 * throws: a source that cannot be used comes back as a `FailedSource` carrying
 * the reason (file, line, column), and the mapper decides whether that stops
 * startup or keeps the last good config.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseJsonText } from './json-text';
import { isJsonObject, type SourceInput, type SourceKind } from './types';

/** Parses a queue config document (text or already-decoded JSON) from `label`. */
export function sourceFromDocument(label: string, kind: SourceKind, doc: unknown): SourceInput {
  let value = doc;
  if (typeof doc === 'string' || Buffer.isBuffer(doc)) {
    const parsed = parseJsonText(doc.toString());
    if (!parsed.ok) {
      const e = parsed.error;
      return { label, kind, error: `invalid JSON at line ${e.line}, column ${e.column} (offset ${e.offset}): ${e.message}` };
    }
    value = parsed.value;
  }
  if (!isJsonObject(value)) {
    return { label, kind, error: `expected a JSON object {"queueName": {...}, ...}, got ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  for (const [queue, entry] of Object.entries(value)) {
    if (!isJsonObject(entry)) {
      return { label, kind, error: `queue "${queue}": expected an object of attributes, got ${Array.isArray(entry) ? 'an array' : JSON.stringify(entry)}` };
    }
  }
  return { label, kind, data: value };
}

/** Reads the local panda_queueconfig.json (or any file given as `kind`). */
export async function readSourceFile(file: string, kind: SourceKind = 'file'): Promise<SourceInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { label: file, kind, error: `cannot read file (${code ?? (err as Error).message})` };
  }
  return sourceFromDocument(file, kind, text);
}

/**
 * Where `[qconf] configFile` points. Absolute paths are taken as they are;
 * relative ones are looked up next to the system config file, then in the
 * working directory, then the original's places ($PANDA_HOME/etc/panda,
 * /etc/panda). Returns the first that exists, else the first candidate (so the
 * error names a sensible path).
 */
export function resolveQueueConfigPath(
  configFile: string,
  opts: { systemConfigFile?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  if (path.isAbsolute(configFile)) return configFile;
  const env = opts.env ?? process.env;
  const candidates: string[] = [];
  if (opts.systemConfigFile) candidates.push(path.resolve(path.dirname(opts.systemConfigFile), configFile));
  candidates.push(path.resolve(opts.cwd ?? process.cwd(), configFile));
  if (env.PANDA_HOME) candidates.push(path.join(env.PANDA_HOME, 'etc/panda', configFile));
  candidates.push(path.join('/etc/panda', configFile));
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}
