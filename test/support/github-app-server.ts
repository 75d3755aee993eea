/**
 * A loopback server speaking GitHub's App installation-token endpoint
 * (`POST /api/v3/app/installations/{id}/access_tokens`, GitHub Enterprise's path) and checking
 * the App's JWT the way GitHub documents: RS256 signed by the App's key (verified against its
 * public key), `iss` the App ID or client ID, `iat` not in the future, `exp` in the future and at
 * most 10 minutes after `iat` + 60 s drift, an installation of this App. Bad ones get GitHub's
 * error shape (`{ message, documentation_url }`, 401 or 404). Every other request is proxied to
 * `upstream` (the git server), so the App and the repository share one origin as on GHE.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, errors as joseErrors } from 'jose';

export interface GitHubAppServerOptions {
  appID: string;
  clientID: string;
  /** The App's public key (GitHub keeps it; the Secret holds the private one). */
  publicKey: KeyObject;
  installations: readonly string[];
  /** The token minted (the git server expects it as password); default `ghs_<n>`. */
  token?: () => string;
  /** How long a minted token lives (default 1 hour, as GitHub). */
  tokenTtlMs?: number;
  /** Where every other request goes (the git server's base URL). */
  upstream?: string;
}

export interface TokenRequest {
  installation: string;
  status: number;
  repositories?: unknown;
}

const DOCS = 'https://docs.github.com/rest';

/** A fresh App key pair: the PEM for the Secret, the public key for the server. */
export function githubAppKeys(): { pem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })) };
}

export class GitHubAppServer {
  readonly tokenRequests: TokenRequest[] = [];
  /** Authorization headers the other requests carried (other API calls get 404; the rest is proxied). */
  readonly proxiedAuthorizations: (string | undefined)[] = [];
  private server: http.Server | undefined;
  private minted = 0;
  url = '';

  constructor(private readonly opts: GitHubAppServerOptions) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const m = /^\/api\/v3\/app\/installations\/([^/]+)\/access_tokens$/.exec(req.url ?? '');
    if (!m) return this.proxy(req, res, body);
    const reply = (status: number, json: object): void => {
      this.tokenRequests.push({ installation: m[1]!, status, ...(status === 201 ? { repositories: (JSON.parse(body.toString() || '{}') as { repositories?: unknown }).repositories } : {}) });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(json));
    };
    if (req.method !== 'POST') return reply(404, { message: 'Not Found', documentation_url: DOCS });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    const jwt = auth.slice('Bearer '.length);
    try {
      if (decodeProtectedHeader(jwt).alg !== 'RS256') throw new Error('alg');
    } catch {
      return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    }
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(jwt, this.opts.publicKey, { algorithms: ['RS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        return reply(401, { message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires", documentation_url: DOCS });
      }
      return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.opts.appID && claims.iss !== this.opts.clientID) {
      return reply(401, { message: 'A JSON web token could not be decoded', documentation_url: DOCS });
    }
    if (typeof claims.iat !== 'number' || claims.iat > now + 1) {
      return reply(401, { message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued", documentation_url: DOCS });
    }
    if (typeof claims.exp !== 'number' || claims.exp - claims.iat > 660 || claims.exp > now + 600) {
      return reply(401, { message: "'Expiration time' claim ('exp') is too far in the future", documentation_url: DOCS });
    }
    if (!this.opts.installations.includes(m[1]!)) return reply(404, { message: 'Not Found', documentation_url: DOCS });
    this.minted += 1;
    const token = this.opts.token?.() ?? `ghs_${String(this.minted).padStart(36, '0')}`;
    reply(201, { token, expires_at: new Date(Date.now() + (this.opts.tokenTtlMs ?? 3_600_000)).toISOString(), permissions: { contents: 'write' }, repository_selection: 'selected' });
  }

  private proxy(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    this.proxiedAuthorizations.push(req.headers.authorization);
    if (!this.opts.upstream || (req.url ?? '').startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found', documentation_url: DOCS }));
      return;
    }
    const target = new URL(req.url ?? '/', this.opts.upstream);
    const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    out.end(body);
  }
}
