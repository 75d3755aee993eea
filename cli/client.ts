import type { ApplyBody, FreightAliasBody, PromoteBody, PromoteDownstreamBody, PruneProjectBody } from '../core/api/requests.js';
import type { PromotionChanges } from '../core/changes/git-reads.js';
import type { PruneOutcome } from '../core/project/prune.js';
import { ApiError, CliError } from './errors.js';
import { parseEventStream, type ServerSentEvent } from './event-stream.js';

/** The connection of an event stream broke: resume it with the last event's id. */
export class StreamLost extends Error {}

/**
 * A small typed client of Shunt's REST API: the only part of the CLI that knows URLs. Response
 * types name only the fields the CLI reads; everything else passes through untouched (for
 * `-o json|yaml`).
 */

export type ProjectResourceKind = 'warehouses' | 'stages' | 'freight' | 'promotions' | 'events' | 'audit';

export interface ManifestFile {
  name: string;
  content: string;
}

export interface ApplyResponse {
  results: { project?: string; kind: string; name: string; action: string }[];
  hints: string[];
  dryRun: boolean;
}

/** Any Kargo-shaped object; the CLI reads a few well-known fields and passes the rest through. */
export interface KargoObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface KargoList<T = KargoObject> {
  apiVersion: string;
  kind: 'List';
  items: T[];
}

export interface StepExecution {
  alias: string;
  uses?: string;
  status: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  errorCount?: number;
}

export interface PromotionObject extends KargoObject {
  spec: { stage: string; freight: string };
  status: {
    phase: string;
    message?: string;
    currentStep?: number;
    stepExecutionMetadata?: StepExecution[];
    finishedAt?: string;
    temporalUiUrl?: string;
  };
}

export interface FreightApprovalResponse {
  freight: string;
  alias: string;
  stage: string;
  approvedAt: string;
  approvedBy?: string;
  alreadyApproved: boolean;
}

export interface VerificationResponse {
  id: string;
  stage: string;
  phase: string;
  message?: string;
}

export interface PromoteDownstreamResponse {
  promotions: PromotionObject[];
  /** Downstream stages without steps: the freight flows through them by itself. */
  controlFlowStages: string[];
}

export interface FreightAliasResponse {
  freight: string;
  alias: string;
  previousAlias: string;
}

export interface StageRefreshResponse {
  stage: string;
  refreshedAt: string;
  autoPromotions: string[];
  currentPromotion?: { name: string; phase: string; message?: string };
  currentVerification?: { id: string; phase: string; message?: string };
}

export interface DeleteResponse {
  kind: 'Status';
  details: { kind: string; name: string };
}

export interface ClientOptions {
  /** Base address of the api, e.g. `http://127.0.0.1:8080`. */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Without `token`: asked for the token before each request (the one `shunt login` stored). */
  tokenSource?: () => Promise<string | undefined>;
  fetch?: typeof fetch;
}

/** What `GET /api/v1/auth/config` answers (api/auth/sign-in.ts). */
export interface AuthConfigResponse {
  oidc?: { issuer: string; clientId: string; cliClientId: string; scopes: string[]; audience?: string; resource?: string; problem?: string };
}

export const API_PREFIX = '/api/v1';

export class ShuntClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly tokenSource: (() => Promise<string | undefined>) | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(options: ClientOptions) {
    this.server = normalizeServer(options.server);
    this.token = options.token === '' ? undefined : options.token;
    this.tokenSource = options.tokenSource;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  /** How to sign in to this api (open: no token needed). */
  authConfig(): Promise<AuthConfigResponse> {
    // Asked while signing in: the stored token may be what is being replaced.
    return this.request('GET', '/auth/config', undefined, { open: true });
  }

  whoami(): Promise<{ name: string; via: string }> {
    return this.request('GET', '/whoami');
  }

  apply(files: ManifestFile[], dryRun: boolean): Promise<ApplyResponse> {
    const body: ApplyBody = { files, dryRun };
    return this.request('POST', '/apply', body);
  }

  listProjects(): Promise<KargoList> {
    return this.request('GET', '/projects');
  }

  getProject(name: string): Promise<KargoObject> {
    return this.request('GET', `/projects/${seg(name)}`);
  }

  list(project: string, kind: ProjectResourceKind): Promise<KargoList> {
    return this.request('GET', `/projects/${seg(project)}/${kind}`);
  }

  /** The audit trail, newest first, with the api's filters (stage, actor, action, outcome, limit). */
  listAudit(project: string, filters: Record<string, string>): Promise<KargoList> {
    const query = new URLSearchParams(filters).toString();
    return this.request('GET', `/projects/${seg(project)}/audit${query === '' ? '' : `?${query}`}`);
  }

  /** The commits a promotion pushed and the diff of its files (read from the worker's git mirror). */
  promotionChanges(project: string, name: string): Promise<PromotionChanges> {
    return this.request('GET', `/projects/${seg(project)}/promotions/${seg(name)}/changes`);
  }

  /** For freight, `name` may be the id or the alias. */
  get(project: string, kind: ProjectResourceKind, name: string): Promise<KargoObject> {
    return this.request('GET', `/projects/${seg(project)}/${kind}/${seg(name)}`);
  }

  promote(project: string, request: PromoteBody): Promise<PromotionObject> {
    return this.request('POST', `/projects/${seg(project)}/promotions`, request);
  }

  /** Promote to every stage immediately downstream of `stage`. */
  promoteDownstream(project: string, stage: string, request: PromoteDownstreamBody): Promise<PromoteDownstreamResponse> {
    return this.request('POST', `/projects/${seg(project)}/stages/${seg(stage)}/promotions/downstream`, request);
  }

