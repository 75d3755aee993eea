/**
 * Promises a test settles by hand, so a stub activity can wait for the test (a gate) and the
 * test can wait for the activity (a signal that it was reached), with no polling of shared state.
 * Polling (`eventually`) stays for what only an external system knows.
 */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
  /** True once resolve or reject was called. */
  readonly settled: boolean;
}

/** A promise with its resolve and reject (Promise.withResolvers, which Node 20 lacks). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    promise,
    resolve(value) {
      settled = true;
      resolve(value);
    },
    reject(reason) {
      settled = true;
      reject(reason);
    },
    get settled() {
      return settled;
    },
  };
}

/**
 * A gate stub activities pass through: open, `pass()` resolves at once; closed, it resolves when
 * the gate is opened again. Open it in a `finally` so a failing test leaves no activity waiting.
 */
export class Gate {
  private closed: Deferred<void> | undefined;

  close(): void {
    this.closed ??= deferred();
  }

  open(): void {
    this.closed?.resolve();
    this.closed = undefined;
  }

  get isOpen(): boolean {
    return this.closed === undefined;
  }

  pass(): Promise<void> {
    return this.closed?.promise ?? Promise.resolve();
  }
}

/** One gate per key (a freight alias, a stage), all open until closed. */
export class Gates {
  private readonly gates = new Map<string, Gate>();

  of(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new Gate();
      this.gates.set(key, gate);
    }
    return gate;
  }

  openAll(): void {
    for (const gate of this.gates.values()) gate.open();
  }
}

/**
 * Counts calls and lets a test wait for the nth: `await calls.reached(2)` resolves once two
 * calls have been recorded (at once if they already have).
 */
export class CallLog<T> {
  readonly calls: T[] = [];
  private readonly waiting: { count: number; done: Deferred<T[]> }[] = [];

  record(call: T): void {
    this.calls.push(call);
    for (const w of this.waiting.filter((x) => x.count <= this.calls.length)) {
      w.done.resolve(this.calls.slice());
      this.waiting.splice(this.waiting.indexOf(w), 1);
    }
  }

  /** The calls once there are `count`; fails after `timeoutMs` saying how many came. */
  reached(count: number, what = `${count} calls`, timeoutMs = 60_000): Promise<T[]> {
    if (this.calls.length >= count) return Promise.resolve(this.calls.slice());
    const done = deferred<T[]>();
    this.waiting.push({ count, done });
    const timer = setTimeout(() => done.reject(new Error(`timed out waiting for ${what}: ${this.calls.length} of ${count} calls came`)), timeoutMs);
    timer.unref();
    return done.promise.finally(() => clearTimeout(timer));
  }

  clear(): void {
    this.calls.length = 0;
  }
}
