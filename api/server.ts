/** The api process: the REST API over Temporal, and SHUNT_CONFIG applied once ready. */
// First: the watch for a launcher that died runs while the rest is still loading.
import { onOrphaned } from '../launcher/watch-launcher.js';
import { createLogger } from '../launcher/logger.js';
import { Connection } from '@temporalio/client';
import { EXIT_CONFIG } from '../core/exit-codes.js';
import { createApp } from './app.js';
import { ApiMetrics, fetchWorkerMetrics } from './metrics.js';
import { accessControlFrom, type AccessControl } from './auth/index.js';
import { loadApiConfig } from './config.js';
import { readManifestFiles } from './manifest-files.js';
import { ProjectStreams } from './project-streams.js';
import { TemporalBackend } from './temporal-backend.js';
import { apiGrpcInterceptors } from './temporal-retry.js';
import { FileCredentialStore } from '../activities/adapters/credentials.js';
import { webhookSecrets } from './webhooks/receivers.js';

const config = loadApiConfig();
const log = createLogger(config.logLevel, 'shunt-api', config.logFormat);

// Lazy: the api starts (and /healthz answers 503) even while Temporal is still coming up.
let access: AccessControl;
try {
  access = await accessControlFrom(config);
} catch (err) {
  const details = (err as { details?: unknown }).details;
  log.fatal({ details }, err instanceof Error ? err.message : String(err));
  process.exit(EXIT_CONFIG);
}
if (access.mode === 'open') {
  log.warn({ host: config.host }, 'access control is OFF (SHUNT_AUTH_MODE=open): anyone who can reach the api may apply, promote and delete');
} else {
  log.info({ authConfig: config.authConfigPath }, 'access control is on: requests need a bearer token');
}

const connection = Connection.lazy({ ...config.temporalConnection, interceptors: apiGrpcInterceptors() });
const backend = new TemporalBackend({
  connection,
  namespace: config.namespace,
  readSnapshotMs: config.readSnapshotMs,
  updatesInFlightPerProject: config.updatesInFlightPerProject,
  onResend: (attempt, reason) => log.warn({ attempt, reason }, 'the workflow did not accept an update: sending it again'),
});
// Server-sent event streams stay open: they are ended at shutdown, or the server would never close.
const streams = new ProjectStreams(backend, { namespace: config.namespace, ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}) });
const app = createApp({
  backend,
  streams,
  access,
  metrics: new ApiMetrics(backend, { defaultMetrics: true }),
  ...(config.workerMetricsUrl ? { workerMetrics: fetchWorkerMetrics(config.workerMetricsUrl) } : {}),
  logger: log,
  namespace: config.namespace,
  maxBodyBytes: config.maxBodyBytes,
  allowedHosts: config.allowedHosts,
  secrets: webhookSecrets(new FileCredentialStore(config.credentialsPath, { onWarning: (message) => log.warn({ message }, 'credentials file problem') }), config.systemNamespace),
  ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
});

const server = app.listen(config.port, config.host, () => {
  log.info({ url: `http://${config.host}:${config.port}` }, 'api listening');
});
// A client (CLI, browser, proxy) reusing an idle connection the api is closing at that moment sees
// "other side closed" on a POST, which it cannot safely resend. Keeping idle connections longer
// than clients do (Node's fetch 4 s, browsers and proxies up to 60 s) leaves the closing to them.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') {
    log.fatal({ port: config.port }, `port ${config.port} is in use: stop what uses it, or set SHUNT_PORT`);
    process.exit(EXIT_CONFIG);
  }
  log.fatal({ err }, 'api could not listen');
  process.exit(1);
});

if (config.configPath) void applyConfigWhenReady(config.configPath);

async function applyConfigWhenReady(path: string): Promise<void> {
  for (;;) {
    const health = await backend.health();
    if (health.temporal && health.worker) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    const result = await backend.apply(await readManifestFiles(path), { dryRun: false, actor: 'SHUNT_CONFIG' });
    for (const line of result.results) log.info(line, 'applied from SHUNT_CONFIG');
    for (const hint of result.hints) log.info({ hint }, 'older spelling accepted');
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err), path }, 'could not apply SHUNT_CONFIG');
  }
}

const shutdown = (): void => {
  streams.close();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Started by the launcher: if the launcher dies, so does the api (launcher/watch-launcher.ts).
onOrphaned(shutdown);
