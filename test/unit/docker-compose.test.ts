/**
 * docker-compose.yml and the Dockerfile, read as data (no Docker engine here): no default
 * credentials, Temporal's unauthenticated ports not reachable from other machines, no container
 * running as root (issue 13, finding 11), and the Temporal server pinned to the version and
 * settings the cluster suite (test/cluster) runs and verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot as root } from '../../launcher/temporal-binary.js';
import { pinnedTemporalVersion } from '../support/temporal-cluster/build.js';
import { DYNAMIC_CONFIG, UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER } from '../../launcher/embedded-temporal.js';
import { workerProcess } from '../../launcher/worker-process.js';

interface Service {
  image?: string;
  build?: unknown;
  user?: string | number;
  ports?: (string | number | { published?: string | number; target?: number; host_ip?: string })[];
  environment?: Record<string, string> | string[];
  env_file?: string | string[];
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}

const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parseYaml(text) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

function env(service: Service): Record<string, string> {
  const e = service.environment ?? {};
  if (!Array.isArray(e)) return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
}

/** The host address a port is published on ('' = every interface). */
function hostIps(service: Service): string[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return p.host_ip ?? '';
    const parts = String(p).replace(/\/\w+$/, '').split(':');
    return parts.length === 3 ? parts[0]! : '';
  });
}

const byImage = (prefix: string): [string, Service][] => services.filter(([, s]) => s.image?.startsWith(prefix));

describe('docker-compose.yml: no default credentials', () => {
  it('gives no variable a default value: every ${…} is required (${VAR:?message}) or plain', () => {
    const withDefault = [...text.matchAll(/\$\{(\w+)(:?-)[^}]*\}/g)].map((m) => m[0]);
    expect(withDefault).toEqual([]);
  });

  it('mounts the auth file the operator names, required, and never the example whose tokens are published', () => {
    expect(text).not.toMatch(/examples\/auth/);
    const api = compose.services['shunt-api']!;
    expect(api.volumes?.find((v) => v.endsWith(':/config/auth.yaml:ro'))).toMatch(/^\$\{SHUNT_AUTH_FILE:\?[^}]+\}:/);
  });

  it('takes every password, token and secret from a required variable, never a literal', () => {
    const literal = services.flatMap(([name, s]) =>
      Object.entries(env(s))
        .filter(([k]) => /PASSWORD|PWD|TOKEN|SECRET|API_KEY/.test(k))
        .filter(([, v]) => !/^\$\{\w+:\?[^}]+\}$/.test(v))
        .map(([k, v]) => `${name}: ${k}=${v}`),
    );
    expect(literal).toEqual([]);
    expect(env(compose.services['postgresql']!)['POSTGRES_PASSWORD']).toMatch(/^\$\{TEMPORAL_DB_PASSWORD:\?/);
  });
});

describe('docker-compose.yml: Temporal not reachable from other machines', () => {
  it('publishes no port of the Temporal server (gRPC without authentication)', () => {
    const servers = byImage('temporalio/server');
    expect(servers).toHaveLength(1);
    for (const [, s] of servers) expect(s.ports ?? []).toEqual([]);
  });

  it('publishes the Temporal Web UI (no login) on 127.0.0.1 only, and nothing else of Temporal anywhere', () => {
    for (const [name, s] of byImage('temporalio/')) {
      for (const ip of hostIps(s)) expect(`${name} ${ip}`).toBe(`${name} 127.0.0.1`);
    }
  });
});

describe('docker-compose.yml and Dockerfile: nothing runs as root', () => {
  it.each(services.map(([name, s]) => [name, s.user]))('service %s names a non-root user (%s)', (_name, user) => {
    expect(user).toBeDefined();
    const [who, group] = String(user).split(':');
    expect(['root', '0', '']).not.toContain(who);
    if (group !== undefined) expect(['root', '0']).not.toContain(group);
  });

  it('builds the Shunt image with a `shunt` user that owns the data dir, and switches to it', () => {
    expect(dockerfile).toMatch(/useradd[^\n]*\bshunt\b/);
    expect(dockerfile).toMatch(/chown shunt:shunt \/data/);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('shunt');
    // Nothing after the switch runs as root again.
    expect(dockerfile.slice(dockerfile.lastIndexOf('\nUSER '))).not.toMatch(/^RUN /m);
    for (const [, s] of services.filter(([, s]) => s.image?.startsWith('shunt:'))) expect(s.user).toBe('shunt');
  });
});

describe('docker-compose.yml: the Temporal the cluster suite runs', () => {
  const version = pinnedTemporalVersion();

  it.each([['temporalio/server'], ['temporalio/admin-tools']])('pins %s to the tested version', (image) => {
    const tags = byImage(`${image}:`).map(([, s]) => s.image!.split(':').pop());
    expect(tags.length).toBeGreaterThan(0);
    expect(new Set(tags)).toEqual(new Set([version]));
  });

  it('runs the server with the settings and dynamic config file the suite uses', () => {
    const [[, server]] = byImage('temporalio/server') as [[string, Service]];
    expect(server.env_file).toBe('deploy/temporal/server.env');
    const dynamic = env(server)['DYNAMIC_CONFIG_FILE_PATH'];
    expect(server.volumes).toContain(`./deploy/temporal/dynamicconfig.yaml:${dynamic}:ro`);
    // The database and the password come from the database service, nothing else from elsewhere.
    expect(Object.keys(env(server)).sort()).toEqual(['BIND_ON_IP', 'DB_PORT', 'DYNAMIC_CONFIG_FILE_PATH', 'POSTGRES_PWD', 'POSTGRES_SEEDS', 'POSTGRES_USER']);
  });

  it("gives the cluster the dynamic config the embedded server starts with (launcher/embedded-temporal.ts)", () => {
    const file = parseYaml(readFileSync(join(root, 'deploy/temporal/dynamicconfig.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
    const values = Object.fromEntries(Object.entries(file).map(([key, entries]) => [key, entries.map((e) => e.value)]));
    expect(values).toEqual(Object.fromEntries(Object.entries(DYNAMIC_CONFIG).map(([key, value]) => [key, [value]])));
  });

  it("keeps the api's updates in flight to a project below the cluster's limit, as the launcher does with the embedded server", () => {
    const api = compose.services['shunt-api']!;
    expect(Number(env(api)['SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT'])).toBe(UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER);
    expect(UPDATES_IN_FLIGHT_WITH_EMBEDDED_SERVER).toBeLessThan(Number(DYNAMIC_CONFIG['history.maxInFlightUpdates']));
  });

  it('starts the worker with the node flags and malloc settings the launcher gives it (launcher/worker-process.ts), and the image with those flags', () => {
    const worker = compose.services['shunt-worker']!;
    const launched = workerProcess({});
    expect(worker.command).toEqual(['node', ...launched.nodeArgs, 'dist/worker/main.js']);
    expect(env(worker)).toMatchObject(launched.env);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...launched.nodeArgs, 'dist/worker/main.js']).replace(/","/g, '", "')}`);
  });

  it('sets the schema up with the script the suite runs', () => {
    const schema = compose.services['temporal-schema']!;
    const mounted = schema.volumes?.find((v) => v.startsWith('./deploy/temporal/setup-schema.sh:'));
    expect(mounted).toBeDefined();
    expect(schema.entrypoint).toEqual(['/bin/sh', mounted!.split(':')[1]]);
  });
});
