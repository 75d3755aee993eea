/**
 * One HTTP(S) request with what promotion steps need: a per-request timeout, a response size
 * cap, optional TLS verification skip, an optional HTTP proxy (plain requests go through it,
 * https is tunnelled with CONNECT), and cancellation. Built on node:http/https. Every connection
 * (to the target, or to the proxy) is checked by the egress policy and made to the checked
 * address (egress/egress-connect.ts).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { DomainError } from '../../core/errors.js';
import { egressRefusal, fixedLookup, resolveForEgress } from './egress/egress-connect.js';

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Larger responses fail (default 10 MiB). */
  maxBytes?: number;
  insecureSkipTLSVerify?: boolean;
  /** `http://host:port` of a proxy. */
  proxy?: string;
  signal?: AbortSignal;
  /**
   * How messages name the target (default: the URL without userinfo and query). Set it when the
   * URL itself is a secret, such as a Slack incoming webhook's path.
   */
  shownAs?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** All values of each header, lower-case names. */
  headerValues: Record<string, string[]>;
  body: Buffer;
}

/** The URL as shown in messages: no userinfo, no query (which may carry tokens). */
export function shownURL(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

function parseURL(url: string, shown = JSON.stringify(shownURL(url))): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DomainError('StepFailed', `${shown} is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new DomainError('StepFailed', `URL scheme ${JSON.stringify(u.protocol)} is not supported; use http or https`);
  }
  return u;
}

const defaultPort = (u: URL): number => Number(u.port) || (u.protocol === 'https:' ? 443 : 80);

function tunnel(proxy: URL, target: URL, timeoutMs: number, lookup: ReturnType<typeof fixedLookup>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = target.port || '443';
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      lookup,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`proxy refused CONNECT with status ${res.statusCode ?? 0}`));
      }
    });
    req.once('timeout', () => req.destroy(new Error('proxy CONNECT timed out')));
    req.once('error', reject);
    req.end();
  });
}

/**
 * Sends the request and reads the whole response.
 * @throws Error (transient) for network failures and timeouts; DomainError('StepFailed') for a
 *   bad URL or a response over `maxBytes`.
 */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const shown = req.shownAs ?? shownURL(req.url);
  const target = parseURL(req.url, req.shownAs);
  const timeoutMs = req.timeoutMs ?? 10_000;
  const maxBytes = req.maxBytes ?? 10 * 1024 * 1024;
  const proxy = req.proxy ? parseURL(req.proxy) : undefined;
  const secure = target.protocol === 'https:';
  const via = proxy ?? target;
  let lookup: ReturnType<typeof fixedLookup>;
  try {
    lookup = fixedLookup(await resolveForEgress(via.hostname, defaultPort(via)));
    // Through a proxy, the target too, where this machine can resolve it (the proxy may know
    // names this machine does not: those are the proxy's to allow).
    if (proxy) await resolveForEgress(target.hostname, defaultPort(target)).catch((err: unknown) => {
      if (egressRefusal(err)) throw err;
    });
  } catch (err) {
    if (egressRefusal(err)) throw err;
    throw new Error(`request to ${shown} failed: ${(err as Error).message}`);
  }
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(Buffer.byteLength(req.body));
  }
  const options: https.RequestOptions = {
    method: req.method ?? 'GET',
    headers,
    timeout: timeoutMs,
    rejectUnauthorized: req.insecureSkipTLSVerify !== true,
    lookup,
    ...(req.signal ? { signal: req.signal } : {}),
  };
  if (proxy && !secure) {
    Object.assign(options, { host: proxy.hostname, port: proxy.port || 80, path: target.href });
    headers['host'] = target.host;
  } else {
    Object.assign(options, {
      host: target.hostname,
      port: target.port || (secure ? 443 : 80),
      path: `${target.pathname}${target.search}`,
      servername: target.hostname,
    });
    if (proxy && secure) {
      const socket = await tunnel(proxy, target, timeoutMs, lookup);
      Object.assign(options, { createConnection: () => socket, agent: false });
    }
  }
  const transport = secure ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    const request = transport.request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new DomainError('StepFailed', `response from ${shown} is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.once('error', reject);
      res.once('end', () => {
        const headerValues: Record<string, string[]> = {};
        const flat: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = (res.rawHeaders[i] as string).toLowerCase();
          (headerValues[name] ??= []).push(res.rawHeaders[i + 1] as string);
        }
        for (const [k, v] of Object.entries(headerValues)) flat[k] = v.join(', ');
        resolve({ status: res.statusCode ?? 0, headers: flat, headerValues, body: Buffer.concat(chunks) });
      });
    });
    request.once('timeout', () => request.destroy(new Error(`request to ${shown} timed out after ${timeoutMs} ms`)));
    request.once('error', (err) => reject(new Error(`request to ${shown} failed: ${err.message}`)));
    if (req.body !== undefined) request.write(req.body);
    request.end();
  });
}

/** `url` with `params` appended to its query. */
export function withQuery(url: string, params: readonly { name: string; value: string }[] | undefined): string {
  if (!params || params.length === 0) return url;
  const u = parseURL(url);
  for (const p of params) u.searchParams.append(p.name, p.value);
  return u.href;
}