  /** With `waitMs`, the server answers once the promotion has ended or after that long (at most 60 s). */
  getPromotion(project: string, name: string, waitMs?: number): Promise<PromotionObject> {
    const wait = waitMs === undefined ? '' : `?wait=${Math.max(0, Math.ceil(waitMs))}ms`;
    return this.request('GET', `/projects/${seg(project)}/promotions/${seg(name)}${wait}`);
  }

  approveFreight(project: string, freight: string, stage: string): Promise<FreightApprovalResponse> {
    return this.request('POST', `/projects/${seg(project)}/freight/${seg(freight)}/approve`, { stage });
  }

  /** `action` on a promotion: approve (a waiting gate), retry or abort. */
  promotionAction(project: string, name: string, action: 'approve' | 'retry' | 'abort'): Promise<PromotionObject> {
    return this.request('POST', `/projects/${seg(project)}/promotions/${seg(name)}/${action}`, {});
  }

  /** Re-run (`verify`) or stop (`abort`) a stage's verification. */
  verificationAction(project: string, stage: string, action: 'verify' | 'abort'): Promise<VerificationResponse> {
    const path = action === 'verify' ? 'verify' : 'verification/abort';
    return this.request('POST', `/projects/${seg(project)}/stages/${seg(stage)}/${path}`, {});
  }

  deleteResource(project: string, kind: 'stages' | 'warehouses', name: string): Promise<DeleteResponse> {
    return this.request('DELETE', `/projects/${seg(project)}/${kind}/${seg(name)}`);
  }

  /** `freight` is the id or the alias. */
  deleteFreight(project: string, freight: string): Promise<DeleteResponse & { alias: string; abortedPromotions: string[] }> {
    return this.request('DELETE', `/projects/${seg(project)}/freight/${seg(freight)}`);
  }

  /** `freight` is the id or the current alias. */
  updateFreightAlias(project: string, freight: string, body: FreightAliasBody): Promise<FreightAliasResponse> {
    return this.request('PATCH', `/projects/${seg(project)}/freight/${seg(freight)}/alias`, body);
  }

  refreshStage(project: string, stage: string): Promise<StageRefreshResponse> {
    return this.request('POST', `/projects/${seg(project)}/stages/${seg(stage)}/refresh`, {});
  }

  refreshWarehouse(project: string, name: string): Promise<{ project: string; warehouse: string; via: string }> {
    return this.request('POST', `/projects/${seg(project)}/warehouses/${seg(name)}/refresh`, {});
  }

  /** Sets the project's freight retention and brings its state under its budget. */
  pruneProject(project: string, body: PruneProjectBody): Promise<PruneOutcome> {
    return this.request('POST', `/projects/${seg(project)}/prune`, body);
  }

  deleteProject(name: string): Promise<DeleteResponse> {
    return this.request('DELETE', `/projects/${seg(name)}`);
  }

  /**
   * The project's event stream (server-sent events; `of: 'events'`: its lifecycle events): yields until the api ends it or `signal`
   * aborts. An api refusal throws ApiError; a lost connection ends the stream (the caller resumes
   * with the last event's id).
   */
  async *stream(project: string, options: { lastEventId?: string; signal?: AbortSignal; of?: 'state' | 'events' } = {}): AsyncGenerator<ServerSentEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const token = await this.bearer();
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    let response: Response;
    try {
      const path = options.of === 'events' ? 'events/stream' : 'stream';
      response = await this.fetchFn(`${this.server}${API_PREFIX}/projects/${seg(project)}/${path}`, { headers, ...(options.signal ? { signal: options.signal } : {}) });
    } catch {
      if (options.signal?.aborted) return;
      throw new CliError(`cannot reach the Shunt api at ${this.server}: is it running? (set --server or SHUNT_SERVER)`);
    }
    if (!response.ok || response.body === null) throw apiError(response, parseJson(await response.text()));
    try {
      yield* parseEventStream(response.body);
    } catch (err) {
      if (options.signal?.aborted) return;
      throw new StreamLost(err instanceof Error ? err.message : String(err));
    }
  }

  private async bearer(): Promise<string | undefined> {
    return this.token ?? (await this.tokenSource?.());
  }

  private async request<T>(method: string, path: string, body?: unknown, options: { open?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = options.open ? undefined : await this.bearer();
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.server}${API_PREFIX}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      // fetch rejects (TypeError: fetch failed) only when no HTTP answer came back at all.
      throw new CliError(
        `cannot reach the Shunt api at ${this.server}: is it running? (set --server or SHUNT_SERVER)`,
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) throw apiError(response, parsed);
    if (parsed === undefined) {
      throw new CliError(`the api at ${this.server} answered ${method} ${path} with a body that is not JSON`);
    }
    return parsed as T;
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function apiError(response: Response, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error !== undefined && typeof error.message === 'string') {
    const details = Array.isArray(error.details) ? error.details.filter((d): d is string => typeof d === 'string') : [];
    return new ApiError(response.status, typeof error.code === 'string' ? error.code : 'Unknown', error.message, details);
  }
  const statusText = response.statusText === '' ? '' : ` ${response.statusText}`;
  return new ApiError(response.status, 'Unknown', `the api answered ${response.status}${statusText}`);
}

/** Checks `--server` and drops trailing slashes. */
export function normalizeServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`invalid server address "${server}": expected a URL such as http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`invalid server address "${server}": only http and https are supported`);
  }
  return server.replace(/\/+$/, '');
}
