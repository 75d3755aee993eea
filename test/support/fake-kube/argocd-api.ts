/**
 * Argo CD's REST API in front of the fake cluster's Applications, for the REST client's tests:
 * get (refresh=hard marks the app), list by selector, update (409 on a stale resourceVersion),
 * sync (400 "another operation is already in progress" while one runs; the operation carries
 * the token's user and the request's infos, as Argo CD's API server writes it), and the
 * newline-delimited watch stream `{"result":{"type","application"}}`. Errors are grpc-gateway
 * bodies `{error, code, message}`. The FakeArgoCDController answers the syncs as in-cluster.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesLabelSelector, type FakeKubeServer } from './server.js';
import type { KubeObject } from './store.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class FakeArgoCDApi {
  private server: http.Server | undefined;
  private readonly closers = new Set<() => void>();
  readonly requests: Array<{ method: string; path: string; query: Record<string, string> }> = [];
  url = '';

  constructor(
    private readonly kube: FakeKubeServer,
    private readonly token: string,
    private readonly username = 'admin',
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of [...this.closers]) c();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) throw new ApiError(401, 16, 'no session information');
      const body = await new Promise<string>((resolve) => {
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString('utf8')));
        req.on('end', () => resolve(text));
      });
      const ns = query['appNamespace'] ?? 'argocd';
      let m: RegExpMatchArray | null;
      if (req.method === 'GET' && url.pathname === '/api/v1/stream/applications') return this.stream(ns, query['name'], res);
      if (req.method === 'GET' && url.pathname === '/api/v1/applications') {
        const items = this.kube.store.list('applications', ns).filter((a) => matchesLabelSelector(a.metadata.labels, query['selector']));
        return send(res, 200, { metadata: { resourceVersion: this.kube.store.currentResourceVersion }, items });
      }
      if ((m = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)$/))) {
        const name = decodeURIComponent(m[1]!);
        if (req.method === 'GET') {
          const app = this.get(ns, name);
          if (query['refresh']) {
            app.metadata.annotations = { ...app.metadata.annotations, 'argocd.argoproj.io/refresh': query['refresh'] };
            return send(res, 200, this.kube.store.write('applications', ns, app));
          }
          return send(res, 200, app);
        }
        if (req.method === 'PUT') return send(res, 200, this.update(ns, name, JSON.parse(body) as KubeObject));
      }
      if ((m = url.pathname.match(/^\/api\/v1\/applications\/([^/]+)\/sync$/)) && req.method === 'POST') {
        return send(res, 200, this.sync(decodeURIComponent(m[1]!), JSON.parse(body) as Record<string, unknown>));
      }
      throw new ApiError(404, 5, 'Not Found');
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 13, err instanceof Error ? err.message : String(err));
      if (res.headersSent) return void res.end();
      send(res, e.status, { error: e.message, code: e.grpcCode, message: e.message });
    }
  }

  private get(ns: string, name: string): KubeObject {
    const app = this.kube.store.get('applications', ns, name);
    if (!app) throw new ApiError(404, 5, `applications.argoproj.io "${name}" not found`);
    return app;
  }

  private update(ns: string, name: string, body: KubeObject): KubeObject {
    const app = this.get(ns, name);
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== app.metadata.resourceVersion) {
      throw new ApiError(
        409,
        10,
        `Operation cannot be fulfilled on applications.argoproj.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    app['spec'] = body['spec'];
    if (body.metadata?.labels) app.metadata.labels = body.metadata.labels;
    if (body.metadata?.annotations) app.metadata.annotations = body.metadata.annotations;
    return this.kube.store.write('applications', ns, app);
  }

  private sync(name: string, req: Record<string, unknown>): KubeObject {
    const ns = typeof req['appNamespace'] === 'string' ? req['appNamespace'] : 'argocd';
    const app = this.get(ns, name);
    const state = (app['status'] as { operationState?: { phase?: string } } | undefined)?.operationState;
    if (app['operation'] || state?.phase === 'Running') throw new ApiError(400, 9, 'another operation is already in progress');
    const syncOptions = isObject(req['syncOptions']) ? (req['syncOptions']['items'] as string[] | undefined) : undefined;
    // The API server clears the last operation's state when it starts a new one.
    if (isObject(app['status'])) delete app['status']['operationState'];
    app['operation'] = {
      sync: {
        ...(req['revision'] !== undefined ? { revision: req['revision'] } : {}),
        ...(req['revisions'] !== undefined ? { revisions: req['revisions'] } : {}),
        ...(req['sourcePositions'] !== undefined ? { sourcePositions: req['sourcePositions'] } : {}),
        ...(syncOptions ? { syncOptions } : {}),
      },
      initiatedBy: { username: this.username },
      ...(Array.isArray(req['infos']) ? { info: req['infos'] } : {}),
      ...(req['retryStrategy'] !== undefined ? { retry: req['retryStrategy'] } : {}),
    };
    return this.kube.store.write('applications', ns, app);
  }

  private stream(ns: string, name: string | undefined, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const write = (type: string, application: KubeObject): void => {
      if (name !== undefined && application.metadata.name !== name) return;
      res.write(`${JSON.stringify({ result: { type, application } })}\n`);
    };
    for (const app of this.kube.store.list('applications', ns)) write('ADDED', app);
    const unsubscribe = this.kube.store.subscribe((e) => {
      if (e.resource === 'applications' && e.namespace === ns) write(e.type, e.object);
    });
    const close = (): void => {
      unsubscribe();
      this.closers.delete(close);
      res.end();
    };
    this.closers.add(close);
    res.on('close', () => {
      unsubscribe();
      this.closers.delete(close);
    });
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
