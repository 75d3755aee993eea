/**
 * An HTTP reverse proxy on 127.0.0.1 in front of a real server (in the crash and fault tests, the
 * git smart-HTTP server of test/support/git-server.ts), under the test's control:
 *
 * - `hold(match, 'request')`: the first matching request is not forwarded until released, so the
 *   client is caught *before* that request takes effect (e.g. before `git push` sends anything);
 * - `hold(match, 'response')`: the first matching request is forwarded and fully answered by the
 *   server, but the answer is held, so the client is caught *after* the request took effect and
 *   before it learned so (e.g. a push that landed on the remote);
 * - `down()` / `up()`: while down, every connection is reset at once (the remote unreachable);
 * - `failWith(status)`: every request is answered with that status (a server error);
 * - `stall()`: requests are accepted and not answered until `up()` (a server that hangs).
 *
 * A held exchange whose client went away (killed) is dropped on release: nothing is forwarded.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RequestMatch = (method: string, url: string) => boolean;

export interface Hold {
  /** Resolves with the URL once a matching request is held. */
  readonly arrived: Promise<string>;
  /** Lets the held request (or answer) go on; a client that went away gets nothing. */
  release(): void;
}

interface HoldRule {
  match: RequestMatch;
  phase: 'request' | 'response';
  taken: boolean;
  onArrive(url: string): void;
  released: Promise<void>;
}

export class GatedProxy {
  /** Every request seen: method and URL, in order. */
  readonly requests: { method: string; url: string }[] = [];
  private readonly rules: HoldRule[] = [];
  private readonly releases: (() => void)[] = [];
  private readonly sockets = new Set<Socket>();
  private server: http.Server | undefined;
  private isDown = false;
  private failStatus: number | undefined;
  private stalled: { until: Promise<void>; resume(): void } | undefined;
  private port = 0;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      if (this.isDown) {
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
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

  /** Holds the first request that `match`es, before or after the server answers it. */
  hold(match: RequestMatch, phase: 'request' | 'response'): Hold {
    let onArrive!: (url: string) => void;
    const arrived = new Promise<string>((resolve) => (onArrive = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.rules.push({ match, phase, taken: false, onArrive, released });
    this.releases.push(release);
    return { arrived, release };
  }

  /** Releases every hold, taken or not. */
  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
    this.rules.length = 0;
  }

  /** The remote unreachable: open connections are reset, new ones too. */
  down(): void {
    this.isDown = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  /** Every request answered with `status` until `up()`. */
  failWith(status: number): void {
    this.failStatus = status;
  }

  /** Requests held unanswered until `up()`. */
  stall(): void {
    if (this.stalled) return;
    let resume!: () => void;
    const until = new Promise<void>((r) => (resume = r));
    this.stalled = { until, resume };
  }

  /** Back to forwarding everything. */
  up(): void {
    this.isDown = false;
    this.failStatus = undefined;
    this.stalled?.resume();
    this.stalled = undefined;
  }

  async stop(): Promise<void> {
    this.releaseAll();
    this.up();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    this.requests.push({ method, url });
    let clientGone = false;
    res.on('close', () => (clientGone = !res.writableFinished));
    if (this.failStatus !== undefined) {
      req.resume();
      res.writeHead(this.failStatus, { 'content-type': 'text/plain' });
      res.end(`test proxy: answering ${this.failStatus}\n`);
      return;
    }
    if (this.stalled) {
      await this.stalled.until;
      if (clientGone || res.destroyed) return;
    }
    const rule = this.rules.find((r) => !r.taken && r.match(method, url));
    if (rule) rule.taken = true;

    if (rule?.phase === 'request') {
      rule.onArrive(url);
      await rule.released;
      if (clientGone || res.destroyed) {
        req.destroy();
        return;
      }
    }
    const upstream = new URL(url, this.upstream);
    const forwarded = http.request(upstream, { method, headers: { ...req.headers, host: upstream.host } });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
    const answer = await new Promise<http.IncomingMessage>((resolve) => forwarded.on('response', resolve));
    if (rule?.phase === 'response') {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      rule.onArrive(url);
      await rule.released;
      if (clientGone || res.destroyed) return;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.end(Buffer.concat(chunks));
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  }
}
