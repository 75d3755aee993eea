/**
 * A real HTTP server of the test's own for verification: `/health`-style JSON endpoints whose
 * answers a test sets, and Prometheus's `/api/v1/query` wire format over values a test sets per
 * query. Loopback only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsServer {
  url: string;
  /** Answer for GET/POST <path>: status and JSON body. */
  setJson(path: string, status: number, body: unknown): void;
  /** Answer for a PromQL query: the vector's sample values (or an error string). */
  setQuery(query: string, values: number[] | string): void;
  /** Requests seen, in order (`METHOD path?query`, and headers). */
  requests: { line: string; headers: Record<string, string | string[] | undefined>; body: string }[];
  close(): Promise<void>;
}

export async function startMetricsServer(): Promise<MetricsServer> {
  const json = new Map<string, { status: number; body: unknown }>();
  const queries = new Map<string, number[] | string>();
  const requests: MetricsServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({ line: `${req.method} ${url.pathname}${url.search}`, headers: req.headers, body });
      const send = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (url.pathname === '/api/v1/query') {
        const q = url.searchParams.get('query') ?? '';
        const values = queries.get(q);
        if (values === undefined) return send(400, { status: 'error', errorType: 'bad_data', error: `unknown query ${q}` });
        if (typeof values === 'string') return send(422, { status: 'error', errorType: 'execution', error: values });
        const now = Date.now() / 1000;
        return send(200, {
          status: 'success',
          data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { instance: `i${i}` }, value: [now, String(v)] })) },
        });
      }
      const answer = json.get(url.pathname);
      if (!answer) return send(404, { error: 'not found' });
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setJson: (path, status, body) => json.set(path, { status, body }),
    setQuery: (query, values) => queries.set(query, values),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
