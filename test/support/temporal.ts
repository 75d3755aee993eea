import { Connection } from '@temporalio/client';
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

export async function connectClient(): Promise<Connection> {
  return Connection.connect({ address: temporalAddress() });
}

export async function connectWorker(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
