/**
 * Where the egress policy is enforced: every outbound connection made for users' manifests
 * resolves its host here, gets only the addresses the policy allows, and connects to exactly
 * those (no second DNS lookup, so a name that rebinds between check and connect changes
 * nothing). `egressFetch` is `fetch` through an undici dispatcher that does this for every
 * connection, redirects included; http-client.ts uses `egressLookup` the same way.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { DomainError } from '../../../core/errors.js';
import { canonicalAddress, currentEgressPolicy, type EgressPolicy } from './egress-policy.js';

/** How every refusal's message starts (the error is PermissionDenied, so it is not retried). */
export const EGRESS_REFUSED_PREFIX = 'egress refused:';

/** A refused connection, as a DomainError('PermissionDenied') whose message says why and what allows it. */
export function egressRefused(host: string, address: string, port: number, reason: string, allowWith?: string): DomainError {
  const shown = isIP(host) !== 0 ? `${address} port ${port}` : `${host} (${address}) port ${port}`;
  return new DomainError('PermissionDenied', `${EGRESS_REFUSED_PREFIX} ${shown} is ${reason}${allowWith ? `; allow it with ${allowWith}` : ''}`);
}

/** Whether `err` (or its `cause`, as fetch wraps it) is a refused connection; returns that error. */
export function egressRefusal(err: unknown): DomainError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && e.name === 'DomainError' && e.message.startsWith(EGRESS_REFUSED_PREFIX)) return e as DomainError;
  }
  return undefined;
}

function lookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });
}

const protectedCache = new Map<string, { at: number; addresses: string[] }>();

/** What each protected endpoint's host resolves to (cached for a minute; unresolvable = none). */
async function protectedAddresses(policy: EgressPolicy): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const p of policy.protectedEndpoints) {
    if (p.host === '' || out.has(p.host)) continue;
    if (isIP(p.host) !== 0) {
      out.set(p.host, [canonicalAddress(p.host)]);
      continue;
    }
    const hit = protectedCache.get(p.host);
    if (hit && Date.now() - hit.at < 60_000) {
      out.set(p.host, hit.addresses);
      continue;
    }
    const addresses = await lookupAll(p.host).then(
      (list) => list.map((a) => canonicalAddress(a.address)),
      () => [],
    );
    protectedCache.set(p.host, { at: Date.now(), addresses });
    out.set(p.host, addresses);
  }
  return out;
}

/**
 * The addresses of `host` a connection to `port` may use, in resolver order.
 * @throws DomainError('PermissionDenied') when the policy allows none, naming the host, the
 *   first address refused and the setting that would allow it; the resolver's error when the
 *   name does not resolve.
 */
export async function resolveForEgress(host: string, port: number): Promise<LookupAddress[]> {
  const name = host.replace(/^\[|\]$/g, '');
  const policy = currentEgressPolicy();
  const resolved: LookupAddress[] = isIP(name) !== 0 ? [{ address: name, family: isIP(name) }] : await lookupAll(name);
  const guarded = await protectedAddresses(policy);
  const allowed: LookupAddress[] = [];
  let first: DomainError | undefined;
  for (const a of resolved) {
    const denial = policy.decide(name, a.address, port, guarded);
    if (!denial) allowed.push(a);
    else first ??= egressRefused(name, canonicalAddress(a.address), port, denial.reason, denial.allowWith);
  }
  if (allowed.length === 0) throw first ?? new Error(`${name} resolves to no address`);
  return allowed;
}

/** A `lookup` for node:net / node:http that answers with `addresses` only (already checked). */
export function fixedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return ((_host: string, options: { all?: boolean } | number | undefined, callback: (...args: unknown[]) => void) => {
    const all = typeof options === 'object' && options?.all === true;
    const first = addresses[0] as LookupAddress;
    if (all) callback(null, addresses.map((a) => ({ ...a })));
    else callback(null, first.address, first.family);
  }) as unknown as LookupFunction;
}

const baseConnector = buildConnector({});

