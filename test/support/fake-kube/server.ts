/**
 * A small Kubernetes API server speaking the real HTTP wire format, for the resources Shunt
 * uses: core/v1 Secrets and argoproj.io/v1alpha1 Applications, AnalysisRuns and
 * AnalysisTemplates. The real `@kubernetes/client-node` is pointed at it.
 *
 * What it does as the real server does: get, list (labelSelector, fieldSelector
 * `metadata.name=`), watch (`?watch=true`: a stream of JSON WatchEvents, replayed from
 * `resourceVersion` or starting with ADDED for what exists), create (409 AlreadyExists), put
 * (409 Conflict on a stale resourceVersion; 422 without one on a custom resource), delete,
 * patch as merge / JSON / strategic merge (415 for strategic merge on custom resources), bearer
 * token authentication (401), Status objects for every error, API discovery of the served
 * resources, and clusters without some CRDs (`unserved`). Not implemented: server-side
 * apply (415), generateName, field managers, finalizers, status subresources (Argo CD's
 * Application CRD has none either).
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.js';
import { ObjectStore, type KubeObject, type StoreEvent } from './store.js';

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Built-in kinds accept strategic merge patch; custom resources refuse it with 415. */
  builtIn: boolean;
}

export const RESOURCES: Record<string, ResourceType> = {
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', builtIn: true },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', builtIn: true },
  applications: { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', kind: 'Application', builtIn: false },
  analysisruns: { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns', kind: 'AnalysisRun', builtIn: false },
  analysistemplates: {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'analysistemplates',
    kind: 'AnalysisTemplate',
    builtIn: false,
  },
};

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function qualified(rt: ResourceType): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`) and existence (`a`, `!a`). */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  // Terms are separated by commas outside the parentheses of a set (`tier in (a,b)`).
  const terms = selector.match(/(?:[^,(]|\([^)]*\))+/g) ?? [];
  for (const raw of terms) {
    const term = raw.trim();
    if (!term) continue;
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const key = m[1]!;
      const values = m[3]!.split(',').map((v) => v.trim());
      if (values.length === 0 || values.every((v) => v === '')) throw new StatusError(400, 'BadRequest', `invalid label selector: ${term}: values must not be empty`);
      const inSet = has(key) && values.includes(l[key]!);
      if (m[2] === 'in' ? !inSet : inSet) return false;
    } else if ((m = term.match(/^([^!=]+)!=(.*)$/))) {
      if (l[m[1]!.trim()] === m[2]!.trim()) return false;
    } else if ((m = term.match(/^([^!=]+)==?(.*)$/))) {
      if (l[m[1]!.trim()] !== m[2]!.trim()) return false;
    } else if (term.startsWith('!')) {
      if (has(term.slice(1).trim())) return false;
    } else if (/\s/.test(term)) {
      throw new StatusError(400, 'BadRequest', `unable to parse requirement: ${term}`);
    } else if (!has(term)) {
      return false;
    }
  }
  return true;
}

function matchesFieldSelector(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  for (const raw of selector.split(',')) {
    const m = raw.trim().match(/^([^!=]+)(!=|==?)(.*)$/);
    if (!m) throw new StatusError(400, 'BadRequest', `invalid field selector: ${raw}`);
    const [, field, op, value] = m;
    const actual = field === 'metadata.name' ? obj.metadata.name : field === 'metadata.namespace' ? obj.metadata.namespace : undefined;
    if (actual === undefined) throw new StatusError(400, 'BadRequest', `field label not supported: ${field}`);
    if ((op === '!=') === (actual === value)) return false;
  }
  return true;
}

export interface FakeKubeOptions {
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Resources (plurals) this server does not serve, as a cluster without their CRDs (e.g.
   * `analysisruns` without Argo Rollouts): discovery leaves them out and their paths answer a
   * plain-text 404, as kube-apiserver's not-found handler does.
   */
  unserved?: string[];
}

export class FakeKubeServer {
  readonly store = new ObjectStore();
  readonly requests: RequestRecord[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<() => void>();
  private readonly interference = new Map<string, number>();
  url = '';

  constructor(private readonly opts: FakeKubeOptions = {}) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const close of [...this.watchers]) close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Puts an object in place directly (test set-up), as `kubectl apply` would. */
  apply(obj: Record<string, unknown>): KubeObject {
    const rt = Object.values(RESOURCES).find((r) => r.kind === obj['kind']);
    if (!rt) throw new Error(`fake-kube does not serve kind ${String(obj['kind'])}`);
    const o = structuredClone(obj) as KubeObject;
    o.apiVersion = apiVersionOf(rt);
    const ns = o.metadata.namespace ?? 'default';
    return this.store.write(rt.plural, ns, o);
  }

  get(plural: string, namespace: string, name: string): KubeObject | undefined {
    return this.store.get(plural, namespace, name);
  }

  /**
   * Makes the next `times` PUTs of that object meet a concurrent writer: just before each is
   * handled the object changes, so the client's resourceVersion is stale and it gets 409.
   */
  interfereWithUpdates(plural: string, namespace: string, name: string, times: number): void {
    this.interference.set(`${plural}/${namespace}/${name}`, times);
  }

  /** Watch requests seen for a resource (`?watch=true` on its list path). */
  watchRequests(plural: string): RequestRecord[] {
    return this.requests.filter((r) => r.method === 'GET' && r.query['watch'] === 'true' && r.path.endsWith(`/${plural}`));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, ...(contentType ? { contentType } : {}) });
    try {
      if (this.opts.token !== undefined && req.headers.authorization !== `Bearer ${this.opts.token}`) {
        throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      }
      const discovery = this.discovery(url.pathname);
      if (discovery !== undefined && req.method === 'GET') return discovery ? sendJSON(res, 200, discovery) : sendPlainNotFound(res);
      const route = this.route(url.pathname);
      if (this.opts.unserved?.includes(route.rt.plural)) return sendPlainNotFound(res);
      const body = await readBody(req);
      await this.dispatch(req.method ?? 'GET', route, query, contentType, body, res);
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      const e =
        err instanceof StatusError
          ? err
          : err instanceof PatchError
            ? new StatusError(422, 'Invalid', err.message)
            : new StatusError(500, 'InternalError', err instanceof Error ? err.message : String(err));
      sendJSON(res, e.code, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: e.message,
        reason: e.reason,
        ...(e.details ? { details: e.details } : {}),
        code: e.code,
      });
    }
  }

  /**
   * API discovery (`/api/v1`, `/apis/<group>/<version>`): the served resources of that group
   * version, null when it serves none; undefined for any other path.
   */
  private discovery(pathname: string): Record<string, unknown> | null | undefined {
    const m = pathname.match(/^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/?$/);
    if (!m) return undefined;
    const [group, version] = m[1] ? ['', m[1]] : [m[2]!, m[3]!];
    const served = Object.values(RESOURCES).filter((r) => r.group === group && r.version === version && !this.opts.unserved?.includes(r.plural));
    if (served.length === 0) return null;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: served.map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: true,
        kind: r.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      })),
    };
  }

  private route(pathname: string): { rt: ResourceType; namespace: string; name?: string } {
    const core = pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/);
    const grouped = pathname.match(/^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/);
    let rt: ResourceType | undefined;
    let namespace: string;
    let name: string | undefined;
    if (core) {
      rt = RESOURCES[core[2]!];
      if (rt && rt.group !== '') rt = undefined;
      namespace = decodeURIComponent(core[1]!);
      name = core[3] ? decodeURIComponent(core[3]) : undefined;
    } else if (grouped) {
      rt = RESOURCES[grouped[4]!];
      if (rt && (rt.group !== grouped[1] || rt.version !== grouped[2])) rt = undefined;
      namespace = decodeURIComponent(grouped[3]!);
      name = grouped[5] ? decodeURIComponent(grouped[5]) : undefined;
    } else {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (!rt) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return name === undefined ? { rt, namespace } : { rt, namespace, name };
  }

  private notFound(rt: ResourceType, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualified(rt)} "${name}" not found`, {
      name,
      ...(rt.group ? { group: rt.group } : {}),
      kind: rt.plural,
    });
  }

  private async dispatch(
    method: string,
    route: { rt: ResourceType; namespace: string; name?: string },
    query: Record<string, string>,
    contentType: string | undefined,
    body: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const { rt, namespace, name } = route;
    if (name === undefined) {
      if (method === 'GET' && (query['watch'] === 'true' || query['watch'] === '1')) return this.watch(rt, namespace, query, res);
      if (method === 'GET') {
        const items = this.store
          .list(rt.plural, namespace)
          .filter((o) => matchesLabelSelector(o.metadata.labels, query['labelSelector']))
          .filter((o) => matchesFieldSelector(o, query['fieldSelector']));
        return sendJSON(res, 200, {
          apiVersion: apiVersionOf(rt),
          kind: `${rt.kind}List`,
          metadata: { resourceVersion: this.store.currentResourceVersion },
          items,
        });
      }
      if (method === 'POST') return sendJSON(res, 201, this.create(rt, namespace, parseJSON(body)));
      throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    switch (method) {
      case 'GET': {
        const obj = this.store.get(rt.plural, namespace, name);
        if (!obj) throw this.notFound(rt, name);
        return sendJSON(res, 200, obj);
      }
      case 'PUT':
        return sendJSON(res, 200, this.replace(rt, namespace, name, parseJSON(body)));
      case 'PATCH':
        return sendJSON(res, 200, this.patch(rt, namespace, name, contentType, body));
      case 'DELETE': {
        const gone = this.store.delete(rt.plural, namespace, name);
        if (!gone) throw this.notFound(rt, name);
        return sendJSON(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: gone.metadata['uid'] },
        });
      }
      default:
        throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
  }

  private checkShape(rt: ResourceType, namespace: string, obj: unknown, name?: string): KubeObject {
    if (!isObject(obj) || !isObject(obj['metadata'])) {
      throw new StatusError(400, 'BadRequest', `${rt.kind} in version "${rt.version}" cannot be handled: metadata is required`);
    }
    const meta = obj['metadata'];
    if (typeof meta['name'] !== 'string' || meta['name'] === '') {
      throw new StatusError(422, 'Invalid', `${rt.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    }
    if (name !== undefined && meta['name'] !== name) {
      throw new StatusError(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    }
    if (meta['namespace'] !== undefined && meta['namespace'] !== namespace) {
      throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    if (obj['kind'] !== undefined && obj['kind'] !== rt.kind) {
      throw new StatusError(400, 'BadRequest', `the kind of the object (${String(obj['kind'])}) does not match ${rt.kind}`);
    }
    const o = structuredClone(obj) as KubeObject;
    o.apiVersion = apiVersionOf(rt);
    o.kind = rt.kind;
    return o;
  }

  private create(rt: ResourceType, namespace: string, body: unknown): KubeObject {
    const obj = this.checkShape(rt, namespace, body);
    if (this.store.get(rt.plural, namespace, obj.metadata.name)) {
      throw new StatusError(409, 'AlreadyExists', `${qualified(rt)} "${obj.metadata.name}" already exists`, {
        name: obj.metadata.name,
        ...(rt.group ? { group: rt.group } : {}),
        kind: rt.plural,
      });
    }
    delete obj.metadata.resourceVersion;
    return this.store.write(rt.plural, namespace, obj);
  }

  private conflict(rt: ResourceType, name: string): StatusError {
    return new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural },
    );
  }

  private replace(rt: ResourceType, namespace: string, name: string, body: unknown): KubeObject {
    const key = `${rt.plural}/${namespace}/${name}`;
    const pending = this.interference.get(key) ?? 0;
    if (pending > 0) {
      this.interference.set(key, pending - 1);
      const current = this.store.get(rt.plural, namespace, name);
      if (current) {
        current.metadata.annotations = { ...current.metadata.annotations, 'fake-kube/concurrent-writer': String(pending) };
        this.store.write(rt.plural, namespace, current);
      }
    }
    const obj = this.checkShape(rt, namespace, body, name);
    const current = this.store.get(rt.plural, namespace, name);
    if (!current) throw this.notFound(rt, name);
    const rv = obj.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (!rt.builtIn) {
        throw new StatusError(
          422,
          'Invalid',
          `${rt.kind}.${rt.group} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
        );
      }
    } else if (rv !== current.metadata.resourceVersion) {
      throw this.conflict(rt, name);
    }
    return this.store.write(rt.plural, namespace, obj);
  }

  private patch(rt: ResourceType, namespace: string, name: string, contentType: string | undefined, body: string): KubeObject {
    const current = this.store.get(rt.plural, namespace, name);
    const unsupported = (): StatusError =>
      new StatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${rt.builtIn ? ', application/strategic-merge-patch+json' : ''}`,
      );
    let patched: unknown;
    switch (contentType) {
      case 'application/merge-patch+json':
        if (!current) throw this.notFound(rt, name);
        patched = mergePatch(current, parseJSON(body));
        break;
      case 'application/json-patch+json':
        if (!current) throw this.notFound(rt, name);
        patched = jsonPatch(current, parseJSON(body));
        break;
      case 'application/strategic-merge-patch+json':
        if (!rt.builtIn) throw unsupported();
        if (!current) throw this.notFound(rt, name);
        patched = strategicMergePatch(current, parseJSON(body));
        break;
      default:
        throw unsupported();
    }
    const obj = this.checkShape(rt, namespace, patched, name);
    if (obj.metadata.resourceVersion !== current.metadata.resourceVersion) throw this.conflict(rt, name);
    return this.store.write(rt.plural, namespace, obj);
  }

  private watch(rt: ResourceType, namespace: string, query: Record<string, string>, res: http.ServerResponse): void {
    const matches = (o: KubeObject): boolean =>
      matchesLabelSelector(o.metadata.labels, query['labelSelector']) && matchesFieldSelector(o, query['fieldSelector']);
    const from = query['resourceVersion'];
    const initial: StoreEvent[] = [];
    let floor: number;
    if (from === undefined || from === '' || from === '0') {
      floor = Number(this.store.currentResourceVersion);
      for (const o of this.store.list(rt.plural, namespace)) {
        initial.push({ resource: rt.plural, namespace, type: 'ADDED', object: o, resourceVersion: Number(o.metadata.resourceVersion) });
      }
    } else {
      floor = Number(from);
      if (!Number.isFinite(floor)) throw new StatusError(400, 'BadRequest', `invalid resourceVersion ${from}`);
      initial.push(...this.store.eventsSince(rt.plural, namespace, floor));
      floor = Number(this.store.currentResourceVersion);
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const send = (e: StoreEvent): void => {
      if (!matches(e.object)) return;
      res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    };
    for (const e of initial) send(e);
    const unsubscribe = this.store.subscribe((e) => {
      if (e.resource === rt.plural && e.namespace === namespace && e.resourceVersion > floor) send(e);
    });
    const close = (): void => {
      unsubscribe();
      clearTimeout(timer);
      this.watchers.delete(close);
      res.end();
    };
    const timeoutSeconds = Number(query['timeoutSeconds'] ?? 1800);
    const timer = setTimeout(close, Math.max(1, timeoutSeconds) * 1000);
    this.watchers.add(close);
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      this.watchers.delete(close);
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJSON(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new StatusError(400, 'BadRequest', 'the object provided is unrecognized (must be of type json)');
  }
}

/** What kube-apiserver answers for a path no handler serves (e.g. a resource whose CRD is not installed). */
function sendPlainNotFound(res: http.ServerResponse): void {
  const text = '404 page not found\n';
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendJSON(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
