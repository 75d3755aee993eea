/**
 * Every read of a project workflow goes through here: readers of the same project and key share
 * one in-flight query (single-flight) and, for a short while after it answers, its result (the
 * snapshot), so the number of queries reaching the workflow does not grow with the number of
 * readers.
 *
 * Read-after-write: a write through the api calls `invalidate(project)` once it is done. That
 * starts a new generation of the project's reads: no later read joins a query or uses a snapshot
 * of an older generation, and a query that started before the write is never stored as a snapshot
 * of the newer one. Failures are shared by the readers that waited on the query but never kept.
 *
 * Stale while revalidating: once a snapshot expires, for a while longer (`staleMs`) a reader starts
 * (or joins) one query that refreshes it and waits for it at most `refreshWaitMs`; if the query has
 * not answered by then, the older snapshot answers. A quiet api so reads fresh data, and a busy
 * worker that answers queries slowly does not make every reader queue behind it. A write ends that
 * too (a new generation has no snapshot to serve).
 *
 * Not before: a reader that knows the project changed at some moment without a write through the
 * api (a promotion told it that it ended) asks for an answer whose query started after that
 * moment. It shares such a query or snapshot with the others; when the query in flight started
 * too early, it joins the one that starts as soon as that one settles. Many such readers cost
 * about one query at a time, not one each, and other readers keep theirs.
 */

/** How long a project's answer serves later readers, by default (SHUNT_READ_SNAPSHOT_MS). */
export const DEFAULT_READ_SNAPSHOT_MS = 250;

/** How long a reader of an expired snapshot waits for its refresh before the snapshot answers. */
export const DEFAULT_REFRESH_WAIT_MS = 50;

/** Expired snapshots are dropped every this many queries. */
const SWEEP_EVERY = 64;

export interface ProjectReadsOptions {
  /** Lifetime of a snapshot in ms; 0 keeps none (readers still share an in-flight query). */
  snapshotMs?: number;
  /** How long past its lifetime a snapshot may still answer while a query refreshes it; default 20 × snapshotMs. */
  staleMs?: number;
  /** How long a reader waits for that refresh before the older snapshot answers; default 50 ms. */
  refreshWaitMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Entry {
  generation: number;
  /** Set while a query runs (the first, or a refresh of `settled`), with when it started. */
  inFlight?: Promise<unknown>;
  inFlightSince?: number;
  /** The query to start once `inFlight` settles, for not-before readers it is too old for. */
  following?: Promise<unknown>;
  /** The last answer of this generation, when it came and when its query started. */
  settled?: { value: unknown; at: number; since: number };
}

export class ProjectReads {
  private readonly snapshotMs: number;
  private readonly staleMs: number;
  private readonly refreshWaitMs: number;
  private readonly now: () => number;
  /** project → key → entry */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly generations = new Map<string, number>();
  private queriesStarted = 0;

  constructor(options: ProjectReadsOptions = {}) {
    this.snapshotMs = options.snapshotMs ?? DEFAULT_READ_SNAPSHOT_MS;
    if (!Number.isFinite(this.snapshotMs) || this.snapshotMs < 0) throw new RangeError(`snapshotMs must be a number >= 0, got ${this.snapshotMs}`);
    this.staleMs = options.staleMs ?? 20 * this.snapshotMs;
    if (!Number.isFinite(this.staleMs) || this.staleMs < 0) throw new RangeError(`staleMs must be a number >= 0, got ${this.staleMs}`);
    this.refreshWaitMs = options.refreshWaitMs ?? DEFAULT_REFRESH_WAIT_MS;
    if (!Number.isFinite(this.refreshWaitMs) || this.refreshWaitMs < 0) throw new RangeError(`refreshWaitMs must be a number >= 0, got ${this.refreshWaitMs}`);
    this.now = options.now ?? Date.now;
  }

