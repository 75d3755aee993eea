/**
 * Argo CD through its own REST API (for a Shunt running outside the cluster): ARGOCD_SERVER
 * with a bearer token (ARGOCD_AUTH_TOKEN, e.g. `argocd account generate-token`).
 *
 * - read:   GET  /api/v1/applications/{name}?appNamespace=…        (refresh=hard asks for a hard refresh)
 * - list:   GET  /api/v1/applications?appNamespace=…&selector=…
 * - update: PUT  /api/v1/applications/{name}?appNamespace=…&validate=false  (409 → fresh read, again)
 * - sync:   POST /api/v1/applications/{name}/sync  {appNamespace, revision(s), sourcePositions, infos, syncOptions}
 * - watch:  GET  /api/v1/stream/applications?name=…&appNamespace=…   (newline-delimited {"result":{type,application}})
 *
 * The API server stamps the operation's `initiatedBy` with the token's user; Shunt's promotion
 * is recognised by the `kargo.akuity.io/promotion` info it passes. The token never leaves this
 * object.
 */
import { Agent, fetch, type Response } from 'undici';
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { ArgoApplication, ArgoApplicationList, type ArgoCDClient, type SyncRequest, type WaitOptions } from '../argocd-client.js';
import { parseJSONResponse } from '../../../core/external-response.js';

/** Argo CD's error body (`{error, code, message}`, grpc-gateway's shape). */
const ErrorBody = z.object({ message: z.string().optional(), error: z.string().optional() });

/** One line of the watch stream: `{"result":{"type":"MODIFIED","application":{…}}}`. */
const WatchEvent = z.object({ result: z.object({ type: z.string().optional(), application: ArgoApplication.optional() }).optional() });

export interface ArgoCDRestOptions {
  /** `https://argocd.example.com` (a bare host gets https://). */
  server: string;
  token: string;
  /** Skip TLS verification (self-signed Argo CD); plain http needs nothing. */
  insecure?: boolean;
  defaultNamespace?: string;
}

const MAX_CONFLICT_RETRIES = 10;
const HEARTBEAT_MS = 5_000;

function baseURL(server: string): string {
  const withScheme = /^https?:\/\//.test(server) ? server : `https://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DomainError('BadRequest', `ARGOCD_SERVER ${JSON.stringify(server)} is not a URL or host`);
  }
  return url.toString().replace(/\/+$/, '');
}

export class ArgoCDRestClient implements ArgoCDClient {
  readonly defaultNamespace: string;
  readonly endpoint: string;
  private readonly base: string;
  private readonly token: string;
  private readonly dispatcher: Agent | undefined;

  constructor(opts: ArgoCDRestOptions) {
    this.base = baseURL(opts.server);
    this.token = opts.token;
    this.defaultNamespace = opts.defaultNamespace ?? 'argocd';
    this.endpoint = `Argo CD API ${this.base}`;
    this.dispatcher = opts.insecure ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  }

  private what(namespace: string, name: string): string {
    return `Argo CD Application ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}`;
  }

