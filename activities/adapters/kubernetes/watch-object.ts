/**
 * Waits for one namespaced object to reach a state, with a list + watch (never tight polling):
 * list it by name to get a resourceVersion, check, then watch from that resourceVersion and
 * check every event. A watch the server ends early (its timeout, 410 Expired after a restart,
 * a dropped connection) is re-established from a fresh list; a list the server cannot answer
 * (restarting: connection refused, 5xx, a refusal before it is ready) is retried with backoff until `withinMs` is over, when
 * the wait resolves undefined like any other wait that ran out of time.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { parseResponse } from '../../../core/external-response.js';
import type { KubeClients } from './client.js';
import { kubeError } from './errors.js';

export interface WatchTarget<O> {
  /** The list path, e.g. `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`. */
  path: string;
  name: string;
  /** Lists by name (the list carries the resourceVersion to watch from). */
  list(fieldSelector: string): Promise<unknown>;
  /** The object's schema: every listed or watched object is read with it. */
  object: z.ZodType<O>;
  what: string;
}

/** A list answer: the resourceVersion to watch from, and the objects (read with the target's schema). */
const ListAnswer = z.object({ metadata: z.object({ resourceVersion: z.string().optional() }).optional(), items: z.array(z.unknown()).nullish() });

export interface WatchWaitOptions {
  withinMs: number;
  signal: AbortSignal;
  heartbeat(): void;
}

const HEARTBEAT_MS = 5_000;
const RELIST_PAUSE_MS = 500;
const UNREACHABLE_BACKOFF_MS = [500, 1_000, 2_000, 4_000];

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitForObject<O, T>(
  clients: KubeClients,
  target: WatchTarget<O>,
  check: (obj: O | undefined) => T | undefined,
  opts: WatchWaitOptions,
): Promise<T | undefined> {
  const deadline = Date.now() + opts.withinMs;
  const fieldSelector = `metadata.name=${target.name}`;
  const beat = setInterval(() => opts.heartbeat(), HEARTBEAT_MS);
  let unreachable = 0;
  const read = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> =>
    parseResponse(schema, value, `${target.what}: the Kubernetes API server ${clients.server}`, (message) => new DomainError('StepFailed', message));
  try {
    for (;;) {
      if (opts.signal.aborted) throw opts.signal.reason ?? new Error('cancelled');
      let answer: unknown;
      try {
        answer = await target.list(fieldSelector);
        unreachable = 0;
      } catch (err) {
        const failure = await kubeError(clients, err, target.what);
        if (failure.code !== 'Unavailable') throw failure;
        const wait = Math.min(UNREACHABLE_BACKOFF_MS[Math.min(unreachable++, UNREACHABLE_BACKOFF_MS.length - 1)]!, deadline - Date.now());
        if (wait <= 0) return undefined;
        await pause(wait);
        continue;
      }
      const listed = read(ListAnswer, answer);
      const item = listed.items?.[0];
      const first = check(item === undefined ? undefined : read(target.object, item));
      if (first !== undefined) return first;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;

      const outcome = await new Promise<{ value?: T; ended?: unknown; timedOut?: boolean }>((resolve, reject) => {
        let settled = false;
        let controller: AbortController | undefined;
        const finish = (r: { value?: T; ended?: unknown; timedOut?: boolean }): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          opts.signal.removeEventListener('abort', onAbort);
          controller?.abort();
          resolve(r);
        };
        const onAbort = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          controller?.abort();
          reject(opts.signal.reason ?? new Error('cancelled'));
        };
        const timer = setTimeout(() => finish({ timedOut: true }), remaining);
        opts.signal.addEventListener('abort', onAbort, { once: true });
        clients.watch
          .watch(
            target.path,
            {
              fieldSelector,
              resourceVersion: listed.metadata?.resourceVersion,
              allowWatchBookmarks: true,
              timeoutSeconds: Math.max(1, Math.ceil(remaining / 1000)),
            },
            (type: string, obj: unknown) => {
              if (type === 'BOOKMARK') return;
              if (type === 'ERROR') {
                finish({ ended: obj });
                return;
              }
              let value: T | undefined;
              try {
                value = check(type === 'DELETED' ? undefined : read(target.object, obj));
              } catch (err) {
                if (!settled) {
                  settled = true;
                  clearTimeout(timer);
                  opts.signal.removeEventListener('abort', onAbort);
                  controller?.abort();
                  reject(err);
                }
                return;
              }
              if (value !== undefined) finish({ value });
            },
            (err: unknown) => finish({ ended: err ?? 'closed' }),
          )
          .then((c) => {
            controller = c;
            if (settled) c.abort();
          })
          .catch(async (err: unknown) => {
            if (settled) return;
            const failure = err instanceof DomainError ? err : await kubeError(clients, err, `${target.what} (watch)`);
            if (settled) return;
            // A server going away between the list and the watch: list again (with backoff).
            if (failure.code === 'Unavailable') {
              finish({ ended: failure });
              return;
            }
            settled = true;
            clearTimeout(timer);
            opts.signal.removeEventListener('abort', onAbort);
            reject(failure);
          });
      });
      if (outcome.value !== undefined) return outcome.value;
      if (outcome.timedOut) return undefined;
      // The watch ended (server timeout, 410 Gone, dropped connection): list again and go on,
      // after a short pause so a server that keeps closing watches is not hammered.
      await pause(Math.min(RELIST_PAUSE_MS, Math.max(0, deadline - Date.now())));
    }
  } finally {
    clearInterval(beat);
  }
}
