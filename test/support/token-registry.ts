/**
 * A registry front that speaks the Distribution API's bearer-token challenge for real: every
 * /v2/ request without a valid token gets 401 + `WWW-Authenticate: Bearer realm=…,service=…,
 * scope=…`; its /token endpoint issues tokens for the configured basic credentials (or anyone,
 * when anonymous); valid requests are proxied to a docker-registry behind it. It can also be
 * told to answer 500 or to hang, to test failing registries.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface TokenRegistry {
  host: string;
  /** Requests the front received, by path kind. */
  tokenRequests: { scope: string | null; authorized: boolean }[];
  mode: 'normal' | 'error500' | 'hang';
  close(): Promise<void>;
}

export interface TokenRegistryOptions {
  /** Credentials the token service wants; without, it gives tokens to anyone (Docker Hub's anonymous pulls). */
  auth?: { username: string; password: string };
  /** Serve tag lists in pages of at most this many, with `Link: <…>; rel="next"` (as GHCR and Quay do). */
  tagPageSize?: number;
}

export async function startTokenRegistry(backendHost: string, opts: TokenRegistryOptions = {}): Promise<TokenRegistry> {
  const tokens = new Set<string>();
  const hanging = new Set<ServerResponse>();
  const front: TokenRegistry = { host: '', tokenRequests: [], mode: 'normal', close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${front.host}`);
    if (front.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (front.mode === 'error500') {
      res.writeHead(500).end('internal error');
      return;
    }
    if (url.pathname === '/token') {
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString()
        : undefined;
      const ok = opts.auth ? basic === `${opts.auth.username}:${opts.auth.password}` : true;
      front.tokenRequests.push({ scope: url.searchParams.get('scope'), authorized: ok });
      if (!ok) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    if (!bearer || !tokens.has(bearer)) {
      const repo = /^\/v2\/(.+?)\/(tags|manifests|blobs)\//.exec(url.pathname)?.[1];
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${front.host}/token",service="shunt-test"${repo ? `,scope="repository:${repo}:pull"` : ''}`,
          'content-type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (tagList && opts.tagPageSize) {
      const all = ((await (await fetch(`http://${backendHost}${url.pathname}`)).json()) as { tags: string[] }).tags.sort();
      const last = url.searchParams.get('last');
      const n = Math.min(Number(url.searchParams.get('n') ?? opts.tagPageSize), opts.tagPageSize);
      const from = last ? all.findIndex((t) => t > last) : 0;
      const page = from < 0 ? [] : all.slice(from, from + n);
      const more = from >= 0 && from + n < all.length;
      res
        .writeHead(200, {
          'content-type': 'application/json',
          ...(more ? { link: `</v2/${tagList[1]}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"` } : {}),
        })
        .end(JSON.stringify({ name: tagList[1], tags: page }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['authorization', 'host', 'content-length'].includes(k)) headers[k] = v;
    const upstream = await fetch(`http://${backendHost}${url.pathname}${url.search}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      redirect: 'manual',
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k === 'link') out[k] = v; // relative links stay valid on the front
      else if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k)) out[k] = v;
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, out).end(req.method === 'HEAD' ? undefined : body);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  front.host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  front.close = async () => {
    for (const r of hanging) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return front;
}