  private async request(method: string, path: string, what: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : String(err));
      throw new DomainError('Unavailable', `${what}: the Argo CD API server ${this.base} cannot be reached (${cause})`);
    }
  }

  /** An error for a non-2xx answer, with Argo CD's own message (`{error, code, message}`). */
  private async failure(res: Response, what: string): Promise<DomainError> {
    const text = await res.text().catch(() => '');
    let message = text.slice(0, 300);
    try {
      const body = ErrorBody.safeParse(JSON.parse(text));
      if (body.success) message = body.data.message ?? body.data.error ?? message;
    } catch {
      /* not JSON */
    }
    const code =
      res.status === 401 || res.status === 403
        ? 'FailedPrecondition'
        : res.status === 404
          ? 'NotFound'
          : res.status === 409
            ? 'Conflict'
            : res.status === 400
              ? 'BadRequest'
              : 'Unavailable';
    const hint = res.status === 401 ? ' (the Argo CD token was refused: check ARGOCD_AUTH_TOKEN)' : res.status === 403 ? ' (the Argo CD account lacks permission)' : '';
    return new DomainError(code, `${what}: ${message || res.statusText} (HTTP ${res.status})${hint}`);
  }

  /** An answer read with `schema`; one that is not JSON or does not fit fails naming `what`, the server and the field. */
  private parse<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
    return parseJSONResponse(schema, text, `${what}: the Argo CD API server ${this.base}`, (message) => new DomainError('StepFailed', message));
  }

  private q(params: Record<string, string | undefined>): string {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, v);
    const text = s.toString();
    return text ? `?${text}` : '';
  }

  async getApplication(namespace: string, name: string, refresh?: 'hard' | 'normal'): Promise<ArgoApplication | undefined> {
    const what = `reading ${this.what(namespace, name)}`;
    const res = await this.request('GET', `/api/v1/applications/${encodeURIComponent(name)}${this.q({ appNamespace: namespace, refresh })}`, what);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw await this.failure(res, what);
    return this.parse(ArgoApplication, await res.text(), what);
  }

  async listApplications(namespace: string, labelSelector: string): Promise<ArgoApplication[]> {
    const what = `listing Argo CD Applications in namespace ${JSON.stringify(namespace)}`;
    const res = await this.request('GET', `/api/v1/applications${this.q({ appNamespace: namespace, selector: labelSelector })}`, what);
    if (!res.ok) throw await this.failure(res, what);
    return this.parse(ArgoApplicationList, await res.text(), what).items ?? [];
  }

  async syncApplication(namespace: string, name: string, request: SyncRequest): Promise<ArgoApplication> {
    const what = this.what(namespace, name);
    for (let attempt = 1; ; attempt++) {
      const app = await this.getApplication(namespace, name, 'hard');
      if (!app) throw new DomainError('NotFound', `${what} not found`);
      request.guard?.(app);
      if (!request.updateSpec) break;
      const before = JSON.stringify(app.spec);
      request.updateSpec(app);
      if (JSON.stringify(app.spec) === before) break;
      const res = await this.request(
        'PUT',
        `/api/v1/applications/${encodeURIComponent(name)}${this.q({ appNamespace: namespace, validate: 'false' })}`,
        `updating ${what}`,
        { metadata: app.metadata, spec: app.spec },
      );
      if (res.ok) {
        await res.body?.cancel();
        break;
      }
      if (res.status === 409 && attempt < MAX_CONFLICT_RETRIES) {
        await res.body?.cancel();
        continue;
      }
      throw await this.failure(res, `updating ${what}`);
    }
    const sync = request.operation.sync ?? {};
    const body = {
      name,
      appNamespace: namespace,
      ...(sync.revision !== undefined ? { revision: sync.revision } : {}),
      ...(sync.revisions !== undefined ? { revisions: sync.revisions } : {}),
      // The REST API takes the positions (1-based) of the sources the revisions are for: all.
      ...(sync.revisions !== undefined ? { sourcePositions: sync.revisions.map((_, i) => i + 1) } : {}),
      ...(sync.syncOptions ? { syncOptions: { items: sync.syncOptions } } : {}),
      ...(request.operation.info ? { infos: request.operation.info } : {}),
      ...(request.operation.retry !== undefined ? { retryStrategy: request.operation.retry } : {}),
    };
    const res = await this.request('POST', `/api/v1/applications/${encodeURIComponent(name)}/sync`, `syncing ${what}`, body);
    if (!res.ok) throw await this.failure(res, `syncing ${what}`);
    return this.parse(ArgoApplication, await res.text(), `syncing ${what}`);
  }

  async waitForApplication<T>(
    namespace: string,
    name: string,
    check: (app: ArgoApplication | undefined) => T | undefined,
    opts: WaitOptions,
  ): Promise<T | undefined> {
    const deadline = Date.now() + opts.withinMs;
    const beat = setInterval(() => opts.heartbeat(), HEARTBEAT_MS);
    try {
      for (;;) {
        const first = check(await this.getApplication(namespace, name));
        if (first !== undefined) return first;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return undefined;
        const found = await this.stream(namespace, name, check, remaining, opts.signal);
        if (found.value !== undefined) return found.value;
        if (found.timedOut) return undefined;
        await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, deadline - Date.now()))));
      }
    } finally {
      clearInterval(beat);
    }
  }

  /** Follows the watch stream until `check` answers, the time is up, or the stream ends. */
  private async stream<T>(
    namespace: string,
    name: string,
    check: (app: ArgoApplication | undefined) => T | undefined,
    withinMs: number,
    signal: AbortSignal,
  ): Promise<{ value?: T; timedOut?: boolean }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, withinMs);
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const what = `watching ${this.what(namespace, name)}`;
    try {
      const res = await this.request('GET', `/api/v1/stream/applications${this.q({ name, appNamespace: namespace })}`, what, undefined, controller.signal);
      if (!res.ok) throw await this.failure(res, what);
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          const event = this.parse(WatchEvent, line, what).result;
          if (!event) continue;
          const value = check(event.type === 'DELETED' ? undefined : event.application);
          if (value !== undefined) return { value };
        }
      }
      return {};
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      if (timedOut) return { timedOut: true };
      throw err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }
}
