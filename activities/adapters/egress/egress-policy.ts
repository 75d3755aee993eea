/**
 * The egress policy: which addresses the connections made for users' manifests (steps,
 * warehouse discovery, verification metrics) may reach. It is decided on the address actually
 * connected to, after DNS (egress-connect.ts does the resolving and the connecting).
 *
 * - Link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services live there) and
 *   other cloud metadata addresses, multicast and broadcast: always refused, as Kargo does.
 * - Shunt's own ports (the api, the worker's metrics) and Temporal's (gRPC frontend, Web UI) on
 *   this machine or on the hosts they are configured at: always refused. The Web UI's HTTP API
 *   would let a step act on every workflow with no token, permission check or audit entry.
 * - Loopback, private and other internal ranges: refused unless `SHUNT_EGRESS_ALLOW` allows them.
 * - Everything else (the public internet): allowed.
 *
 * `SHUNT_EGRESS_ALLOW` is a comma- or space-separated list of entries, each one of
 * `CIDR` or `IP` (any port), `IP:port`, `[IPv6]:port`, `CIDR:port`, `host` or `host:port`
 * (a host name as written in the URL, whatever it resolves to). `SHUNT_EGRESS_DENY` adds
 * `host:port` endpoints refused always (e.g. the api's address when it runs elsewhere).
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Why a connection is refused, or undefined when it is allowed. */
export interface EgressDenial {
  /** What the address is, e.g. "a loopback address". */
  reason: string;
  /** The setting that would allow it; absent when nothing can. */
  allowWith?: string;
}

interface AllowEntry {
  /** A host name (lower case) or undefined for an address entry. */
  host?: string;
  addresses?: BlockList;
  port?: number;
}

/** An endpoint of Shunt or Temporal that no step may reach. */
export interface ProtectedEndpoint {
  /** The host it is configured at ("" = this machine only). */
  host: string;
  port: number;
  /** What it is, for messages. */
  what: string;
}

function blockList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) {
    const [net, bits] = r.split('/') as [string, string | undefined];
    const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(net, family);
    else list.addSubnet(net, Number(bits), family);
  }
  return list;
}

const ALWAYS_REFUSED: readonly { ranges: BlockList; what: string }[] = [
  {
    // AWS's IPv6 metadata address and Alibaba's metadata address besides the link-local ranges.
    ranges: blockList(['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32']),
    what: 'a link-local or cloud metadata address',
  },
  { ranges: blockList(['224.0.0.0/4', '255.255.255.255/32', 'ff00::/8', '240.0.0.0/4']), what: 'a multicast, broadcast or reserved address' },
];

const INTERNAL: readonly { ranges: BlockList; what: string }[] = [
  { ranges: blockList(['127.0.0.0/8', '::1/128']), what: 'a loopback address' },
  { ranges: blockList(['0.0.0.0/8', '::/128']), what: 'an unspecified address (this machine)' },
  {
    ranges: blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '100.64.0.0/10', '198.18.0.0/15', '192.0.0.0/24', '64:ff9b::/96', '64:ff9b:1::/48']),
    what: 'a private or internal address',
  },
];

/** `::ffff:a.b.c.d` as `a.b.c.d`; other addresses unchanged (lower case). */
export function canonicalAddress(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1]) return mapped[1];
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** One entry of SHUNT_EGRESS_ALLOW; throws with what is wrong. */
export function parseAllowEntry(text: string): AllowEntry {
  let rest = text.trim();
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed?.[1]) {
    rest = bracketed[1];
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (isIP(rest.split('/')[0] ?? '') !== 6) {
    const m = /^(.*):(\d+)$/.exec(rest);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      rest = m[1];
      port = Number(m[2]);
    }
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new Error(`${JSON.stringify(text)}: the port must be 1-65535`);
  }
  const withPort = port !== undefined ? { port } : {};
  const [net, bits, extra] = rest.split('/');
  if (net !== undefined && isIP(net) !== 0 && extra === undefined) {
    const family = familyOf(net);
    const max = family === 'ipv6' ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) throw new Error(`${JSON.stringify(text)}: the prefix length must be 0-${max}`);
    const addresses = new BlockList();
    addresses.addSubnet(canonicalAddress(net), prefix, familyOf(canonicalAddress(net)));
    return { addresses, ...withPort };
  }
  if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(rest) && !/^[\d.]+$/.test(rest)) return { host: rest.toLowerCase(), ...withPort };
  throw new Error(`${JSON.stringify(text)} is not a CIDR, an IP address or a host name (each optionally with :port)`);
}

function parseList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((e) => e !== '');
}

function hostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(\[[^\]]+\]|[^:/]+):(\d+)/i.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, '').toLowerCase(), port: Number(m[2]) };
}

