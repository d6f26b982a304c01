import { columnDateParser, fromSqlDateTime } from '../dates';
import type { Row, SqlParam } from '../sql';

/**
 * Row <-> spec conversion for the wide tables. The columns that hold JSON
 * (the original's `blob` columns) and timestamps are listed per table; every
 * other column passes through (numbers stay numbers, text stays text).
 */
export interface TableCodec {
  table: string;
  json: ReadonlySet<string>;
  dates: ReadonlySet<string>;
  /** Integer columns: mysql2 returns BIGINT as number, sqlite as number; normalise strings. */
  ints: ReadonlySet<string>;
}

export function codec(table: string, json: string[], dates: string[], ints: string[]): TableCodec {
  return { table, json: new Set(json), dates: new Set(dates), ints: new Set(ints) };
}

export const JOB_CODEC = codec(
  'job_table',
  ['jobParams', 'jobAttributes', 'metaData', 'jobParamsExtForOutput', 'jobParamsExtForLog'],
  ['creationTime', 'modificationTime', 'stateChangeTime', 'startTime', 'endTime', 'propagatorTime', 'preparatorTime', 'submitterTime', 'stagerTime'],
  ['PandaID', 'taskID', 'attemptNr', 'currentPriority', 'nCore', 'hasOutFile', 'zipPerMB', 'nWorkers', 'nWorkersLimit', 'submissionAttempts',
    'jobsetID', 'pilotClosed', 'configID', 'nRemainingEvents', 'moreWorkers', 'maxWorkersInTotal', 'nWorkersInTotal', 'auxInput'],
);

export const WORK_CODEC = codec(
  'work_table',
  ['workParams', 'workAttributes', 'eventsRequestParams', 'logFilesToUpload'],
  ['creationTime', 'submitTime', 'startTime', 'endTime', 'walltime', 'modificationTime', 'lastUpdate', 'eventFeedTime', 'killTime', 'checkTime'],
  ['workerID', 'hasJob', 'eventsRequest', 'nCore', 'postProcessed', 'minRamCount', 'maxDiskCount', 'maxWalltime', 'nJobsToReFill', 'nativeExitCode',
    'nJobs', 'configID', 'syncLevel', 'ioIntensity', 'errorCode'],
);

export const FILE_CODEC = codec(
  'file_table',
  ['fileAttributes'],
  ['modificationTime', 'groupUpdateTime'],
  ['fileID', 'PandaID', 'taskID', 'fsize', 'isZip', 'zipFileID', 'objstoreID', 'attemptNr', 'todelete', 'pathConvention', 'workerID'],
);

export const EVENT_CODEC = codec('event_table', [], [], ['id', 'PandaID', 'coreCount', 'cpuConsumptionTime', 'fileID']);

const PLAIN = 0;
const JSON_COL = 1;
const DATE_COL = 2;
const INT_COL = 3;

/** Column -> kind, one Map lookup per value instead of three Set lookups (decodeRow runs for every row read). */
const kinds = new WeakMap<TableCodec, Map<string, number>>();

function kindsOf(c: TableCodec): Map<string, number> {
  let m = kinds.get(c);
  if (!m) {
    m = new Map<string, number>();
    for (const k of c.ints) m.set(k, INT_COL);
    for (const k of c.dates) m.set(k, DATE_COL);
    for (const k of c.json) m.set(k, JSON_COL);
    kinds.set(c, m);
  }
  return m;
}

/** One stored value -> its spec value, by column kind. */
function decodeValue(c: TableCodec, kind: number, col: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case JSON_COL: return typeof v === 'string' ? parseJson(c, col, v) : v;
    case DATE_COL: return fromSqlDateTime(v);
    case INT_COL: return typeof v === 'number' ? v : Number(v);
    default: return v;
  }
}

/** A row as read from the database -> plain object with parsed JSON, Dates and numbers. */
export function decodeRow<T>(c: TableCodec, row: Row): T {
  const kind = kindsOf(c);
  const out: Record<string, unknown> = {};
  for (const k in row) out[k] = decodeValue(c, kind.get(k) ?? PLAIN, k, row[k]);
  return out as T;
}

/**
 * A decoder for rows given as value arrays in `columns` order (the packed
 * sqlite read, see selectDecodedIn). It is generated once per column list as
 * one object literal (`v => ({ PandaID: n(v[0]), status: v[1] ?? null, … })`):
 * V8 then allocates each row object at its final size with one shape, instead
 * of growing it key by key through megamorphic keyed stores — about half the
 * CPU and a third less garbage for the 40-column job rows every agent reads.
 * The generated source holds only column names from this codebase's column
 * lists (quoted with JSON.stringify) and array indexes, never row data.
 */
export function positionalDecoder<T>(c: TableCodec, columns: readonly string[]): (values: readonly unknown[]) => T {
  const kind = kindsOf(c);
  const fields = columns.map((col, i) => {
    const key = JSON.stringify(col);
    switch (kind.get(col) ?? PLAIN) {
      // Carried as text inside the row JSON and parsed here: embedding it with sqlite's
      // json() instead cost more CPU in sqlite than the second parse saves (measured).
      case JSON_COL: return `${key}: j(${key}, v[${i}])`;
      case DATE_COL: return `${key}: d[${i}](v[${i}])`;
      case INT_COL: return `${key}: n(v[${i}])`;
      default: return `${key}: v[${i}] ?? null`;
    }
  });
  const int = (v: unknown): unknown => decodeValue(c, INT_COL, '', v);
  // One memoizing date parser per date column (see columnDateParser); unused slots stay empty.
  const dates = columns.map((col) => (kind.get(col) === DATE_COL ? columnDateParser() : undefined));
  const json = (col: string, v: unknown): unknown => decodeValue(c, JSON_COL, col, v);
  const make = new Function('d', 'j', 'n', `'use strict'; return (v) => ({ ${fields.join(', ')} });`) as (
    d: typeof dates, j: typeof json, n: typeof int,
  ) => (values: readonly unknown[]) => T;
  return make(dates, json, int);
}

function parseJson(c: TableCodec, col: string, text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${c.table}.${col}: stored value is not JSON (${(err as Error).message})`);
  }
}

/** One column value of a spec -> a bound SQL parameter. */
export function encodeValue(c: TableCodec, col: string, v: unknown): SqlParam {
  if (v === undefined || v === null) return null;
  if (c.json.has(col)) return typeof v === 'string' ? v : JSON.stringify(v);
  if (v instanceof Date || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (Buffer.isBuffer(v)) return v;
  throw new Error(`${c.table}.${col}: cannot store a value of type ${typeof v}`);
}
