/**
 * The webhook receivers this api answers for, by path: built from every project's ProjectConfig
 * and the ClusterConfig (each receiver's token computed from its Secret), so a call looks its
 * receiver up in memory and a path no receiver has costs no backend call at all.
 *
 * The api is stateless behind a load balancer, so each instance keeps its own index: rebuilt
 * in full when older than `maxAgeMs` (in the background, one rebuild at a time, whatever the
 * traffic), and refreshed at once for the projects an apply through this instance touched. A
 * receiver added through another instance answers here within `maxAgeMs`.
 */
import { webhookReceivers, type WebhookProvider, type WebhookReceiver } from '../../core/manifests/webhook-receiver.js';
import type { ApplyResult, ShuntBackend } from '../backend.js';
import { receiverPath, type SecretSource } from './receivers.js';

/** How old the index may grow before a rebuild (a receiver applied elsewhere answers within it). */
export const RECEIVER_INDEX_MAX_AGE_MS = 30_000;

export interface IndexedReceiver {
  /** The receiver's project; undefined for a ClusterConfig receiver (every project). */
  project: string | undefined;
  receiver: WebhookReceiver;
  /** The value the provider signs or sends (its Secret's key for that provider). */
  secret: string;
}

const key = (provider: WebhookProvider, token: string): string => `${provider}/${token}`;

export class WebhookReceiverIndex {
  private byPath = new Map<string, IndexedReceiver>();
  private builtAt = -Infinity;
  private building: Promise<void> | undefined;

  constructor(
    private readonly backend: ShuntBackend,
    private readonly secrets: SecretSource,
    private readonly opts: { maxAgeMs?: number; now?: () => number; onError?: (err: unknown) => void } = {},
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * The receiver at `/webhooks/<provider>/<token>`, or undefined. Waits only for the first build;
   * after that a stale index answers at once while it is rebuilt behind.
   */
  async lookup(provider: WebhookProvider, token: string): Promise<IndexedReceiver | undefined> {
    if (this.builtAt === -Infinity) await this.rebuild();
    else if (this.now() - this.builtAt > (this.opts.maxAgeMs ?? RECEIVER_INDEX_MAX_AGE_MS)) {
      this.rebuild().catch((err: unknown) => this.opts.onError?.(err));
    }
    return this.byPath.get(key(provider, token));
  }

  /** Rebuilds the whole index (one rebuild at a time; callers during one share it). */
  rebuild(): Promise<void> {
    this.building ??= (async () => {
      try {
        const startedAt = this.now();
        const next = new Map<string, IndexedReceiver>();
        for (const [k, v] of await this.clusterEntries()) next.set(k, v);
        for (const summary of await this.backend.listProjects()) {
          for (const [k, v] of await this.entriesOf(summary.name)) next.set(k, v);
        }
        this.byPath = next;
        this.builtAt = startedAt;
      } finally {
        this.building = undefined;
      }
    })();
    return this.building;
  }

  /** Re-reads the receivers of the projects an apply changed (no-op for a dry run). */
  async applied(result: ApplyResult): Promise<void> {
    if (result.dryRun || this.builtAt === -Infinity) return;
    const changed = result.results.filter((r) => r.action !== 'unchanged');
    if (changed.some((r) => r.kind === 'ClusterConfig')) {
      const entries = await this.clusterEntries().catch(() => new Map<string, IndexedReceiver>());
      for (const [k, v] of this.byPath) if (v.project === undefined) this.byPath.delete(k);
      for (const [k, v] of entries) this.byPath.set(k, v);
    }
    const projects = new Set(changed.map((r) => r.project ?? (r.kind === 'Project' ? r.name : undefined)));
    for (const project of projects) {
      if (project === undefined) continue;
      const entries = await this.entriesOf(project).catch(() => new Map<string, IndexedReceiver>());
      for (const [k, v] of this.byPath) if (v.project === project) this.byPath.delete(k);
      for (const [k, v] of entries) this.byPath.set(k, v);
    }
  }

  private async entriesOf(project: string): Promise<Map<string, IndexedReceiver>> {
    const state = await this.backend.getProject(project);
    return this.entries(state.project, state.specs.config?.spec.webhookReceivers);
  }

  private async clusterEntries(): Promise<Map<string, IndexedReceiver>> {
    const config = await this.backend.getClusterConfig();
    return this.entries(undefined, config?.spec.webhookReceivers);
  }

  private async entries(project: string | undefined, specs: readonly Record<string, unknown>[] | undefined): Promise<Map<string, IndexedReceiver>> {
    const out = new Map<string, IndexedReceiver>();
    for (const receiver of webhookReceivers(specs)) {
      const { path, secret } = await receiverPath(project, receiver, this.secrets);
      if (!path || !secret) continue; // a receiver without its secret cannot be called
      out.set(key(receiver.provider, path.slice(path.lastIndexOf('/') + 1)), { project, receiver, secret });
    }
    return out;
  }
}

const indexes = new WeakMap<ShuntBackend, WebhookReceiverIndex>();

/** The index of the api serving `backend` (one per app). */
export function receiverIndexFor(backend: ShuntBackend, secrets: SecretSource, opts?: ConstructorParameters<typeof WebhookReceiverIndex>[2]): WebhookReceiverIndex {
  let index = indexes.get(backend);
  if (!index) {
    index = new WebhookReceiverIndex(backend, secrets, opts);
    indexes.set(backend, index);
  }
  return index;
}

/** Tells the webhook index of `backend`'s api (if it has one) what an apply changed. */
export async function noteApplied(backend: ShuntBackend, result: ApplyResult): Promise<void> {
  await indexes.get(backend)?.applied(result);
}
