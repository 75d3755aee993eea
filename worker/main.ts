/** The worker process: polls the shared queue and its own, until SIGINT/SIGTERM. */
// First: the watch for a launcher that died runs while the rest is still loading.
import { onOrphaned } from '../launcher/watch-launcher.js';
import { createLogger } from '../launcher/logger.js';
import { appendFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { preparePrivateDataDir, restrictUmask } from '../activities/adapters/private-dir.js';
import { loadWorkerConfig } from './config.js';
import { createShuntWorkers } from './create-workers.js';
import { WorkerMetrics } from './metrics.js';
import { ensureSearchAttributes } from './search-attributes.js';

const config = await loadWorkerConfig();
const log = createLogger(config.logLevel, 'shunt-worker', config.logFormat);
// Mirrors, workspaces and credentials files: private to this user (see private-dir.ts).
restrictUmask();
for (const problem of preparePrivateDataDir(config.dataDir)) log.warn({ dataDir: config.dataDir }, problem);

const temporalLevel: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' };
Runtime.install({
  logger: new DefaultLogger(temporalLevel[config.logLevel] ?? 'INFO', (entry) => {
    const level = entry.level.toLowerCase() as 'info';
    (log[level] ?? log.info).call(log, { ...entry.meta }, entry.message);
  }),
});

/** How long an orphaned worker may take to shut down gracefully before it exits anyway. */
const ORPHAN_EXIT_MS = 10_000;

// Started by the launcher: if the launcher dies, even by SIGKILL, the worker shuts down as on
// SIGTERM (launcher/watch-launcher.ts tells).
let running = false;
onOrphaned((reason) => {
  log.warn({ reason }, 'the launcher is gone; stopping');
  // Before the workers run, SIGTERM would only reach the Temporal runtime's handler, which has
  // nothing to shut down yet: leave at once.
  if (!running) process.exit(1);
  process.kill(process.pid, 'SIGTERM');
  // Nobody supervises this process any more: a graceful shutdown that hangs (an activity that
  // ignores cancellation, a poll that does not return) must not leave it behind.
  setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
});

// A diagnostic for memory work: the main isolate's heap and the process's resident size, as
// JSON lines appended to the file named, once a second.
const memoryLog = process.env['SHUNT_MEMORY_LOG'];
if (memoryLog) {
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number): number => Math.round(n / 2 ** 20);
    appendFileSync(memoryLog, `${JSON.stringify({ t: Date.now(), rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`);
  }, 1000).unref();
}

try {
  const client = await Connection.connect(config.temporalConnection);
  await ensureSearchAttributes(client, config.namespace, log);
  await client.close();
  const connection = await NativeConnection.connect(config.temporalConnection);
  const metrics = new WorkerMetrics({ defaultMetrics: true });
  const metricsServer = config.metricsPort === undefined ? undefined : await metrics.serve(config.metricsPort);
  if (config.metricsPort !== undefined) log.info({ url: `http://127.0.0.1:${config.metricsPort}/metrics` }, 'worker metrics served');
  const workers = await createShuntWorkers({
    connection,
    ...config,
    metrics,
    onCredentialsWarning: (message) => log.warn({ message }, 'credentials file problem'),
    onWorkspaceNotice: (message, fields) => log.warn(fields, message),
  });
  running = true;
  log.info(
    { workerId: config.workerId, runId: workers.workerRun.runId, ownQueue: workers.ownQueue, dataDir: config.dataDir, stepHeartbeatTimeout: config.stepHeartbeatTimeout },
    'worker started',
  );
  await workers.run();
  await connection.close();
  metricsServer?.close();
  log.info('worker stopped');
  // The launcher's IPC channel would keep the process alive: leave explicitly.
  process.exit(0);
} catch (err) {
  log.fatal({ err }, 'worker failed');
  process.exit(1);
}
