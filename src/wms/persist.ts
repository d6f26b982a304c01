import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WmsSnapshot, WmsStore } from './store';

/** Write a file atomically: a crash mid-write leaves the previous version, never half a file. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function loadSnapshot(file: string): WmsSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`WMS state file ${file} is not readable JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== 1) {
    throw new Error(`WMS state file ${file}: unknown format (expected version 1)`);
  }
  return parsed as WmsSnapshot;
}

/**
 * Saves the store at most once per `delayMs` after a change (a busy demo changes
 * the store hundreds of times a second; writing each time would cost more than
 * serving the requests), and once more on `flush()` at shutdown.
 */
export class StorePersister {
  private timer?: NodeJS.Timeout;
  private dirty = false;

  constructor(
    private readonly store: WmsStore,
    private readonly file: string,
    private readonly delayMs = 1000,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      writeFileAtomic(this.file, JSON.stringify(this.store.snapshot()));
    } catch (err) {
      this.dirty = true;
      this.onError(err as Error);
    }
  }
}
