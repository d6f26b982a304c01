/**
 * The `[qconf]` keys the mapper needs, read leniently from whatever the system
 * config loader produced (INI values may arrive as a string, a list of lines or
 * a JSON list), so the mapper does not depend on the config schema's exact types.
 */
export interface QconfSettings {
  /** `[qconf] configFile` (panda_queueconfig.json). */
  readonly configFile: string | null;
  /** Queues to activate; `ALL` (or `DYNAMIC`) activates every configured queue. */
  readonly queueList: readonly string[];
  readonly defaultTemplateQueueName: string | null;
  /** Seconds between reloads (the cacher-driven reload is built on top). */
  readonly updateInterval: number;
  /** Seconds between checks whether a reload is due. */
  readonly checkInterval: number;
  readonly configFromCacher: boolean;
}

export const DEFAULT_QCONF: QconfSettings = {
  configFile: null,
  queueList: ['ALL'],
  defaultTemplateQueueName: null,
  updateInterval: 600,
  checkInterval: 5,
  configFromCacher: false,
};

/** `ALL`, `"A,B"`, `"A B"`, `["A", "B"]`, multi-line INI values → names. */
export function parseQueueList(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return ['ALL'];
  if (Array.isArray(v)) return v.flatMap((x) => parseQueueList(x));
  if (typeof v !== 'string') return [String(v)];
  const text = v.trim();
  if (text.startsWith('[')) {
    try {
      return parseQueueList(JSON.parse(text) as unknown);
    } catch {
      // not JSON after all: fall through to splitting
    }
  }
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

export function isListed(queueName: string, queueList: readonly string[]): boolean {
  return queueList.includes('ALL') || queueList.includes('DYNAMIC') || queueList.includes(queueName);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' && v !== 'None' ? v.trim() : null;
}

function num(v: unknown, dflt: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : dflt;
}

/** Reads the `[qconf]` section (any object with the original's keys). */
export function qconfSettingsFrom(section: object | undefined): QconfSettings {
  const s = (section ?? {}) as Record<string, unknown>;
  const updateInterval = num(s.updateInterval, DEFAULT_QCONF.updateInterval);
  return {
    configFile: str(s.configFile),
    queueList: parseQueueList(s.queueList),
    defaultTemplateQueueName: str(s.defaultTemplateQueueName),
    updateInterval,
    // As the original: never check less often than we update.
    checkInterval: Math.min(num(s.checkInterval, DEFAULT_QCONF.checkInterval), updateInterval),
    configFromCacher: s.configFromCacher === true || s.configFromCacher === 'True' || s.configFromCacher === 'true',
  };
}
