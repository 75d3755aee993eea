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
 */

/** How long a project's answer serves later readers, by default (SHUNT_READ_SNAPSHOT_MS). */
export const DEFAULT_READ_SNAPSHOT_MS = 250;

/** Expired snapshots are dropped every this many queries. */
const SWEEP_EVERY = 64;

export interface ProjectReadsOptions {
  /** Lifetime of a snapshot in ms; 0 keeps none (readers still share an in-flight query). */
  snapshotMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Entry {
  generation: number;
  /** Set while the query runs. */
  inFlight?: Promise<unknown>;
  /** Set once it answered. */
  settled?: { value: unknown; at: number };
}

export class ProjectReads {
  private readonly snapshotMs: number;
  private readonly now: () => number;
  /** project → key → entry */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly generations = new Map<string, number>();
  private queriesStarted = 0;

  constructor(options: ProjectReadsOptions = {}) {
    this.snapshotMs = options.snapshotMs ?? DEFAULT_READ_SNAPSHOT_MS;
    if (!Number.isFinite(this.snapshotMs) || this.snapshotMs < 0) throw new RangeError(`snapshotMs must be a number >= 0, got ${this.snapshotMs}`);
    this.now = options.now ?? Date.now;
  }

  /**
   * The answer of `query` for (project, key): a fresh snapshot of the current generation if there
   * is one, else the in-flight query of the current generation, else a new query.
   */
  read<T>(project: string, key: string, query: () => Promise<T>): Promise<T> {
    const generation = this.generation(project);
    const keys = this.entries.get(project) ?? new Map<string, Entry>();
    this.entries.set(project, keys);
    const entry = keys.get(key);
    if (entry?.generation === generation) {
      if (entry.inFlight) return entry.inFlight as Promise<T>;
      if (entry.settled && this.now() - entry.settled.at < this.snapshotMs) return Promise.resolve(entry.settled.value as T);
    }
    const fresh: Entry = { generation };
    if (++this.queriesStarted % SWEEP_EVERY === 0) this.sweep();
    const running = (async () => query())();
    fresh.inFlight = running;
    keys.set(key, fresh);
    running.then(
      (value) => {
        if (keys.get(key) !== fresh) return;
        delete fresh.inFlight;
        if (this.generation(project) === generation && this.snapshotMs > 0) fresh.settled = { value, at: this.now() };
        else this.forget(project, key, fresh);
      },
      () => this.forget(project, key, fresh),
    );
    return running;
  }

  /** A write to the project is done: later reads see it (or something newer). */
  invalidate(project: string): void {
    this.generations.set(project, this.generation(project) + 1);
    const keys = this.entries.get(project);
    if (!keys) return;
    // In-flight queries stay, for the readers that joined them; they are not joined again.
    for (const [key, entry] of keys) if (!entry.inFlight) keys.delete(key);
    if (keys.size === 0) this.entries.delete(project);
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
        if (!entry.inFlight && (!entry.settled || now - entry.settled.at >= this.snapshotMs)) keys.delete(key);
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
