/**
 * Deliveries a receiver has already acted on, so a replayed one is ignored: keyed by the
 * provider's delivery id (GitHub `X-GitHub-Delivery`, GitLab `X-Gitlab-Event-UUID`) and by a
 * hash of the body (Docker Hub, Quay and generic calls have no id; a replay of a signed GitHub
 * body under a new delivery id is caught by its hash). Bounded (oldest dropped first) and each
 * entry forgotten after `ttlMs`.
 */
import { createHash } from 'node:crypto';
import type { WebhookProvider } from '../../core/manifests/webhook-receiver.js';

/** How long a delivery is remembered. */
export const DELIVERY_TTL_MS = 60 * 60_000;
/** How many deliveries are remembered (across every receiver). */
export const MAX_DELIVERIES = 10_000;

const ID_HEADER: Partial<Record<WebhookProvider, string>> = {
  github: 'x-github-delivery',
  gitlab: 'x-gitlab-event-uuid',
  gitea: 'x-gitea-delivery',
  bitbucket: 'x-request-uuid',
};

/**
 * The keys a delivery is known by: its id (when the provider sends one) and its body's hash.
 * `context` is hashed with the body when more than the body makes the request (a generic
 * receiver's actions also read its headers and query): the same body with other headers is
 * another call, not a replay.
 */
export function deliveryKeys(receiverKey: string, provider: WebhookProvider, header: (name: string) => string | undefined, raw: Buffer, context = ''): string[] {
  const keys = [`${receiverKey} body ${createHash('sha256').update(context).update('\0').update(raw).digest('hex')}`];
  const idHeader = ID_HEADER[provider];
  const id = idHeader ? header(idHeader)?.trim() : undefined;
  if (id) keys.push(`${receiverKey} id ${id}`);
  return keys;
}

export class DeliveryLog {
  /** Insertion order = age order: the first entry is the oldest. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly opts: { ttlMs?: number; max?: number; now?: () => number } = {}) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Whether any of `keys` was recorded within the TTL. */
  has(keys: readonly string[]): boolean {
    const now = this.now();
    const ttl = this.opts.ttlMs ?? DELIVERY_TTL_MS;
    return keys.some((k) => {
      const at = this.seen.get(k);
      if (at === undefined) return false;
      if (now - at <= ttl) return true;
      this.seen.delete(k);
      return false;
    });
  }

  record(keys: readonly string[]): void {
    const now = this.now();
    for (const k of keys) {
      this.seen.delete(k);
      this.seen.set(k, now);
    }
    const max = this.opts.max ?? MAX_DELIVERIES;
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= max) break;
      this.seen.delete(oldest);
    }
  }

  forget(keys: readonly string[]): void {
    for (const k of keys) this.seen.delete(k);
  }
}
