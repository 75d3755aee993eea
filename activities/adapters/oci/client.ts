/**
 * A client of the OCI Distribution API for one repository: tag listing (with `Link`
 * pagination), manifests and image indexes, blobs, and uploads. Authentication follows the
 * registry's challenge: none, `Basic`, or the `Bearer` token flow (realm/service/scope) that
 * Docker Hub, GHCR, Quay, ECR and Harbor use. Credentials never appear in errors.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { RepoCredentials } from '../credentials.js';
import { egressFetch, egressRefusal } from '../egress/egress-connect.js';
import { parseJSONResponse } from '../../../core/external-response.js';
import { OciError } from './errors.js';
import { parseRepository, type RepositoryRef } from './reference.js';
import { ManifestBody, TagList, TokenResponse } from './schema.js';
import { parseChallenge } from './www-authenticate.js';

export type { Descriptor, ManifestBody } from './schema.js';

export const MANIFEST_MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const ACCEPT_MANIFESTS = Object.values(MANIFEST_MEDIA_TYPES).join(', ');

export interface OciClientOptions {
  credentials?: RepoCredentials | undefined;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Tags asked for per page (default 1000; registries may send fewer). */
  pageSize?: number;
  signal?: AbortSignal | undefined;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  /** The parsed JSON document. */
  body: ManifestBody;
  raw: Buffer;
}

/** Requests made since the client was created (benchmarks and tests count them). */
export interface OciRequestCounts {
  tagPages: number;
  manifestGets: number;
  manifestHeads: number;
  blobGets: number;
  tokenFetches: number;
}

export function isIndex(m: { mediaType: string; body: ManifestBody }): boolean {
  return m.mediaType === MANIFEST_MEDIA_TYPES.ociIndex || m.mediaType === MANIFEST_MEDIA_TYPES.dockerList || Array.isArray(m.body.manifests);
}

export function sha256Digest(data: Buffer | Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | Uint8Array | undefined;
  /** `pull` or `pull,push`. */
  actions?: string;
  /** Statuses the caller handles itself instead of getting an error. */
  accept?: number[];
}

export class OciClient {
  readonly ref: RepositoryRef;
  readonly counts: OciRequestCounts = { tagPages: 0, manifestGets: 0, manifestHeads: 0, blobGets: 0, tokenFetches: 0 };
  private readonly creds: RepoCredentials | undefined;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly signal: AbortSignal | undefined;
  /** Authorization header per action set, once a challenge told us how. */
  private readonly auth = new Map<string, string>();

  constructor(repoURL: string, opts: OciClientOptions = {}) {
    this.ref = parseRepository(repoURL);
    this.creds = opts.credentials;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.pageSize = opts.pageSize ?? 1000;
    this.signal = opts.signal;
  }

  /** Where messages say the repository is. */
  get display(): string {
    return `${this.ref.host}/${this.ref.repository}`;
  }

