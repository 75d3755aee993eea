/**
 * Tokens minted by credential exchanges, kept until shortly before they expire. Keys are
 * SHA-256 hashes of the inputs (a private key never sits in the cache as a key), concurrent
 * requests for one key share one exchange, and a failed exchange is not cached.
 */
import { createHash } from 'node:crypto';

export interface MintedToken<T> {
  value: T;
  /** Epoch milliseconds; undefined = the provider did not say (kept for `defaultTtlMs`). */
  expiresAt?: number | undefined;
}

export interface TokenCacheOptions {
  /** How long before expiry a token stops being handed out (default 5 minutes, as Kargo). */
  marginMs?: number;
  /** How long a token without an expiry is kept (default 10 minutes). */
  defaultTtlMs?: number;
  now?: () => number;
}

export function cacheKey(...parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p.length)).update(':').update(p);
  return h.digest('hex');
}

export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private readonly pending = new Map<string, Promise<T>>();
  private readonly marginMs: number;
  private readonly defaultTtlMs: number;
  private readonly now: () => number;

  constructor(opts: TokenCacheOptions = {}) {
    this.marginMs = opts.marginMs ?? 5 * 60_000;
    this.defaultTtlMs = opts.defaultTtlMs ?? 10 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, mint: () => Promise<MintedToken<T>>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (hit) this.entries.delete(key);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    this.prune();
    const p = (async () => {
      const minted = await mint();
      const until = minted.expiresAt !== undefined ? minted.expiresAt - this.marginMs : this.now() + this.defaultTtlMs;
      // A token that expires within the margin is used once and not kept.
      if (until > this.now()) this.entries.set(key, { value: minted.value, until });
      return minted.value;
    })();
    this.pending.set(key, p);
    try {
      return await p;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Drops the expired entries (on every mint, so the cache holds only live tokens). */
  private prune(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
  }
}
