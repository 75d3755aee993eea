/**
 * Webhooks end to end: receivers configured Kargo's way (ProjectConfig webhookReceivers naming a
 * Secret), real pushes to a real registry and a real git repository, then the provider's call.
 * A bad signature or token is 401 and triggers nothing; an unknown repository is 200 and
 * triggers nothing; a matching push makes new Freight.
 */
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commitToOrigin, createOrigin, Disposer, tempDir, type Origin } from '../support/git-repos.js';
import { aCredentialSecret, aProject, aProjectConfig, aWarehouse, yamlOf } from '../support/manifests.js';
import { pushImage } from '../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../support/oci-registry.js';
import { eventually } from '../support/poll.js';
import { scenario } from '../support/scenario.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';
import { uniqueName } from '../support/temporal.js';

/** The receivers' Secrets, in the project's namespace (as Kargo reads them). */
const secretsOf = (project: string): string =>
  yamlOf(
    aCredentialSecret('gh', 'generic', { secret: 'github-hmac-secret' }, project),
    aCredentialSecret('gl', undefined, { 'secret-token': 'gitlab-token' }, project),
    aCredentialSecret('hub', undefined, { secret: 'hub-secret' }, project),
    aCredentialSecret('quay', undefined, { secret: 'quay-secret' }, project),
    aCredentialSecret('generic', undefined, { secret: 'generic-secret' }, project),
  );

interface FreightView {
  metadata: { name: string };
  origin: { name: string };
  images?: { tag: string }[];
  commits?: { id: string }[];
}

