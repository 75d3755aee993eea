/**
 * Refuses what a web page on another site could make the operator's browser send to the api,
 * which matters most with access control off (every caller is an admin, no token needed):
 *
 * - **DNS rebinding**: the `Host` header must name the api: an IP address (a rebinding attack
 *   always uses a DNS name), `localhost` or `*.localhost`, `SHUNT_HOST` when it is a name, or a
 *   name in `SHUNT_ALLOWED_HOSTS` (the names a proxy or users reach the api by).
 * - **Cross-site requests** (forms, `fetch` without CORS): a request with an unsafe method must
 *   carry a JSON body (a cross-site page cannot send `Content-Type: application/json` without a
 *   CORS preflight, which the api never grants; a DELETE cannot be sent cross-site at all, so
 *   it may come without a body), and its `Origin`, when present, must be the api's own.
 *
 * The webhook receivers are the one exception, by their route: providers call them from other
 * sites, and each proves itself by its own signature or token.
 */
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { errorBody } from './http-errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Media types an unsafe request may carry: JSON only (`application/json`, `*\/*+json`). */
export const JSON_TYPES = ['application/json', '+json'];

export interface OriginPolicy {
  /** Host names (no port) accepted besides IP addresses and localhost. */
  allowedHosts: readonly string[];
}

export function requestOriginGuard(policy: OriginPolicy): RequestHandler {
  const names = new Set(policy.allowedHosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''));
  return (req, res, next) => {
    const host = req.headers.host;
    const hostname = host === undefined ? undefined : hostnameOf(host);
    if (hostname === undefined || !hostAllowed(hostname, names)) {
      res
        .status(403)
        .json(
          errorBody(
            'PermissionDenied',
            `the Host header ${JSON.stringify(host ?? '')} does not name this api; if the api is reached by that name, add it to SHUNT_ALLOWED_HOSTS (a check against DNS rebinding)`,
          ),
        );
      return;
    }
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, host!, names)) {
      res.status(403).json(errorBody('PermissionDenied', `cross-site request refused: its Origin ${origin} is not this api (${host})`));
      return;
    }
    const type = req.is(JSON_TYPES);
    // null: no body at all (fine for a DELETE only); false: a body of another type.
    if (type === false || (type === null && req.method !== 'DELETE')) {
      res
        .status(415)
        .json(errorBody('BadRequest', `${req.method} needs a JSON body with Content-Type: application/json (got ${req.get('content-type') ?? 'no Content-Type'})`));
      return;
    }
    next();
  };
}

/** The host name of a Host header value (lowercase, IPv6 without brackets), or undefined if malformed. */
export function hostnameOf(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}`);
    if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return undefined;
    return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

function hostAllowed(hostname: string, names: ReadonlySet<string>): boolean {
  return isIP(hostname) !== 0 || hostname === 'localhost' || hostname.endsWith('.localhost') || names.has(hostname);
}

/** The Origin is the api's own: the same host and port the request was sent to, or a name the operator allowed. */
function originAllowed(origin: string, host: string, names: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes `null` (sandboxed frames, some redirects)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return url.host.toLowerCase() === new URL(`http://${host}`).host.toLowerCase() || names.has(url.hostname.toLowerCase());
}

