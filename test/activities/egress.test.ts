/**
 * Issue 13, finding 4: steps and discovery reached any loopback port (the Temporal Web UI's HTTP
 * API, the worker's metrics, a "metadata" server). The egress policy is checked on the address
 * actually connected to; these tests reproduce the attacks against real loopback servers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkGitRemote, egressFetch, gitRemoteEndpoint, resolveForEgress } from '../../activities/adapters/egress/egress-connect.js';
import { EgressPolicy, parseAllowEntry, protectedEndpointsFrom } from '../../activities/adapters/egress/egress-policy.js';
import { runHelm } from '../../activities/adapters/helm.js';
import { httpRequest } from '../../activities/adapters/http-client.js';
import { OciClient } from '../../activities/adapters/oci/client.js';
import { discoverCharts } from '../../activities/discovery/charts.js';
import { httpDownload } from '../../activities/steps/http-download.js';
import { httpStep } from '../../activities/steps/http.js';
import { sendMessage } from '../../activities/steps/send-message.js';
import { measure } from '../../activities/verification/measure.js';
import { Disposer } from '../support/git-repos.js';
import { TestHttpServer } from '../support/http-server.js';
import { createHarness, errorOf } from './harness.js';

const SETTINGS = ['SHUNT_EGRESS_ALLOW', 'SHUNT_EGRESS_DENY', 'SHUNT_TEMPORAL_UI_URL', 'SHUNT_PORT', 'SHUNT_WORKER_METRICS_PORT', 'TEMPORAL_ADDRESS'] as const;
const saved = Object.fromEntries(SETTINGS.map((k) => [k, process.env[k]]));
const disposer = new Disposer();
let server: TestHttpServer;
let port: number;

beforeEach(async () => {
  for (const k of SETTINGS) delete process.env[k];
  server = new TestHttpServer();
  server.handler = () => ({ status: 200, body: { ok: true } });
  await server.start();
  port = Number(new URL(server.url).port);
});
afterEach(async () => {
  for (const k of SETTINGS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await server.stop();
  await disposer.dispose();
});

describe('the policy', () => {
  const policy = (allow?: string, env: NodeJS.ProcessEnv = {}): EgressPolicy => new EgressPolicy(allow, protectedEndpointsFrom(env));

  it.each([
    ['169.254.169.254', 80, 'a link-local or cloud metadata address; always refused'],
    ['fe80::1', 80, 'a link-local or cloud metadata address; always refused'],
    ['fd00:ec2::254', 80, 'a link-local or cloud metadata address; always refused'],
    ['::ffff:169.254.169.254', 80, 'a link-local or cloud metadata address; always refused'],
    ['127.0.0.1', 8233, 'a loopback address'],
    ['::1', 8233, 'a loopback address'],
    ['::ffff:127.0.0.1', 80, 'a loopback address'],
    ['::ffff:7f00:1', 80, 'a loopback address'],
    ['0.0.0.0', 80, 'an unspecified address (this machine)'],
    ['10.1.2.3', 443, 'a private or internal address'],
    ['172.16.0.1', 443, 'a private or internal address'],
    ['192.168.1.1', 443, 'a private or internal address'],
    ['100.64.0.1', 443, 'a private or internal address'],
    ['fd12:3456::1', 443, 'a private or internal address'],
  ])('refuses %s port %d by default: %s', (address, p, reason) => {
    expect(policy().decide(address, address, p)?.reason).toBe(reason);
  });

  it('allows public addresses', () => {
    expect(policy().decide('example.com', '93.184.215.14', 443)).toBeUndefined();
    expect(policy().decide('example.com', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', 443)).toBeUndefined();
  });

  it('allows internal ranges only as SHUNT_EGRESS_ALLOW says, and never link-local', () => {
    const p = policy('127.0.0.0/8, 10.0.0.0/8:5000 git.internal:443 [::1]:8080');
    expect(p.decide('127.0.0.1', '127.0.0.1', 1234)).toBeUndefined();
    expect(p.decide('10.9.9.9', '10.9.9.9', 5000)).toBeUndefined();
    expect(p.decide('10.9.9.9', '10.9.9.9', 5001)?.reason).toBe('a private or internal address');
    expect(p.decide('git.internal', '192.168.3.3', 443)).toBeUndefined();
    expect(p.decide('other.internal', '192.168.3.3', 443)?.allowWith).toBe('SHUNT_EGRESS_ALLOW (e.g. 192.168.3.3/32 or other.internal:443)');
    expect(p.decide('::1', '::1', 8080)).toBeUndefined();
    expect(p.decide('::1', '::1', 8081)?.reason).toBe('a loopback address');
    expect(policy('0.0.0.0/0 ::/0').decide('x', '169.254.169.254', 80)?.reason).toMatch(/always refused/);
  });

  it("refuses Shunt's and Temporal's ports even where loopback is allowed", () => {
    const p = policy('127.0.0.0/8', {
      TEMPORAL_ADDRESS: 'temporal:7233',
      SHUNT_TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      SHUNT_PORT: '8080',
      SHUNT_WORKER_METRICS_PORT: '9464',
      SHUNT_EGRESS_DENY: 'argocd.internal:443',
    });
    expect(p.decide('127.0.0.1', '127.0.0.1', 8233)?.reason).toBe('port 8233 there is the Temporal Web UI (SHUNT_TEMPORAL_UI_URL); always refused');
    expect(p.decide('127.0.0.1', '127.0.0.1', 8080)?.reason).toMatch(/Shunt's api \(SHUNT_PORT\)/);
    expect(p.decide('localhost', '127.0.0.1', 9464)?.reason).toMatch(/the worker's metrics/);
    expect(p.decide('127.0.0.1', '127.0.0.1', 7233)?.reason).toMatch(/Temporal's gRPC frontend/);
    expect(p.decide('x', '203.0.113.9', 7233, new Map([['temporal', ['203.0.113.9']]]))?.reason).toMatch(/Temporal's gRPC/);
    expect(p.decide('argocd.internal', '203.0.113.10', 443)?.reason).toMatch(/SHUNT_EGRESS_DENY/);
    expect(p.decide('127.0.0.1', '127.0.0.1', 8081)).toBeUndefined();
  });

  it.each([
    ['10.0.0.0/33', 'the prefix length must be 0-32'],
    ['127.0.0.1:70000', 'the port must be 1-65535'],
    ['http://x', 'is not a CIDR, an IP address or a host name'],
    ['300.1.1.1', 'is not a CIDR, an IP address or a host name'],
  ])('names a wrong SHUNT_EGRESS_ALLOW entry: %s', (entry, message) => {
    expect(() => parseAllowEntry(entry)).toThrow(message);
    expect(() => new EgressPolicy(entry, [])).toThrow('SHUNT_EGRESS_ALLOW:');
  });
});

describe('steps', () => {
  it('an http step cannot reach a loopback service (e.g. the Temporal Web UI) unless allowed', async () => {
    const h = await createHarness(disposer);
    const err = await errorOf(h.run(httpStep, { url: `${server.url}/api/v1/namespaces/default/workflows/x/terminate`, method: 'POST' }));
    expect(err).toMatchObject({ name: 'DomainError', code: 'PermissionDenied' });
    expect(err.message).toBe(
      `egress refused: 127.0.0.1 port ${port} is a loopback address; allow it with SHUNT_EGRESS_ALLOW (e.g. 127.0.0.1/32)`,
    );
    expect(server.requests).toHaveLength(0);

    process.env['SHUNT_EGRESS_ALLOW'] = '127.0.0.1';
    expect(await h.run(httpStep, { url: `${server.url}/ok` })).toMatchObject({ status: 'Succeeded' });
    expect(server.requests).toHaveLength(1);
  });

  it('names the host when the URL has one, and checks what it resolves to', async () => {
    const h = await createHarness(disposer);
    const err = await errorOf(h.run(httpStep, { url: `http://localhost:${port}/` }));
    expect(err.message).toMatch(new RegExp(`^egress refused: localhost \\((127\\.0\\.0\\.1|::1)\\) port ${port} is a loopback address; allow it with SHUNT_EGRESS_ALLOW \\(e\\.g\\. .* or localhost:${port}\\)$`));
    process.env['SHUNT_EGRESS_ALLOW'] = `localhost:${port}`;
    expect(await h.run(httpStep, { url: `http://localhost:${port}/` })).toMatchObject({ status: 'Succeeded' });
  });

  it("refuses the Temporal UI, api and worker-metrics ports even with loopback allowed", async () => {
    process.env['SHUNT_EGRESS_ALLOW'] = '127.0.0.0/8,::1';
    const h = await createHarness(disposer);
    for (const [name, value, what] of [
      ['SHUNT_TEMPORAL_UI_URL', `http://127.0.0.1:${port}`, 'the Temporal Web UI'],
      ['SHUNT_PORT', String(port), "Shunt's api"],
      ['SHUNT_WORKER_METRICS_PORT', String(port), "the worker's metrics"],
      ['TEMPORAL_ADDRESS', `127.0.0.1:${port}`, "Temporal's gRPC frontend"],
    ] as const) {
      process.env[name] = value;
      const err = await errorOf(h.run(httpStep, { url: `${server.url}/metrics` }));
      expect(err.message).toContain(`port ${port} there is ${what}`);
      expect(err.message).toContain('always refused');
      delete process.env[name];
    }
    expect(server.requests).toHaveLength(0);
  });

  it('refuses link-local (cloud metadata) and private addresses without connecting', async () => {
    process.env['SHUNT_EGRESS_ALLOW'] = '127.0.0.0/8';
    const h = await createHarness(disposer);
    const metadata = await errorOf(h.run(httpStep, { url: 'http://169.254.169.254/latest/meta-data/' }));
    expect(metadata.message).toBe('egress refused: 169.254.169.254 port 80 is a link-local or cloud metadata address; always refused');
    const v6 = await errorOf(h.run(httpStep, { url: 'http://[fe80::1]:8080/' }));
    expect(v6.message).toMatch(/^egress refused: fe80::1 port 8080 is a link-local/);
    const priv = await errorOf(h.run(httpDownload, { url: 'http://10.0.0.1/x', outPath: 'x' }));
    expect(priv.message).toBe('egress refused: 10.0.0.1 port 80 is a private or internal address; allow it with SHUNT_EGRESS_ALLOW (e.g. 10.0.0.1/32)');
    delete process.env['SHUNT_EGRESS_ALLOW'];
    const mapped = await errorOf(h.run(sendMessage, { webhook: { url: `http://[::ffff:127.0.0.1]:${port}/` } }));
    expect(mapped.message).toBe(`egress refused: 127.0.0.1 port ${port} is a loopback address; allow it with SHUNT_EGRESS_ALLOW (e.g. 127.0.0.1/32)`);
    expect(server.requests).toHaveLength(0);
  });

  it('checks the proxy a step names, and the target behind it', async () => {
    const h = await createHarness(disposer);
    const err = await errorOf(h.run(httpStep, { url: 'http://example.com/', proxy: server.url }));
    expect(err.message).toBe(`egress refused: 127.0.0.1 port ${port} is a loopback address; allow it with SHUNT_EGRESS_ALLOW (e.g. 127.0.0.1/32)`);
    process.env['SHUNT_EGRESS_ALLOW'] = `127.0.0.1:${port}`;
    const behind = await errorOf(h.run(httpStep, { url: 'http://169.254.169.254/latest/meta-data/', proxy: server.url }));
    expect(behind.message).toBe('egress refused: 169.254.169.254 port 80 is a link-local or cloud metadata address; always refused');
    expect(server.requests).toHaveLength(0);
  });
});

describe('fetch-based clients (registries, chart repositories, verification metrics)', () => {
  it('follows no redirect to a refused address', async () => {
    const inner = new TestHttpServer();
    inner.handler = () => ({ status: 200, body: 'secret' });
    await inner.start();
    try {
      process.env['SHUNT_EGRESS_ALLOW'] = `127.0.0.1:${port}`;
      server.handler = () => ({ status: 302, headers: { location: `${inner.url}/secret` } });
      const err = await errorOf(egressFetch(`${server.url}/start`));
      expect(err).toMatchObject({ code: 'PermissionDenied' });
      expect(err.message).toMatch(/^egress refused: 127\.0\.0\.1 port \d+ is a loopback address/);
      expect(inner.requests).toHaveLength(0);
    } finally {
      await inner.stop();
    }
  });

  it('an OCI registry, a chart repository and a web metric on loopback are refused unless allowed', async () => {
    const oci = new OciClient(`127.0.0.1:${port}/team/app`, { credentials: undefined });
    expect((await errorOf(oci.listTags())).message).toMatch(/^egress refused: 127\.0\.0\.1 port/);
    const charts = await errorOf(discoverCharts({ repoURL: `${server.url}/charts`, name: 'app' }, { credentials: undefined }));
    expect(charts).toMatchObject({ code: 'PermissionDenied' });
    const metric = await measure({ name: 'm', provider: { web: { url: `${server.url}/m`, jsonPath: '{$.ok}' } } });
    expect(metric).toMatchObject({ phase: 'Error', message: expect.stringMatching(/^egress refused: 127\.0\.0\.1/) });
    expect(server.requests).toHaveLength(0);
    process.env['SHUNT_EGRESS_ALLOW'] = '127.0.0.1';
    const allowed = await measure({ name: 'm', provider: { web: { url: `${server.url}/m`, jsonPath: '{$.ok}' } } });
    expect(allowed.phase).not.toBe('Error');
  });
});

describe('git remotes', () => {
  it.each([
    ['https://github.com/org/repo.git', { scheme: 'https', host: 'github.com', port: 443 }],
    ['http://127.0.0.1:9999/r.git', { scheme: 'http', host: '127.0.0.1', port: 9999 }],
    ['ssh://git@[::1]:2222/r.git', { scheme: 'ssh', host: '::1', port: 2222 }],
    ['git@10.0.0.5:org/repo.git', { scheme: 'ssh', host: '10.0.0.5', port: 22 }],
    ['git://example.com/r.git', { scheme: 'git', host: 'example.com', port: 9418 }],
    ['/tmp/repo', undefined],
    ['file:///tmp/repo', undefined],
    ['./relative:dir', undefined],
  ])('%s connects to %j', (url, endpoint) => {
    expect(gitRemoteEndpoint(url)).toEqual(endpoint);
  });

  it('a remote on a refused address is refused before git runs; an allowed one is pinned to the checked address', async () => {
    await expect(checkGitRemote(`http://127.0.0.1:${port}/r.git`)).rejects.toThrow(`egress refused: 127.0.0.1 port ${port} is a loopback address`);
    await expect(checkGitRemote('git@169.254.169.254:org/repo.git')).rejects.toThrow('always refused');
    process.env['SHUNT_EGRESS_ALLOW'] = '127.0.0.1,::1';
    expect(await checkGitRemote(`http://127.0.0.1:${port}/r.git`)).toEqual([]);
    const pinned = await checkGitRemote(`http://localhost:${port}/r.git`);
    expect(pinned[0]).toBe('-c');
    expect(pinned[1]).toMatch(new RegExp(`^http\\.curloptResolve=localhost:${port}:(127\\.0\\.0\\.1|\\[::1\\])`));
    expect(await checkGitRemote('/tmp/local-repo')).toEqual([]);
  });

  it('a git-clone from a refused remote fails the step before any connection', async () => {
    const h = await createHarness(disposer);
    const err = await errorOf(h.git.syncMirror(`${server.url}/repo.git`));
    expect(err).toMatchObject({ code: 'PermissionDenied' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('helm', () => {
  it("a chart dependency's repository on a refused address is refused before helm runs", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shunt-egress-chart-'));
    disposer.add(() => fs.promises.rm(dir, { recursive: true, force: true }));
    fs.writeFileSync(
      path.join(dir, 'Chart.yaml'),
      `apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: dep\n    version: 1.0.0\n    repository: ${server.url}/charts\n`,
    );
    const err = await errorOf(runHelm(['dependency', 'update', dir], { cwd: dir, what: 'helm dependency update' }));
    expect(err).toMatchObject({ code: 'PermissionDenied', message: `egress refused: 127.0.0.1 port ${port} is a loopback address; allow it with SHUNT_EGRESS_ALLOW (e.g. 127.0.0.1/32)` });
    expect(server.requests).toHaveLength(0);
  });
});

describe('one mechanism', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const files = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
  /** Files that may open connections themselves, and why. */
  const EXEMPT: Record<string, string> = {
    'activities/adapters/egress/egress-connect.ts': 'the egress-checked connector itself',
    'activities/adapters/http-client.ts': 'node:http with the checked lookup (egressLookup) on every request',
    'activities/adapters/argocd-rest/client.ts': "Argo CD's REST API at ARGOCD_SERVER, set by the operator, never by a manifest",
    'activities/adapters/credential-providers/trusted-request.ts': 'the cloud token endpoints set by the operator (ECR, GAR, ACR: *.azurecr.io only), never by a manifest',
  };
  const DIRECT = [
    /\bfetch\s*\(/,
    /from 'undici'/,
    /from 'node:(http|https|tls|http2|dgram)'/,
    /\b(http|https)\.(request|get)\s*\(/,
    /\b(net|tls)\.(connect|createConnection)\s*\(/,
    /import\s*\{[^}]*\b(connect|createConnection|Socket)\b[^}]*\}\s*from 'node:net'/,
  ];

  it('every outbound connection in activities/ goes through the egress-checked clients', () => {
    const offenders = files('activities')
      .filter((f) => !EXEMPT[f])
      .flatMap((f) => {
        const text = fs.readFileSync(path.join(root, f), 'utf8');
        return DIRECT.filter((re) => re.test(text.replace(/\b(egressFetch|mirrors\.fetch|this\.fetch|async fetch)\s*\(/g, ''))).map((re) => `${f}: ${re.source}`);
      });
    expect(offenders).toEqual([]);
  });

  it('resolveForEgress refuses a name whose every address is refused', async () => {
    await expect(resolveForEgress('localhost', port)).rejects.toThrow(/^egress refused: localhost/);
  });

  it('httpRequest is the http steps\' client and applies the policy', async () => {
    await expect(httpRequest({ url: `${server.url}/` })).rejects.toThrow(/^egress refused/);
  });
});
