/**
 * One entry of a FIFO: lower `score` = earlier (facts §10). Items are opaque
 * strings; the FIFO users (monitor FIFO, monitor event FIFO) serialise.
 */
export interface FifoObject {
  id: number;
  item: string;
  score: number;
}

/** Options for dequeuing. */
export interface FifoGetOptions {
  /** Wait up to this long (ms) for the FIFO to be non-empty; 0 = do not wait. Scores are not checked: peek first. */
  timeoutMs?: number;
  /**
   * Protective dequeue: move the object to temporary space instead of deleting
   * it; the caller `delete`s it when done and `restore` puts leftovers back
   * after a crash.
   */
  protective?: boolean;
}

export interface FifoGetManyOptions {
  /** Take from the head (`first`, lowest scores) or the tail (`last`). */
  mode?: 'first' | 'last';
  minScore?: number;
  maxScore?: number;
  count?: number;
  protective?: boolean;
  /** Take from temporary space instead of the live queue. */
  temporary?: boolean;
}

export interface FifoUpdateOptions {
  item?: string;
  score?: number;
  /** Move into (true) or out of (false) temporary space. */
  temporary?: boolean;
  /** Only update when the new score compares so with the stored one ('gt': new > old). */
  condScore?: 'gt' | 'ge' | 'lt' | 'le';
}

/**
 * A priority queue backend (facts §10: sqlite, MySQL, formerly Redis) for the
 * monitor FIFO: the submitter enqueues new workers, the monitor dequeues the
 * due ones, checks them and re-enqueues with the next check time as score.
 * One instance per FIFO title (`monitor`, `monitorEvent`, ...), from `[fifo]`.
 * Scores are epoch seconds (float) by convention.
 */
export interface FifoBackend {
  /** Adds an object; score defaults to now. @returns its id. */
  put(item: string, score?: number): Promise<number>;
  /** Adds an object with a caller-chosen id unless that id exists. @returns false if it existed. */
  putById(id: number, item: string, score?: number): Promise<boolean>;
  /** Removes and returns the lowest-score object, waiting up to `timeoutMs` for one to appear; null if still empty. */
  get(options?: FifoGetOptions): Promise<FifoObject | null>;
  /** Like `get`, for the highest-score object. */
  getLast(options?: FifoGetOptions): Promise<FifoObject | null>;
  /** Removes and returns up to `count` objects within the score range, ordered by `mode`. */
  getMany(options?: FifoGetManyOptions): Promise<FifoObject[]>;
  /** The lowest-score object without removing it, or null. */
  peek(): Promise<FifoObject | null>;
  /** The highest-score object without removing it, or null. */
  peekLast(): Promise<FifoObject | null>;
  /** The object with this id (live or temporary), or null; with `skipItem` the item is ''. */
  peekById(id: number, options?: { skipItem?: boolean }): Promise<FifoObject | null>;
  /** Number of live (non-temporary) objects. */
  size(): Promise<number>;
  /** Deletes objects (live or temporary). @returns how many were deleted. */
  delete(ids: readonly number[]): Promise<number>;
  /** Moves temporary objects (all, or these ids) back into the queue. @returns how many. */
  restore(ids?: readonly number[]): Promise<number>;
  /** Changes an object. @returns false when it does not exist or `condScore` did not hold. */
  update(id: number, options: FifoUpdateOptions): Promise<boolean>;
  /** Removes everything. */
  clear(): Promise<void>;
}
