/**
 * At most `limit` calls at once per key; the others wait their turn, first come first served.
 * A key with nothing running or waiting holds no memory.
 */
export class KeyedLimit {
  private readonly slots = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a limit of calls at once must be a whole number of at least 1, not ${limit}`);
  }

  async run<T>(key: string, call: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { running: 0, waiting: [] }));
    if (slot.running < this.limit) slot.running++;
    else await new Promise<void>((resolve) => slot.waiting.push(resolve));
    try {
      return await call();
    } finally {
      // The place passes straight to the next waiter; the count drops only when none waits.
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.running === 0) this.slots.delete(key);
    }
  }
}
