/**
 * Where the browser comes back to after the user signed in at the issuer: an HTTP server on
 * 127.0.0.1 for the length of one `shunt login` (RFC 8252 §7.3: a loopback redirect, any port).
 * It answers the browser with a short page and hands the callback URL to the login; an error
 * from the issuer (the user denied, …), a state that is not the one sent, or no answer before
 * the timeout each end the login with a clear error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDuration } from '../core/duration.js';
import { CliError } from './errors.js';

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback` */
  redirectUri: string;
  /** The callback URL the browser came back with (code and state checked against `state`). */
  callback(state: string, timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

export async function listenForRedirect(port = 0): Promise<LoopbackRedirect> {
  let deliver: ((url: URL) => string | undefined) | undefined;
  let origin = 'http://127.0.0.1';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET' || url.pathname !== '/callback' || deliver === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const refusal = deliver(url);
    res.writeHead(refusal === undefined ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(refusal === undefined ? 'Signed in to Shunt. You may close this window.\n' : `Shunt sign-in failed: ${refusal}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new CliError(`cannot listen on 127.0.0.1:${port} for the browser's redirect: ${err.code ?? err.message}`)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${origin}/callback`;
  return {
    redirectUri,
    callback(state, timeoutMs) {
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => {
          deliver = undefined;
          reject(new CliError(`no answer from the browser within ${formatDuration(timeoutMs)}: run shunt login again (--timeout waits longer)`));
        }, timeoutMs);
        deliver = (url) => {
          const error = url.searchParams.get('error');
          const description = url.searchParams.get('error_description');
          let failure: CliError | undefined;
          if (url.searchParams.get('state') !== state) {
            failure = new CliError('the browser came back with another state than this login sent (an old or forged redirect): nothing was stored; run shunt login again');
          } else if (error !== null) {
            const why = `${error}${description ? ` (${description})` : ''}`;
            failure = new CliError(error === 'access_denied' ? `the sign-in was denied at the issuer: ${why}` : `the issuer refused the sign-in: ${why}`);
          } else if (url.searchParams.get('code') === null) {
            failure = new CliError('the browser came back without an authorization code: run shunt login again');
          }
          clearTimeout(timer);
          deliver = undefined;
          if (failure === undefined) resolve(url);
          else reject(failure);
          return failure?.message;
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
