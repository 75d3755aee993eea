/**
 * The one budget an expression evaluation runs within: memory (bytes of the values it builds),
 * operations (nodes evaluated plus the per-item work of builtins), items (the largest array or
 * range one operation may build, expr-lang's memory budget of 1e6 items) and, where a clock is
 * injected, wall-clock time.
 *
 * Everything here is deterministic except the clock, which only activities inject: in a workflow
 * the operation count is the time budget. Memory is an accounting, not a measurement: each string,
 * array and map the evaluator or a builtin creates is charged as it is created, cumulatively, and
 * builtins that can expand (repeat, replace, ranges, JSON encoding) check the size they are about
 * to build before building it, so the worst case fails before the heap does.
 */
import { MethodValue } from './values.js';

export interface ExpressionLimits {
  /** Bytes of values one evaluation may build, counted cumulatively (nothing is given back). */
  memoryBytes: number;
  /** Nodes evaluated plus items processed inside builtins. */
  operations: number;
  /** Items one array or range may hold. */
  items: number;
  /** Milliseconds of wall-clock time; checked only when a clock is given. */
  timeMs: number;
}

export const DEFAULT_EXPRESSION_LIMITS: Readonly<ExpressionLimits> = Object.freeze({
  memoryBytes: 64 * 1024 * 1024,
  operations: 10_000_000,
  items: 1_000_000,
  timeMs: 5_000,
});

/** The cost model: a JS string holds up to 2 bytes per UTF-16 unit; every value has a header. */
const VALUE_HEADER = 16;
const BYTES_PER_CHAR = 2;
const BYTES_PER_ITEM = 8;
const BYTES_PER_ENTRY = 40;

/** How many operations pass between two looks at the clock. */
const CLOCK_EVERY = 4096;

export type BudgetKind = 'memory' | 'operation' | 'item' | 'time';

/**
 * Thrown when an evaluation goes over one of its limits. The evaluator turns it into an
 * ExpressionError with code `BudgetExceeded` (non-retryable: the same expression would fail the
 * same way), pointing at the node that crossed the line.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(
    readonly budget: BudgetKind,
    message: string,
  ) {
    super(message);
  }
}

export function isBudgetExceeded(err: unknown): err is BudgetExceededError {
  return err instanceof Error && err.name === 'BudgetExceededError';
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number(mib.toFixed(1))} MiB`;
  const kib = bytes / 1024;
  if (kib >= 1) return `${Number(kib.toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

export interface BudgetOptions {
  limits?: Partial<ExpressionLimits>;
  /** Milliseconds since any epoch; activities pass `Date.now`, workflows never do. */
  clock?: () => number;
}

/** What one evaluation has spent; share one instance to make several evaluations one budget. */
export class ExpressionBudget {
  readonly limits: Readonly<ExpressionLimits>;
  private bytes = 0;
  private ops = 0;
  private nextClockCheck = CLOCK_EVERY;
  private readonly clock: (() => number) | undefined;
  private readonly deadline: number | undefined;
  /** Arrays and maps already charged, so a value passed along is not paid for twice. */
  private readonly charged = new WeakSet<object>();

  constructor(options: BudgetOptions = {}) {
    this.limits = Object.freeze({ ...DEFAULT_EXPRESSION_LIMITS, ...options.limits });
    this.clock = options.clock;
    this.deadline = options.clock ? options.clock() + this.limits.timeMs : undefined;
  }

  get bytesUsed(): number {
    return this.bytes;
  }

  get operationsUsed(): number {
    return this.ops;
  }

  /** Counts `n` operations; looks at the clock (when there is one) every few thousand. */
  spend(n = 1): void {
    this.ops += n;
    if (this.ops > this.limits.operations) {
      throw new BudgetExceededError(
        'operation',
        `expression exceeded its operation budget: more than ${this.limits.operations} operations`,
      );
    }
    if (this.clock !== undefined && this.ops >= this.nextClockCheck) {
      this.nextClockCheck = this.ops + CLOCK_EVERY;
      if (this.clock() > (this.deadline as number)) {
        throw new BudgetExceededError('time', `expression exceeded its time budget of ${this.limits.timeMs} ms`);
      }
    }
  }

