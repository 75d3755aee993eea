import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** The dev server the jest global setup started (or TEMPORAL_ADDRESS). Never skips: fails loudly. */
export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    throw new Error(
      'TEMPORAL_ADDRESS is not set: run the tests with `npm test` (its global setup starts a Temporal dev server), ' +
        'or point TEMPORAL_ADDRESS at a server that has the namespaces in test/support/namespaces.mjs',
    );
  }
  return address;
}

/**
 * A client connection with the SDK's own retries, whose close() first lets a retry already
 * scheduled run (and stops scheduling new ones): the SDK's retry timer outlives close() and then
 * throws "Channel has been shut down" into whichever suite runs next in the same jest worker.
 */
export async function connectClient(): Promise<Connection> {
  const retry = defaultGrpcRetryOptions();
  let closing = false;
  let lastRetryAt = 0;
  const connection = await Connection.connect({
    address: temporalAddress(),
    interceptors: [
      makeGrpcRetryInterceptor({
        retryableDecider: (attempt, status) => !closing && retry.retryableDecider(attempt, status),
        delayFunction: (attempt, status) => {
          const ms = retry.delayFunction(attempt, status);
          lastRetryAt = Math.max(lastRetryAt, Date.now() + ms);
          return ms;
        },
      }),
    ],
  });
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closing = true;
    const wait = Math.min(lastRetryAt - Date.now() + 50, 15_000);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await close();
  };
  return connection;
}

export async function connectWorker(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