  /**
   * The answer of `query` for (project, key): a fresh snapshot of the current generation if there
   * is one, else the in-flight query of the current generation, else a new query.
   */
  read<T>(project: string, key: string, query: () => Promise<T>, notBefore?: number): Promise<T> {
    const generation = this.generation(project);
    const keys = this.entries.get(project) ?? new Map<string, Entry>();
    this.entries.set(project, keys);
    const entry = keys.get(key);
    if (entry?.generation === generation && notBefore !== undefined) {
      const age = entry.settled ? this.now() - entry.settled.at : Infinity;
      if (entry.settled && entry.settled.since >= notBefore && age < this.snapshotMs) return Promise.resolve(entry.settled.value as T);
      if (entry.inFlight && entry.inFlightSince! >= notBefore) return entry.inFlight as Promise<T>;
      if (!entry.inFlight) return this.query(project, key, keys, entry, query);
      // One query at a time: the next starts when this one settles, for every reader that joins it
      // meanwhile (each asked for a moment before then). A workflow answers queries one by one.
      const settled = (): Promise<T> => {
        delete entry.following;
        return this.query(project, key, keys, entry, query);
      };
      entry.following ??= entry.inFlight.then(settled, settled);
      return entry.following as Promise<T>;
    }
    if (entry?.generation === generation) {
      const age = entry.settled ? this.now() - entry.settled.at : Infinity;
      if (age < this.snapshotMs) return Promise.resolve(entry.settled!.value as T);
      if (age < this.snapshotMs + this.staleMs) {
        const refresh = entry.inFlight ?? this.query(project, key, keys, entry, query);
        return this.freshOrStale(refresh as Promise<T>, entry.settled!.value as T);
      }
      if (entry.inFlight) return entry.inFlight as Promise<T>;
    }
    const fresh: Entry = { generation };
    keys.set(key, fresh);
    return this.query(project, key, keys, fresh, query);
  }

  /** The refresh's answer if it comes within refreshWaitMs (and does not fail), else `stale`. */
  private freshOrStale<T>(refresh: Promise<T>, stale: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => resolve(stale), this.refreshWaitMs);
      refresh.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        () => {
          clearTimeout(timer);
          resolve(stale);
        },
      );
    });
  }

  /** Runs `query` for `entry` (its first answer, or a refresh of its snapshot). */
  private query<T>(project: string, key: string, keys: Map<string, Entry>, entry: Entry, query: () => Promise<T>): Promise<T> {
    if (++this.queriesStarted % SWEEP_EVERY === 0) this.sweep();
    const since = this.now();
    const running = (async () => query())();
    // Rarely another is still in flight (a plain reader started one just before a not-before
    // read's queued query): this one replaces it here, and its readers keep theirs.
    entry.inFlight = running;
    entry.inFlightSince = since;
    const settle = (): void => {
      if (entry.inFlight !== running) return;
      delete entry.inFlight;
      delete entry.inFlightSince;
    };
    running.then(
      (value) => {
        if (keys.get(key) !== entry) return;
        settle();
        if (this.generation(project) === entry.generation && this.snapshotMs > 0) {
          if (!entry.settled || entry.settled.since <= since) entry.settled = { value, at: this.now(), since };
        } else if (!entry.inFlight && !entry.following) this.forget(project, key, entry);
      },
      () => {
        if (keys.get(key) !== entry) return;
        settle();
        // A failed refresh keeps the older answer for its remaining time; a failed first query keeps nothing.
        if (!entry.settled && !entry.inFlight && !entry.following) this.forget(project, key, entry);
      },
    );
    return running;
  }

  /** A write to the project is done: later reads see it (or something newer). */
  invalidate(project: string): void {
    this.generations.set(project, this.generation(project) + 1);
    const keys = this.entries.get(project);
    if (!keys) return;
    // In-flight queries stay, for the readers that joined them; they are not joined again.
    for (const [key, entry] of keys) if (!entry.inFlight && !entry.following) keys.delete(key);
    if (keys.size === 0) this.entries.delete(project);
  }

  /** Now, by this object's clock: the moment a not-before read names. */
  clock(): number {
    return this.now();
  }

  /** How many queries were started (for tests and metrics). */
  get queries(): number {
    return this.queriesStarted;
  }

  /** Drops expired snapshots; called by the owner now and then so keys read once do not pile up. */
  sweep(): void {
    const now = this.now();
    for (const [project, keys] of this.entries) {
      for (const [key, entry] of keys) {
        if (!entry.inFlight && !entry.following && (!entry.settled || now - entry.settled.at >= this.snapshotMs + this.staleMs)) keys.delete(key);
      }
      if (keys.size === 0) this.entries.delete(project);
    }
  }

  /** Entries held (in flight or snapshots), for tests. */
  get size(): number {
    let n = 0;
    for (const keys of this.entries.values()) n += keys.size;
    return n;
  }

  private generation(project: string): number {
    return this.generations.get(project) ?? 0;
  }

  private forget(project: string, key: string, entry: Entry): void {
    const keys = this.entries.get(project);
    if (keys?.get(key) !== entry) return;
    keys.delete(key);
    if (keys.size === 0) this.entries.delete(project);
  }
}