  /** Every tag of the repository, following `Link: <…>; rel="next"` pages. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${this.ref.repository}/tags/list?n=${this.pageSize}`;
    for (let page = 0; next !== undefined; page++) {
      if (page >= 10_000) throw new OciError('BadResponse', `${this.display}: the registry's tag list does not end (over 10000 pages)`);
      const res = await this.request(next);
      this.counts.tagPages++;
      const body = this.parseJSON(TagList, await res.text(), `the tag list of ${this.display}`);
      tags.push(...(body.tags ?? []));
      next = nextLink(res.headers.get('link'), this.ref.baseURL);
    }
    return tags;
  }

  /** The digest a tag (or digest) currently points at, without downloading the manifest. */
  async resolveDigest(reference: string): Promise<string> {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT_MANIFESTS },
    });
    this.counts.manifestHeads++;
    const digest = res.headers.get('docker-content-digest');
    if (digest) return digest;
    // Some registries omit the header on HEAD: fall back to the body's hash.
    return (await this.getManifest(reference)).digest;
  }

  async getManifest(reference: string): Promise<Manifest> {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, { headers: { accept: ACCEPT_MANIFESTS } });
    this.counts.manifestGets++;
    const raw = Buffer.from(await res.arrayBuffer());
    const body = this.parseJSON(ManifestBody, raw.toString('utf8'), `the manifest ${this.display}:${reference}`);
    const mediaType = (res.headers.get('content-type') ?? body.mediaType ?? '').split(';')[0]!.trim();
    const digest = reference.startsWith('sha256:') ? reference : (res.headers.get('docker-content-digest') ?? sha256Digest(raw));
    return { digest, mediaType, body, raw };
  }

  async getBlob(digest: string): Promise<Buffer> {
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`);
    this.counts.blobGets++;
    const data = Buffer.from(await res.arrayBuffer());
    if (digest.startsWith('sha256:') && sha256Digest(data) !== digest) {
      throw new OciError('BadResponse', `${this.display}: blob ${digest} does not match its digest`);
    }
    return data;
  }

  /** A JSON blob (an image config) parsed with `schema`. */
  async getBlobJSON<S extends z.ZodType>(digest: string, schema: S): Promise<z.output<S>> {
    const data = await this.getBlob(digest);
    return this.parseJSON(schema, data.toString('utf8'), `${this.display}: blob ${digest}`);
  }

  /** Uploads a blob unless the registry has it already; returns its descriptor digest. */
  async pushBlob(data: Buffer): Promise<string> {
    const digest = sha256Digest(data);
    const head = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, { method: 'HEAD', actions: 'pull,push', accept: [404] });
    if (head.status === 200) return digest;
    const start = await this.request(`/v2/${this.ref.repository}/blobs/uploads/`, { method: 'POST', actions: 'pull,push' });
    const location = start.headers.get('location');
    if (!location) throw new OciError('BadResponse', `${this.display}: the registry started an upload without a Location`);
    const url = new URL(location, this.ref.baseURL);
    url.searchParams.set('digest', digest);
    await this.request(url.toString(), {
      method: 'PUT',
      actions: 'pull,push',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    return digest;
  }

  /** Puts a manifest under a tag (or its digest); returns the digest. */
  async pushManifest(reference: string, mediaType: string, raw: Buffer): Promise<string> {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, {
      method: 'PUT',
      actions: 'pull,push',
      headers: { 'content-type': mediaType },
      body: raw,
    });
    return res.headers.get('docker-content-digest') ?? sha256Digest(raw);
  }

  // ---- transport ---------------------------------------------------------------------------

  private async request(pathOrURL: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(pathOrURL, this.ref.baseURL).toString();
    const actions = opts.actions ?? 'pull';
    let res = await this.send(url, opts, this.auth.get(actions));
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      const header = await this.authorize(challenge, actions);
      if (header !== undefined) {
        this.auth.set(actions, header);
        res = await this.send(url, opts, header);
      }
    }
    if (res.ok || (opts.accept ?? []).includes(res.status)) return res;
    await res.body?.cancel().catch(() => undefined);
    throw this.statusError(res.status, opts.method ?? 'GET', pathOrURL);
  }

  private async send(url: string, opts: RequestOptions, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': 'shunt', ...(opts.headers ?? {}) };
    if (authorization) headers['authorization'] = authorization;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    try {
      return await egressFetch(url, { method: opts.method ?? 'GET', headers, body: opts.body, signal, redirect: 'follow' });
    } catch (err) {
      if (this.signal?.aborted || egressRefusal(err)) throw err;
      if (timeout.aborted) {
        throw new OciError('Unavailable', `registry ${this.ref.host} did not answer within ${this.timeoutMs / 1000}s`);
      }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new OciError('Unavailable', `cannot reach registry ${this.ref.host}: ${why}`);
    }
  }

  /** The Authorization header a challenge asks for, or undefined when we cannot answer it. */
  private async authorize(challenge: ReturnType<typeof parseChallenge>, actions: string): Promise<string | undefined> {
    if (!challenge) return undefined;
    const basic = this.creds?.username !== undefined || this.creds?.password !== undefined
      ? `Basic ${Buffer.from(`${this.creds?.username ?? ''}:${this.creds?.password ?? ''}`).toString('base64')}`
      : undefined;
    if (challenge.scheme === 'basic') return basic;
    if (challenge.scheme !== 'bearer') return undefined;
    const realm = challenge.params['realm'];
    if (!realm) throw new OciError('BadResponse', `registry ${this.ref.host} asked for a bearer token without a realm`);
    const tokenURL = new URL(realm);
    if (challenge.params['service']) tokenURL.searchParams.set('service', challenge.params['service']);
    tokenURL.searchParams.set('scope', `repository:${this.ref.repository}:${actions}`);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await egressFetch(tokenURL, { headers: basic ? { authorization: basic } : {}, signal: this.signal ? AbortSignal.any([timeout, this.signal]) : timeout });
    } catch (err) {
      if (egressRefusal(err)) throw err;
      throw new OciError('Unavailable', `cannot reach the token service of registry ${this.ref.host} (${tokenURL.host}): ${(err as Error).message}`);
    }
    this.counts.tokenFetches++;
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new OciError('Unauthorized', `registry ${this.ref.host}: the token service refused ${basic ? 'the configured credentials' : 'anonymous access'} for ${this.ref.repository}`, res.status);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new OciError(res.status >= 500 || res.status === 429 ? 'Unavailable' : 'BadResponse', `registry ${this.ref.host}: the token service answered ${res.status}`, res.status);
    }
    const body = this.parseJSON(TokenResponse, await res.text(), `registry ${this.ref.host}: the token service ${tokenURL.host}`);
    const token = body.token || body.access_token;
    if (!token) throw new OciError('BadResponse', `registry ${this.ref.host}: the token service sent no token`);
    return `Bearer ${token}`;
  }

  private statusError(status: number, method: string, what: string): OciError {
    const where = `${this.display}`;
    const path = what.startsWith('http') ? new URL(what).pathname : what.split('?')[0];
    if (status === 401 || status === 403) {
      const who = this.creds ? 'the configured credentials were rejected' : 'no credentials are configured for it';
      return new OciError('Unauthorized', `registry ${this.ref.host} denied access to ${this.ref.repository} (${status}): ${who}`, status);
    }
    if (status === 404) return new OciError('NotFound', `${where}: not found (${method} ${path})`, status);
    if (status === 429 || status >= 500) return new OciError('Unavailable', `registry ${this.ref.host} answered ${status} to ${method} ${path}`, status);
    return new OciError('BadResponse', `registry ${this.ref.host} answered ${status} to ${method} ${path}`, status);
  }

  /** JSON text read with `schema`; what is not JSON (an HTML error page) or does not fit is a BadResponse naming `what` and the field. */
  private parseJSON<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
    return parseJSONResponse(schema, text, what, (message) => new OciError('BadResponse', message));
  }
}

/** The `rel="next"` target of a Link header, absolute. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /rel\s*=\s*"?next"?/i.test(m[2] ?? '')) return new URL(m[1] ?? '', base).toString();
  }
  return undefined;
}