  /** Refuses, before it is built, a value of `bytes` that would take the evaluation over budget. */
  ensureRoom(bytes: number): void {
    if (this.bytes + bytes > this.limits.memoryBytes) this.overMemory(bytes);
  }

  /** Refuses, before it is built, an array or range of `count` items. */
  ensureItems(count: number, what = 'an array'): void {
    if (count > this.limits.items) {
      throw new BudgetExceededError(
        'item',
        `expression exceeded its item budget: ${what} of ${count} items (the limit is ${this.limits.items})`,
      );
    }
    this.ensureRoom(VALUE_HEADER + count * BYTES_PER_ITEM);
  }

  /** A string of `length` UTF-16 units about to be built. */
  ensureString(length: number): void {
    this.ensureRoom(stringBytes(length));
  }

  /**
   * Charges a value the evaluation has just created: a string by its length, an array or map by
   * its slots, then the arrays and maps inside it that were not charged yet (strings inside were
   * charged when they were built, or are parts of a string that was).
   */
  charge(value: unknown): void {
    if (typeof value === 'string') {
      this.add(stringBytes(value.length));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (value instanceof MethodValue) {
      this.add(VALUE_HEADER * 4);
      return;
    }
    const pending: object[] = [value];
    while (pending.length > 0) {
      const next = pending.pop() as object;
      if (this.charged.has(next)) continue;
      this.charged.add(next);
      const items: unknown[] = Array.isArray(next) ? next : Object.values(next);
      this.add(VALUE_HEADER + items.length * (Array.isArray(next) ? BYTES_PER_ITEM : BYTES_PER_ENTRY));
      for (const item of items) {
        if (typeof item === 'object' && item !== null && !(item instanceof MethodValue)) pending.push(item);
      }
    }
  }

  private add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.limits.memoryBytes) this.overMemory(0);
  }

  private overMemory(more: number): never {
    const wanted = more >= 1024 * 1024 ? `: one value of ${formatBytes(more)} was asked for` : '';
    throw new BudgetExceededError(
      'memory',
      `expression exceeded its memory budget of ${formatBytes(this.limits.memoryBytes)} for the strings, arrays and maps it builds${wanted}`,
    );
  }
}

const stringBytes = (length: number): number => VALUE_HEADER + length * BYTES_PER_CHAR;

let active: ExpressionBudget | undefined;

/**
 * The budget of the evaluation running now, for builtins and template functions that check a size
 * before they build something (evaluation is synchronous, so there is exactly one). Outside an
 * evaluation: a fresh default budget.
 */
export function activeBudget(): ExpressionBudget {
  return active ?? new ExpressionBudget();
}

/** Runs `fn` with `budget` as the active one, restoring the previous one afterwards. */
export function runWithBudget<T>(budget: ExpressionBudget, fn: () => T): T {
  const previous = active;
  active = budget;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/**
 * An upper estimate of the length of `value` encoded as JSON or YAML with `indentWidth` spaces
 * per level (0: compact), computed without building it: indentation makes the text of a deep
 * value many times its size in memory, so encoders check this before they start.
 */
export function encodedLengthEstimate(value: unknown, indentWidth: number, budget: ExpressionBudget): number {
  let total = 0;
  const pending: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (pending.length > 0) {
    const { v, depth } = pending.pop() as { v: unknown; depth: number };
    budget.spend();
    total += indentWidth * depth + 2;
    if (typeof v === 'string') total += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) total += 24;
    else if (v instanceof MethodValue) total += 64;
    else if (Array.isArray(v)) for (const item of v) pending.push({ v: item, depth: depth + 1 });
    else if (typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        total += key.length + 4;
        pending.push({ v: item, depth: depth + 1 });
      }
    }
  }
  return total;
}
