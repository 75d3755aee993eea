import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_FLAGS } from '../workflows/definitions.js';
import { followFile } from './follow-file.js';
import { freePort } from './free-port.js';
import { startReadOnlyUiProxy, type ReadOnlyUiProxy } from './read-only-ui-proxy.js';

export interface EmbeddedTemporalOptions {
  /** Path of the `temporal` CLI. */
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port (read-only, through launcher/read-only-ui-proxy.ts); undefined runs headless. */
  uiPort?: number;
  /** SQLite file; undefined keeps everything in memory. */
  dbFile?: string;
  namespace?: string;
  /** More namespaces to create at start (tests give each suite its own). */
  extraNamespaces?: string[];
  /** How long to wait for the server to answer. */
  readyTimeoutMs?: number;
  /** Where the server's own log lines go. */
  onOutput?: (line: string) => void;
  /**
   * A file the server writes its log to (emptied at start), followed for `onOutput`. Unlike a
   * pipe to this process it stays writable if this process is killed outright: the server
   * then keeps running, to be stopped by the next launch, rather than dying at its next log
   * line of SIGPIPE, or not, depending on whether it had anything to say.
   */
  logFile?: string;
  /** More of the server's dynamic settings, e.g. `limit.blobSize.error` (tests run a server with other limits). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface EmbeddedTemporal {
  address: string;
  uiUrl?: string;
  /** The UI's own loopback address behind the read-only proxy: never to be reached by steps. */
  uiInternalUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The database file in write-ahead-log mode, synced at checkpoints rather than at every
 * transaction: SQLite's rollback journal synced at every commit (the server's default) made
 * each workflow task and activity wait for the disk. A crash of the server or the machine
 * keeps the file consistent; a power loss may lose the last moments of work, as with any
 * single-machine install (a Temporal cluster on PostgreSQL is the durable choice).
 */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/** Reads of the transfer queue a second, per history shard (Temporal's default: 20). */
export const TRANSFER_QUEUE_POLL_RPS = 1000;

/** Updates in flight to one workflow the server takes (Temporal's default: 10). */
export const IN_FLIGHT_UPDATE_LIMIT = 100;

/**
 * Queries to one workflow the server holds while a workflow task of it is in flight (Temporal's
 * default: 1). Past it a query is refused ("consistent query buffer is full"), and the Temporal
 * client sends it again only ~1.7 s later: a `promote --wait` read that came while another read
 * of the project waited answered that late (api/temporal-retry.ts, which also sends it sooner).
 */
export const BUFFERED_QUERY_LIMIT = 100;

/**
 * What the api keeps in flight to one project against a server with IN_FLIGHT_UPDATE_LIMIT
 * (SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT; api/temporal-backend.ts says why it must stay below):
 * half of it, for the cluster workflow and another api. With 8, 20 promote requests at once were
 * answered within 0.35–0.5 s; with no limit below the server's, within 0.2 s.
 */
export const UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER = IN_FLIGHT_UPDATE_LIMIT / 2;

/**
 * The server's dynamic settings Shunt starts it with (deploy/temporal/dynamicconfig.yaml says the
 * same for a cluster). Approvals, aborts and retries are workflow updates, which the api waits
 * to be accepted. The transfer queue, which hands every activity and workflow task the history
 * service makes on to matching, reads new tasks at most 20 times a second per history shard by
 * default, and the dev server has one shard: each task waited 20–40 ms for that read (a
 * promotion's start to close went 458 → 299 ms with the higher rate, `npm run bench --
 * promotion-latency`).
 */
export const DYNAMIC_CONFIG: Record<string, string | number | boolean> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'history.transferProcessorMaxPollRPS': TRANSFER_QUEUE_POLL_RPS,
  'history.maxInFlightUpdates': IN_FLIGHT_UPDATE_LIMIT,
  'history.MaxBufferedQueryCount': BUFFERED_QUERY_LIMIT,
};

/**
 * Starts `temporal server start-dev` with Shunt's search attributes registered, and resolves
 * once its frontend answers. State persists in `dbFile`, so a restart keeps every workflow.
 */
export async function startEmbeddedTemporal(opts: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  const ip = opts.ip ?? '127.0.0.1';
  const namespace = opts.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(opts.port), '--namespace', namespace, '--log-level', 'warn'];
  for (const ns of opts.extraNamespaces ?? []) args.push('--namespace', ns);
  if (opts.dbFile) args.push('--db-filename', opts.dbFile, ...SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]));
  const uiInternalPort = opts.uiPort !== undefined ? await freePort() : undefined;
  if (uiInternalPort !== undefined) args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiInternalPort));
  else args.push('--headless');
  for (const sa of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', sa);
  for (const [key, value] of Object.entries({ ...DYNAMIC_CONFIG, ...opts.dynamicConfig })) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const output: string[] = [];
  const collectLine = (line: string): void => {
    if (!line.trim()) return;
    output.push(line);
    if (output.length > 50) output.shift();
    opts.onOutput?.(line);
  };
  const logFd = opts.logFile !== undefined ? openSync(opts.logFile, 'w', 0o600) : undefined;
  let child: ChildProcess;
  try {
    child = spawn(opts.binary, args, { stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'] });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  const follower = opts.logFile !== undefined ? followFile(opts.logFile, collectLine) : undefined;
  const collect = (chunk: Buffer): void => chunk.toString().split('\n').forEach(collectLine);
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
    follower?.stop();
  });

  const address = `${ip}:${opts.port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`the embedded Temporal server exited (code ${exited}) before it was ready:\n${output.join('\n')}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        break;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the embedded Temporal server did not answer on ${address} within the time allowed: ${String(err)}\n${output.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  let uiProxy: ReadOnlyUiProxy | undefined;
  if (opts.uiPort !== undefined && uiInternalPort !== undefined) {
    try {
      uiProxy = await startReadOnlyUiProxy({ ip, port: opts.uiPort, upstreamPort: uiInternalPort });
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal Web UI's port ${ip}:${opts.uiPort} could not be bound: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    address,
    ...(uiProxy && uiInternalPort !== undefined ? { uiUrl: uiProxy.url, uiInternalUrl: `http://127.0.0.1:${uiInternalPort}` } : {}),
    process: child,
    async stop() {
      await uiProxy?.close();
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
