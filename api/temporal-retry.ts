/**
 * How the api's calls to Temporal are sent again: the Temporal client's own rules, but for one
 * refusal. A workflow with a workflow task in flight buffers a query until the task is done, and
 * refuses more than `history.MaxBufferedQueryCount` of them (Temporal's default: 1) with
 * RESOURCE_EXHAUSTED, "consistent query buffer is full". The client waits 1.36–2.04 s before it
 * sends such a call again (1 s × 1.7, ± 20 %), as for a server out of capacity; the buffer empties
 * when the task ends, a few milliseconds later. Two reads of one project at once, the second while
 * the first waited for a task, made `shunt promote --wait` answer ~1.7 s after the promotion had
 * ended (`npm run bench -- promotion-latency`). That refusal is sent again after ~25 ms, growing
 * by the client's factor up to its 5 s, up to 20 times; every other status keeps the client's rules.
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';

type Status = Parameters<GrpcRetryOptions['delayFunction']>[1];

/** gRPC's status code RESOURCE_EXHAUSTED (fixed by the gRPC protocol). */
const RESOURCE_EXHAUSTED = 8;

/** The first wait before a refused query is sent again, before the client's factor (1.7) and jitter. */
export const QUERY_BUFFER_INITIAL_INTERVAL_MS = 15;

/**
 * How many times a refused query is sent in all. Its waits start shorter, so it is sent more often
 * than the client's 10: a workflow busy for long still gets ~52 s of tries (the client's: ~40 s).
 */
export const QUERY_BUFFER_ATTEMPTS = 20;

/** The server refused a query because the workflow's buffer of queries waiting for a workflow task is full. */
export function isQueryBufferFull(status: Pick<Status, 'code' | 'details'>): boolean {
  return status.code === RESOURCE_EXHAUSTED && /consistent query buffer is full/i.test(status.details ?? '');
}

/** The client's own rules, and its backoff from a shorter start with more attempts for a refused query. */
export function apiGrpcRetryOptions(): GrpcRetryOptions {
  const client = defaultGrpcRetryOptions();
  const refused = defaultGrpcRetryOptions({ initialIntervalMs: () => QUERY_BUFFER_INITIAL_INTERVAL_MS, maxAttempts: QUERY_BUFFER_ATTEMPTS });
  const rules = (status: Status): GrpcRetryOptions => (isQueryBufferFull(status) ? refused : client);
  return {
    delayFunction: (attempt, status) => rules(status).delayFunction(attempt, status),
    retryableDecider: (attempt, status) => rules(status).retryableDecider(attempt, status),
  };
}

/** The interceptors of the api's Temporal connection. */
export function apiGrpcInterceptors(options: GrpcRetryOptions = apiGrpcRetryOptions()): ReturnType<typeof makeGrpcRetryInterceptor>[] {
  return [makeGrpcRetryInterceptor(options)];
}
