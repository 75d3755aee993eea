/**
 * `npm start`: the embedded default. Starts a Temporal dev server (state in a SQLite file in the
 * data dir) unless TEMPORAL_ADDRESS names one, then the worker and the api, each restarted if it
 * dies, and stops them all on Ctrl-C.
 */
import { join } from 'node:path';
import { preparePrivateDataDir, restrictUmask } from '../activities/adapters/private-dir.js';
import { loadLauncherConfig } from './config.js';
import { startEmbeddedTemporal, UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER, type EmbeddedTemporal } from './embedded-temporal.js';
import { freePort } from './free-port.js';
import { LAUNCHER_PID_ENV } from './orphan-guard.js';
import { recordServer, stopStaleServer } from './stale-server.js';
import { supervise, type SupervisedProcess } from './supervised-process.js';
import { projectRoot, resolveTemporalTool } from './temporal-binary.js';
import { workerProcess } from './worker-process.js';

const config = loadLauncherConfig();
const say = (line: string): void => void process.stdout.write(`shunt: ${line}\n`);

/** What steps may reach besides the internet when SHUNT_EGRESS_ALLOW is unset: loopback only. */
const EMBEDDED_EGRESS_ALLOW = '127.0.0.0/8,::1';

let temporal: EmbeddedTemporal | undefined;
const children: SupervisedProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping');
    await Promise.all(children.map((c) => c.stop()));
    await temporal?.stop();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  // The data dir (Temporal's database, mirrors, workspaces) is private to this user.
  restrictUmask();
  for (const problem of preparePrivateDataDir(config.dataDir)) say(`warning: ${problem}`);
  let address = config.temporalAddress;
  let uiUrl: string | undefined;
  let uiInternalUrl: string | undefined;
  if (!address) {
    const binary = resolveTemporalTool('temporal');
    const dbFile = join(config.dataDir, 'temporal.db');
    const pidFile = join(config.dataDir, 'temporal.pid');
    await stopStaleServer(pidFile, dbFile, say);
    say(`starting the embedded Temporal server (${binary}), state in ${dbFile}`);
    temporal = await startEmbeddedTemporal({
      binary,
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbFile,
      namespace: config.namespace,
      onOutput: (line) => process.stderr.write(`temporal: ${line}\n`),
      logFile: join(config.dataDir, 'temporal.log'),
    });
    recordServer(pidFile, temporal.process.pid);
    temporal.process.on('exit', (code) => {
      if (!stopping) {
        say(`the embedded Temporal server exited (code ${code}); stopping`);
        void stopAll(1);
      }
    });
    address = temporal.address;
    uiUrl = temporal.uiUrl;
    uiInternalUrl = temporal.uiInternalUrl;
  } else {
    say(`using the Temporal server at ${address} (namespace ${config.namespace})`);
  }
  // The worker serves its metrics on loopback; the api's /metrics includes them.
  const workerMetricsPort = await freePort();
  // Steps may reach services on this machine's loopback (a local registry or git server), but
  // never Shunt's or Temporal's own ports (activities/adapters/egress/egress-policy.ts).
  const egressAllow = process.env['SHUNT_EGRESS_ALLOW'] ?? EMBEDDED_EGRESS_ALLOW;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHUNT_WORKER_METRICS_PORT: String(workerMetricsPort),
    SHUNT_WORKER_METRICS_URL: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: config.namespace,
    SHUNT_DATA_DIR: config.dataDir,
    // One machine: local repositories (file://, as the demo uses) are allowed unless set otherwise.
    GIT_ALLOW_PROTOCOL: process.env['GIT_ALLOW_PROTOCOL'] ?? 'http:https:ssh:file',
    SHUNT_PORT: String(config.port),
    SHUNT_HOST: config.host,
    SHUNT_AUTH_MODE: config.authMode,
    SHUNT_EGRESS_ALLOW: egressAllow,
    // Steps' `ctx.uiBaseUrl`: the page this launcher serves, unless the operator names another address.
    SHUNT_UI_BASE_URL: process.env['SHUNT_UI_BASE_URL'] ?? pageUrl(config.host, config.port),
    // The worker and the api leave once their parent is no longer this process.
    [LAUNCHER_PID_ENV]: String(process.pid),
    ...(config.authConfigPath ? { SHUNT_AUTH_CONFIG: config.authConfigPath } : {}),
    ...(uiUrl ? { SHUNT_TEMPORAL_UI_URL: uiUrl } : {}),
    // The embedded server takes more updates in flight to one workflow than a stock cluster.
    ...(temporal ? { SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT: process.env['SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT'] ?? String(UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER) } : {}),
    // The UI's own port behind the read-only proxy is refused to steps like the public one.
    ...(uiInternalUrl ? { SHUNT_EGRESS_DENY: [process.env['SHUNT_EGRESS_DENY'], new URL(uiInternalUrl).host].filter(Boolean).join(',') } : {}),
  };
  const fatal = (): void => void stopAll(1);
  const worker = workerProcess(process.env);
  children.push(supervise('worker', join(projectRoot, 'dist', 'worker', 'main.js'), { ...env, ...worker.env }, say, fatal, worker.nodeArgs));
  children.push(supervise('api', join(projectRoot, 'dist', 'api', 'server.js'), env, say, fatal));
  say(`api on http://${config.host}:${config.port} (GET /healthz answers 200 once ready)`);
  say(config.authReason);
  say(`steps may connect to the internet${egressAllow ? ` and to ${egressAllow}` : ''} (SHUNT_EGRESS_ALLOW), never to Shunt's or Temporal's ports`);
  if (uiUrl) say(`Temporal Web UI on ${uiUrl} (read-only: act through Shunt's api, CLI or page)`);
  say('press Ctrl-C to stop');
} catch (err) {
  process.stderr.write(`shunt: ${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll(1);
}

/** The page's address as a browser on this machine reaches it (a wildcard bind is reached on loopback). */
function pageUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
