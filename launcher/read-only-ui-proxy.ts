/**
 * The embedded Temporal Web UI, read-only. `temporal server start-dev` has no setting that turns
 * off the UI's write actions (terminate, cancel, signal, reset, update, batch, schedules), and its
 * HTTP API acts on every workflow without Shunt's tokens, permissions or audit trail. So the UI
 * listens on an internal loopback port and this proxy, on the public UI port, forwards only reads.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';

/** Queries read a workflow's state; the UI sends them as POSTs. */
const QUERY_PATH = /^\/api\/v1\/namespaces\/[^/]+\/workflows\/[^/]+(\/runs\/[^/]+)?\/query\/[^/]+$/;

/** Whether the UI may forward this request: reads, and the POSTs that only read. */
export function isReadOnlyUiRequest(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  return method === 'POST' && QUERY_PATH.test(path.split('?')[0] ?? '');
}

export interface ReadOnlyUiProxy {
  url: string;
  close(): Promise<void>;
}

export async function startReadOnlyUiProxy(opts: { ip: string; port: number; upstreamPort: number }): Promise<ReadOnlyUiProxy> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (!isReadOnlyUiRequest(req.method ?? 'GET', path)) {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        message: `Shunt runs the embedded Temporal Web UI read-only: ${req.method} ${path.split('?')[0]} is refused. Promote, abort, retry and approve through Shunt's api, CLI or page.`,
      }));
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: opts.upstreamPort, method: req.method, path, headers: { ...req.headers, host: `127.0.0.1:${opts.upstreamPort}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`the Temporal Web UI did not answer: ${err.message}`);
    });
    req.pipe(upstream);
  });
  server.listen(opts.port, opts.ip);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
  return {
    url: `http://${opts.ip}:${opts.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
