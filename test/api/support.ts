import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createApp, type AppDeps } from '../../api/app.js';
import { openAccess } from '../../api/auth/index.js';
import type { FreightSources, PromotionStepSpec, Stage, Warehouse } from '../../core/model.js';
import type { FreightRecord, ProjectState } from '../../core/project/state.js';
import * as kit from '../support/manifests.js';
import { emptyProject, FakeBackend } from './fake-backend.js';

/** The api on 127.0.0.1 and a free port; `close` in afterEach/afterAll. */
export interface RunningApi {
  url: string;
  backend: FakeBackend;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startApi(options: Partial<AppDeps> & { backend?: FakeBackend } = {}): Promise<RunningApi> {
  const backend = options.backend ?? new FakeBackend();
  const { logger, logs } = captureLogger();
  // These suites test the routes themselves: they run the api in its explicit open mode.
  const app = createApp({ logger, access: openAccess(), ...options, backend });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    backend,
    logs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export function captureLogger(): { logger: Logger; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), logs };
}

export async function request(
  api: RunningApi,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

// ---- builders ------------------------------------------------------------------------------

export const FREIGHT_A = 'a'.repeat(40);
export const FREIGHT_B = 'b'.repeat(40);

/** The demo project's warehouse: ghcr.io/acme/app ^1.0.0, scanned every 5m. */
export function demoWarehouse(project: string, name: string): Warehouse {
  return kit.aWarehouse(name, { project, subscriptions: [{ image: { repoURL: 'ghcr.io/acme/app', constraint: '^1.0.0' } }], spec: { interval: '5m' } });
}

/** A stage labelled tier=<name>, taking warehouse app's freight from `sources`, with a clone and a push step. */
export function demoStage(
  project: string,
  name: string,
  sources: FreightSources,
  steps: PromotionStepSpec[] = [{ uses: 'git-clone', as: 'clone' }, { uses: 'git-push', as: 'push' }],
): Stage {
  return kit.aStage(name, { project, sources, steps, labels: { tier: name } });
}

export function aFreight(id: string, alias: string, overrides: Partial<FreightRecord> = {}): FreightRecord {
  return {
    name: id,
    alias,
    origin: { kind: 'Warehouse', name: 'app' },
    commits: [],
    images: [{ repoURL: 'ghcr.io/acme/app', tag: alias === 'tidy-otter' ? '1.0.0' : '1.1.0', digest: 'sha256:abc' }],
    charts: [],
    discoveredAt: '2026-01-01T00:00:00.000Z',
    currentlyIn: {},
    verifiedIn: {},
    approvedFor: {},
    ...overrides,
  };
}

/**
 * Project `demo`: warehouse `app`; stages dev (direct) → staging → prod. Freight A
 * (`tidy-otter`) is in dev and verified there; freight B (`brave-fox`, newer) is nowhere yet.
 * One finished promotion into dev.
 */
export function demoState(): ProjectState {
  const state = emptyProject('demo');
  state.specs.warehouses['app'] = demoWarehouse('demo', 'app');
  state.specs.stages['dev'] = demoStage('demo', 'dev', { direct: true });
  state.specs.stages['staging'] = demoStage('demo', 'staging', { stages: ['dev'] });
  state.specs.stages['prod'] = demoStage('demo', 'prod', { stages: ['staging'] });
  const a = aFreight(FREIGHT_A, 'tidy-otter', {
    currentlyIn: { dev: { since: '2026-01-01T00:10:00.000Z' } },
    verifiedIn: { dev: { verifiedAt: '2026-01-01T00:11:00.000Z', longestSoakMs: 3_723_000 } },
  });
  const b = aFreight(FREIGHT_B, 'brave-fox', { discoveredAt: '2026-01-02T00:00:00.000Z' });
  state.freight[a.name] = a;
  state.freight[b.name] = b;
  const { currentlyIn: _c, verifiedIn: _v, approvedFor: _a, discoveredAt: _d, createdBy: _b, ...ref } = a;
  state.stages['dev'] = {
    freightHistory: [
      {
        collection: { id: 'c'.repeat(40), items: { 'Warehouse/app': ref } },
        promotedAt: '2026-01-01T00:10:00.000Z',
        promotion: 'dev.000001.aaaaaaa',
      },
    ],
    queue: [],
    lastPromotion: { name: 'dev.000001.aaaaaaa', freight: FREIGHT_A, phase: 'Succeeded', finishedAt: '2026-01-01T00:10:00.000Z' },
  };
  state.promotions.push({
    name: 'dev.000001.aaaaaaa',
    stage: 'dev',
    freight: FREIGHT_A,
    freightAlias: 'tidy-otter',
    origin: 'Warehouse/app',
    phase: 'Succeeded',
    actor: 'alice',
    createdAt: '2026-01-01T00:09:00.000Z',
    startedAt: '2026-01-01T00:09:01.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    workflowId: `promotion:demo:dev:${FREIGHT_A}`,
    steps: [
      { alias: 'clone', uses: 'git-clone', status: 'Succeeded', errorCount: 0, startedAt: '2026-01-01T00:09:01.000Z', finishedAt: '2026-01-01T00:09:30.000Z' },
      { alias: 'push', uses: 'git-push', status: 'Succeeded', errorCount: 0, startedAt: '2026-01-01T00:09:30.000Z', finishedAt: '2026-01-01T00:10:00.000Z' },
    ],
    state: { push: { commit: 'deadbeef' } },
  });
  return state;
}

export function demoBackend(): FakeBackend {
  const backend = new FakeBackend();
  backend.projects.set('demo', demoState());
  return backend;
}
