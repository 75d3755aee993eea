import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { pino } from 'pino';
import type { NativeConnection } from '@temporalio/worker';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { createApp } from '../../api/app.js';
import { openAccess, type AccessControl } from '../../api/auth/index.js';
import { ProjectStreams } from '../../api/project-streams.js';
import { TemporalBackend } from '../../api/temporal-backend.js';
import { createShuntWorkers, type ShuntWorkerOptions, type ShuntWorkers } from '../../worker/create-workers.js';
import { connectClient, connectWorker, uniqueName } from './temporal.js';

export interface ShuntStack {
  url: string;
  namespace: string;
  dataDir: string;
  client: Client;
  backend: TemporalBackend;
  workers: ShuntWorkers;
  /**
   * Stops the api (dropping open event streams) and starts a new one on the same address, as a
   * restart would; `whileDown` runs in between.
   */
  restartApi(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Shunt as `npm start` runs it, in-process: workers and the api on a Temporal namespace of the
 * suite's own (test/support/namespaces.mjs), over the real dev server.
 */
export async function startShuntStack(opts: {
  namespace: string;
  credentialsPath?: string;
  /** Kubernetes / Argo CD settings for the worker (test/support/fake-kube). */
  cluster?: Pick<ShuntWorkerOptions, 'kubernetes' | 'argocdNamespace' | 'argocdRest' | 'argocdWaitMs' | 'sharedNamespace'>;
  /** Default: the api's explicit open mode. */
  access?: AccessControl;
  /** Base address of a Temporal Web UI for the promotions' links. */
  temporalUiUrl?: string;
}): Promise<ShuntStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shunt-stack-'));
  const nativeConnection: NativeConnection = await connectWorker();
  const connection: Connection = await connectClient();
  const workers = await createShuntWorkers({
    connection: nativeConnection,
    namespace: opts.namespace,
    dataDir,
    workerId: uniqueName('worker'),
    credentialsPath: opts.credentialsPath ?? join(dataDir, 'credentials'),
    ...opts.cluster,
  });
  const running = workers.run();
  const backend = new TemporalBackend({ connection, namespace: opts.namespace, readSnapshotMs: 0 });
  const credentialsPath = opts.credentialsPath ?? join(dataDir, 'credentials');
  const newApp = (): ReturnType<typeof createApp> => createApp({
    streams: (streams = new ProjectStreams(backend, { namespace: opts.namespace, ...(opts.temporalUiUrl ? { temporalUiUrl: opts.temporalUiUrl } : {}) })),
    backend,
    access: opts.access ?? openAccess(),
    namespace: opts.namespace,
    logger: pino({ level: 'warn' }),
    secrets: new FileCredentialStore(credentialsPath),
    ...(opts.temporalUiUrl ? { temporalUiUrl: opts.temporalUiUrl } : {}),
  });
  let streams: ProjectStreams | undefined;
  const listen = (port: number): Promise<Server> =>
    new Promise((resolve) => {
      const s = newApp().listen(port, '127.0.0.1', () => resolve(s));
    });
  const closeApi = async (): Promise<void> => {
    streams?.close();
    const closed = new Promise((r) => server.close(r));
    server.closeAllConnections();
    await closed;
  };
  let server = await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    namespace: opts.namespace,
    dataDir,
    client: new Client({ connection, namespace: opts.namespace }),
    backend,
    workers,
    async restartApi(whileDown) {
      await closeApi();
      await whileDown?.();
      server = await listen(port);
    },
    async stop() {
      await closeApi();
      workers.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