/** Shunt's and Temporal's endpoints as the environment names them. */
export function protectedEndpointsFrom(env: NodeJS.ProcessEnv): ProtectedEndpoint[] {
  const out: ProtectedEndpoint[] = [];
  const add = (text: string | undefined, what: string): void => {
    const hp = text ? hostPort(text) : undefined;
    if (hp) out.push({ ...hp, what });
  };
  add(env['TEMPORAL_ADDRESS'], "Temporal's gRPC frontend (TEMPORAL_ADDRESS)");
  add(env['SHUNT_TEMPORAL_UI_URL'], "the Temporal Web UI (SHUNT_TEMPORAL_UI_URL)");
  add(env['SHUNT_WORKER_METRICS_URL'], "the worker's metrics (SHUNT_WORKER_METRICS_URL)");
  const port = (v: string | undefined): number | undefined => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  const metrics = port(env['SHUNT_WORKER_METRICS_PORT']);
  if (metrics) out.push({ host: '', port: metrics, what: "the worker's metrics (SHUNT_WORKER_METRICS_PORT)" });
  const api = port(env['SHUNT_PORT']);
  if (api) out.push({ host: env['SHUNT_HOST']?.toLowerCase() ?? '', port: api, what: "Shunt's api (SHUNT_PORT)" });
  const ui = port(env['SHUNT_TEMPORAL_UI_PORT']);
  if (ui) out.push({ host: '', port: ui, what: 'the Temporal Web UI (SHUNT_TEMPORAL_UI_PORT)' });
  for (const entry of parseList(env['SHUNT_EGRESS_DENY'])) add(entry, `${entry} (SHUNT_EGRESS_DENY)`);
  return out;
}

/** The addresses of this machine's own interfaces (protected ports are refused on each). */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.add(canonicalAddress(i.address));
  return out;
}

export class EgressPolicy {
  private readonly allow: AllowEntry[];
  private readonly local = localAddresses();

  /**
   * @param allowText SHUNT_EGRESS_ALLOW's value.
   * @throws Error naming the entry that is wrong.
   */
  constructor(
    allowText: string | undefined,
    readonly protectedEndpoints: readonly ProtectedEndpoint[],
  ) {
    this.allow = parseList(allowText).map((e) => {
      try {
        return parseAllowEntry(e);
      } catch (err) {
        throw new Error(`SHUNT_EGRESS_ALLOW: ${(err as Error).message}`);
      }
    });
  }

  /**
   * Whether a connection to `address`:`port`, reached as `host` in the URL, may be made.
   * `protectedAddresses` maps each protected endpoint's host to the addresses it resolves to.
   */
  decide(host: string, address: string, port: number, protectedAddresses: ReadonlyMap<string, readonly string[]> = new Map()): EgressDenial | undefined {
    const ip = canonicalAddress(address);
    const family = familyOf(ip);
    for (const r of ALWAYS_REFUSED) if (r.ranges.check(ip, family)) return { reason: `${r.what}; always refused` };
    const loopbackOrLocal = INTERNAL[0]?.ranges.check(ip, family) === true || INTERNAL[1]?.ranges.check(ip, family) === true || this.local.has(ip);
    for (const p of this.protectedEndpoints) {
      if (p.port !== port) continue;
      const at = protectedAddresses.get(p.host) ?? [];
      if (loopbackOrLocal || at.includes(ip) || (p.host !== '' && p.host === host.toLowerCase())) {
        return { reason: `port ${port} there is ${p.what}; always refused` };
      }
    }
    const internal = INTERNAL.find((r) => r.ranges.check(ip, family));
    if (!internal) return undefined;
    const name = host.toLowerCase().replace(/^\[|\]$/g, '');
    const allowed = this.allow.some(
      (e) => (e.port === undefined || e.port === port) && (e.host !== undefined ? e.host === name : e.addresses?.check(ip, family) === true),
    );
    if (allowed) return undefined;
    const cidr = `${ip}/${family === 'ipv6' ? 128 : 32}`;
    const byName = isIP(name) === 0 ? ` or ${name}:${port}` : '';
    return { reason: `${internal.what}`, allowWith: `SHUNT_EGRESS_ALLOW (e.g. ${cidr}${byName})` };
  }
}

let cached: { key: string; policy: EgressPolicy } | undefined;

/** The policy the environment sets; rebuilt when a setting it reads changes. */
export function currentEgressPolicy(env: NodeJS.ProcessEnv = process.env): EgressPolicy {
  const endpoints = protectedEndpointsFrom(env);
  const key = JSON.stringify([env['SHUNT_EGRESS_ALLOW'] ?? '', endpoints]);
  if (cached?.key !== key) cached = { key, policy: new EgressPolicy(env['SHUNT_EGRESS_ALLOW'], endpoints) };
  return cached.policy;
}
