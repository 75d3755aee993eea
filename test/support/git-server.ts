/**
 * A loopback git smart-HTTP server for tests: node:http in front of `git http-backend` (CGI),
 * serving every bare repository under `root` (`http://127.0.0.1:<port>/<name>.git`), push
 * enabled, with optional basic auth (401 + WWW-Authenticate when missing or wrong).
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hermeticEnv } from './git-repos.js';

export interface GitHttpServerOptions {
  /** Directory holding the bare repositories. */
  root: string;
  /** Require these credentials (HTTP basic). */
  auth?: { username: string; password: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
  /** Whether an Authorization header was sent (never its value). */
  hadAuthorization: boolean;
}

export class GitHttpServer {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | undefined;
  private port = 0;

  constructor(private readonly opts: GitHttpServerOptions) {}

  /** Starts on 127.0.0.1 and a free port; returns the base URL. */
  async start(): Promise<string> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.baseURL;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** URL of `<root>/<name>.git`. */
  url(name: string): string {
    return `${this.baseURL}/${name}.git`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private authorized(req: http.IncomingMessage): boolean {
    const auth = this.opts.auth;
    if (!auth) return true;
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(header);
    if (!m?.[1]) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    return decoded === `${auth.username}:${auth.password}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      status: 0,
      hadAuthorization: req.headers.authorization !== undefined,
    };
    this.requests.push(record);
    if (!this.authorized(req)) {
      record.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="shunt-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      req.resume();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const env: Record<string, string> = {
      ...hermeticEnv(),
      GIT_PROJECT_ROOT: this.opts.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: this.opts.auth?.username ?? 'anonymous',
      SERVER_PROTOCOL: 'HTTP/1.1',
      // Push over http needs receive-pack switched on.
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
    };
    const encoding = req.headers['content-encoding'];
    if (typeof encoding === 'string') env['HTTP_CONTENT_ENCODING'] = encoding;
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env['GIT_PROTOCOL'] = protocol;
    const length = req.headers['content-length'];
    if (typeof length === 'string') env['CONTENT_LENGTH'] = length;

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    child.stderr.resume();

    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let idx = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (idx < 0) {
        idx = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (idx < 0) return;
      const headerText = head.subarray(0, idx).toString('latin1');
      const body = head.subarray(idx + sepLen);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      record.status = status;
      res.writeHead(status, headers);
      headersSent = true;
      if (body.length > 0) res.write(body);
    });
    child.on('close', () => {
      if (!headersSent) {
        record.status = 500;
        res.writeHead(500, { 'Content-Type': 'text/plain' });
      }
      res.end();
    });
    child.on('error', () => {
      if (!headersSent) {
        record.status = 500;
        res.writeHead(500);
      }
      res.end();
    });
  }
}