describe('warehouse webhooks (e2e)', () => {
  const disposer = new Disposer();
  let stack: ShuntStack;
  let registry: TestRegistry;
  let origin: Origin;
  const project = uniqueName('hooks');
  const paths: Record<string, string> = {};
  const { given } = scenario(() => stack.url);

  beforeAll(async () => {
    const dir = await tempDir(disposer);
    await writeFile(join(dir, 'secrets.yaml'), secretsOf(project));
    [stack, registry, origin] = await Promise.all([
      startShuntStack({ namespace: 'warehouse-e2e', credentialsPath: join(dir, 'secrets.yaml') }),
      startRegistry(),
      createOrigin(disposer, { files: { 'app/config.yaml': 'replicas: 1\n' } }),
    ]);
    await pushImage(registry.host, 'team/web', '1.0.0', { content: 'w1' });
    await given.manifests(
      aProject(project),
      aProjectConfig(
        {
          webhookReceivers: [
            { name: 'gh', github: { secretRef: { name: 'gh' } } },
            { name: 'gl', gitlab: { secretRef: { name: 'gl' } } },
            { name: 'hub', dockerhub: { secretRef: { name: 'hub' } } },
            { name: 'quay', quay: { secretRef: { name: 'quay' } } },
            { name: 'any', generic: { secretRef: { name: 'generic' } } },
          ],
        },
        project,
      ),
      aWarehouse('images', { project, image: `${registry.host}/team/web`, spec: { interval: '1h' } }),
      aWarehouse('config', { project, subscriptions: [{ git: { repoURL: origin.url, branch: 'main', includePaths: ['app'] } }], spec: { interval: '1h' } }),
    );
    await eventually(async () => ((await freight()).length === 2 ? true : undefined), 'the first freight of both warehouses');
    const receivers = (await (await fetch(`${stack.url}/api/v1/projects/${project}/webhook-receivers`)).json()) as { items: { name: string; path: string }[] };
    for (const r of receivers.items) paths[r.name] = r.path;
  });
  afterAll(async () => {
    await stack?.stop();
    await registry?.dispose();
    await disposer.dispose();
  });

  async function freight(): Promise<FreightView[]> {
    return ((await (await fetch(`${stack.url}/api/v1/projects/${project}/freight`)).json()) as { items: FreightView[] }).items;
  }
  async function lastScanAt(warehouse: string): Promise<string | undefined> {
    const w = (await (await fetch(`${stack.url}/api/v1/projects/${project}/warehouses/${warehouse}`)).json()) as { status: { lastScan?: { at: string } } };
    return w.status.lastScan?.at;
  }
  async function call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: { refreshed?: string[]; error?: { code: string; message: string } } }> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
    return { status: res.status, body: (await res.json()) as { refreshed?: string[] } };
  }
  const sign = (raw: string, secret = 'github-hmac-secret'): string => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

  it('publishes each receiver path Kargo-style', () => {
    expect(Object.keys(paths).sort()).toEqual(['any', 'gh', 'gl', 'hub', 'quay']);
    expect(paths['gh']).toMatch(/^\/webhooks\/github\/[0-9a-f]{64}$/);
    expect(paths['hub']).toMatch(/^\/webhooks\/dockerhub\/[0-9a-f]{64}$/);
  });

  it('GitHub push: a bad signature is 401 and triggers nothing; a good one makes Freight', async () => {
    const sha = await commitToOrigin(disposer, origin, { 'app/config.yaml': 'replicas: 2\n' }, 'scale up');
    const push = JSON.stringify({ ref: 'refs/heads/main', repository: { clone_url: origin.url }, commits: [{ modified: ['app/config.yaml'] }] });
    const before = await lastScanAt('config');
    const bad = await call(paths['gh']!, push, { 'x-github-event': 'push', 'x-hub-signature-256': sign(push, 'wrong') });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.message).toBe('webhook receiver "gh": X-Hub-Signature-256 does not match the payload');
    const unsigned = await call(paths['gh']!, push, { 'x-github-event': 'push' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error?.message).toContain('missing X-Hub-Signature-256');
    expect(await lastScanAt('config')).toBe(before);
    expect((await freight()).some((f) => f.commits?.[0]?.id === sha)).toBe(false);

    const good = await call(paths['gh']!, push, { 'x-github-event': 'push', 'x-hub-signature-256': sign(push) });
    expect(good).toEqual({ status: 200, body: expect.objectContaining({ refreshed: ['config'] }) });
    await eventually(async () => (await freight()).find((f) => f.commits?.[0]?.id === sha), 'freight for the pushed commit');
  });

  it('GitHub: an unknown repository, another branch, or untracked paths is 200 and triggers nothing', async () => {
    for (const payload of [
      { ref: 'refs/heads/main', repository: { clone_url: 'https://github.com/someone/else.git' } },
      { ref: 'refs/heads/feature', repository: { clone_url: origin.url } },
      { ref: 'refs/heads/main', repository: { clone_url: origin.url }, commits: [{ modified: ['docs/readme.md'] }] },
    ]) {
      const raw = JSON.stringify(payload);
      expect(await call(paths['gh']!, raw, { 'x-github-event': 'push', 'x-hub-signature-256': sign(raw) })).toEqual({ status: 200, body: expect.objectContaining({ refreshed: [] }) });
    }
    const ping = await call(paths['gh']!, '{}', { 'x-github-event': 'ping', 'x-hub-signature-256': sign('{}') });
    expect(ping.body).toMatchObject({ ping: true, refreshed: [] });
  });

  it('Docker Hub and Quay: the URL is the credential; a push of a new tag makes Freight', async () => {
    await pushImage(registry.host, 'team/web', '1.1.0', { content: 'w2' });
    const hub = await call(paths['hub']!, { repository: { repo_name: `${registry.host}/team/web` }, push_data: { tag: '1.1.0' } });
    expect(hub).toEqual({ status: 200, body: expect.objectContaining({ refreshed: ['images'] }) });
    await eventually(async () => (await freight()).find((f) => f.images?.[0]?.tag === '1.1.0'), 'freight for 1.1.0');
    await pushImage(registry.host, 'team/web', '1.2.0', { content: 'w3' });
    const quay = await call(paths['quay']!, { docker_url: `${registry.host}/team/web`, updated_tags: ['1.2.0'] });
    expect(quay.body.refreshed).toEqual(['images']);
    await eventually(async () => (await freight()).find((f) => f.images?.[0]?.tag === '1.2.0'), 'freight for 1.2.0');
  });

  it('GitLab: the token header must match', async () => {
    const push = { object_kind: 'push', ref: 'refs/heads/main', project: { git_http_url: origin.url } };
    const bad = await call(paths['gl']!, push, { 'x-gitlab-token': 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.message).toBe('webhook receiver "gl": X-Gitlab-Token is wrong');
    const good = await call(paths['gl']!, push, { 'x-gitlab-token': 'gitlab-token' });
    expect(good.body.refreshed).toEqual(['config']);
  });

  it('generic: scans the warehouses subscribed to the URLs given, or all of them', async () => {
    expect((await call(paths['any']!, { repoURL: `${registry.host}/team/web` })).body.refreshed).toEqual(['images']);
    expect((await call(paths['any']!, {})).body.refreshed).toEqual(['config', 'images']);
    const notJson = await call(paths['any']!, 'not json');
    expect(notJson).toEqual({ status: 400, body: { error: expect.objectContaining({ code: 'BadRequest', message: 'webhook receiver "any": the webhook body is not JSON' }) } });
  });

  it('answers 404 for a path no receiver has', async () => {
    const unknown = await call(`/webhooks/github/${'0'.repeat(64)}`, {});
    expect(unknown).toEqual({ status: 404, body: { error: expect.objectContaining({ message: 'no webhook receiver at this path' }) } });
    const provider = await call('/webhooks/slack/abc', {});
    expect(provider.status).toBe(404);
    expect(provider.body.error?.message).toContain('unknown webhook provider "slack"');
  });
});
