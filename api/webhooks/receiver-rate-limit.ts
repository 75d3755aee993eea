/**
 * Calls a receiver may take: a token bucket per receiver (`burst` calls at once, refilled at
 * `perMinute`), so one noisy or hostile sender cannot make the api scan warehouses without end.
 * Past it a call answers 429 with Retry-After.
 */

/** Default calls a receiver takes at once. */
export const RECEIVER_BURST = 30;
/** Default sustained calls per minute per receiver. */
export const RECEIVER_PER_MINUTE = 60;

export class ReceiverRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly opts: { burst?: number; perMinute?: number; now?: () => number } = {}) {}

  /** Takes one call for `receiver`: undefined when allowed, else the seconds to wait. */
  take(receiver: string): number | undefined {
    const now = (this.opts.now ?? Date.now)();
    const burst = this.opts.burst ?? RECEIVER_BURST;
    const perMs = (this.opts.perMinute ?? RECEIVER_PER_MINUTE) / 60_000;
    const b = this.buckets.get(receiver) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(receiver, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }
}