function checkedConnector(base: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const hostname = opts.hostname.replace(/^\[|\]$/g, '');
    resolveForEgress(hostname, port).then(
      (addresses) => {
        const target = addresses[0] as LookupAddress;
        // Connect to the checked address; TLS still verifies the certificate for the name.
        const servername = opts.servername ?? (isIP(hostname) === 0 ? hostname : undefined);
        base({ ...opts, hostname: target.address, ...(servername ? { servername } : {}) }, (err, socket) => {
          if (err || !socket) return callback(err ?? new Error('no socket'), null);
          callback(null, socket);
        });
      },
      (err: Error) => callback(err, null),
    );
  };
}

/** The undici dispatcher every egress-checked `fetch` goes through. */
export const egressDispatcher = new Agent({ connect: checkedConnector(baseConnector) });

export type EgressFetchInit = Omit<NonNullable<Parameters<typeof undiciFetch>[1]>, 'dispatcher'>;

/**
 * `fetch` with every connection (redirects included) checked by the egress policy.
 * @throws DomainError('PermissionDenied') when a connection is refused (not the usual TypeError).
 */
export async function egressFetch(url: string | URL, init: EgressFetchInit = {}): Promise<Response> {
  try {
    const res = await undiciFetch(url, { ...init, dispatcher: egressDispatcher });
    return res as unknown as Response;
  } catch (err) {
    throw egressRefusal(err) ?? err;
  }
}

/** The host and port a git remote URL connects to; undefined for a local one (a path, file://). */
export function gitRemoteEndpoint(repoURL: string): { scheme: string; host: string; port: number } | undefined {
  const scp = /^(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+):(?!\/\/)/.exec(repoURL);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL)) {
    return scp?.[1] && !/^[a-z]$/i.test(scp[1]) ? { scheme: 'ssh', host: scp[1].replace(/^\[|\]$/g, ''), port: 22 } : undefined;
  }
  let u: URL;
  try {
    u = new URL(repoURL);
  } catch {
    return undefined;
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'file') return undefined;
  const defaults: Record<string, number> = { http: 80, https: 443, ssh: 22, 'git+ssh': 22, 'ssh+git': 22, git: 9418 };
  return { scheme, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || (defaults[scheme] ?? 0) };
}

/**
 * Checks a git remote against the egress policy right before git connects to it, and returns
 * the `-c` options that pin git's http(s) connection to the checked address
 * (`http.curloptResolve`), so a name that rebinds in between is not followed. ssh and git://
 * remotes are checked but not pinned (ssh resolves the name itself), so for them a window
 * remains between this check and git's own lookup.
 * @throws DomainError('PermissionDenied') when the policy refuses every address of the host.
 */
export async function checkGitRemote(repoURL: string): Promise<string[]> {
  const endpoint = gitRemoteEndpoint(repoURL);
  if (!endpoint) return [];
  let addresses: LookupAddress[];
  try {
    addresses = await resolveForEgress(endpoint.host, endpoint.port);
  } catch (err) {
    if (egressRefusal(err)) throw err;
    return []; // a name that does not resolve: git says so in its own words
  }
  if ((endpoint.scheme !== 'http' && endpoint.scheme !== 'https') || isIP(endpoint.host) !== 0) return [];
  const pinned = addresses.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)).join(',');
  return ['-c', `http.curloptResolve=${endpoint.host}:${endpoint.port}:${pinned}`];
}

/**
 * Checks the address of an http(s) or oci:// URL a tool will connect to itself (helm's chart
 * repositories). Other schemes (file://, a repository alias) connect nowhere and pass. The tool
 * resolves the name again, so a window remains between this check and its connection.
 * @throws DomainError('PermissionDenied') when the policy refuses every address of the host.
 */
export async function checkToolURL(url: string): Promise<void> {
  const m = /^(https?|oci):\/\//i.exec(url);
  if (!m?.[1]) return;
  let u: URL;
  try {
    u = new URL(url.replace(/^oci:/i, 'https:'));
  } catch {
    return; // the tool reports a URL it cannot parse in its own words
  }
  const port = Number(u.port) || (m[1].toLowerCase() === 'http' ? 80 : 443);
  try {
    await resolveForEgress(u.hostname, port);
  } catch (err) {
    if (egressRefusal(err)) throw err;
  }
}
