/**
 * Credentials from Kubernetes Secrets labelled kargo.akuity.io/cred-type, as Kargo finds them:
 * by type and repoURL (exact after normalization, then repoURLIsRegex), in the project's
 * namespace, then the shared namespace, then the worker's files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChainCredentialStore } from '../../activities/adapters/chain-credential-store.js';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { KubernetesCredentialStore } from '../../activities/adapters/kubernetes/credential-store.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { createWarehouseActivities, type DiscoverArtifactsInput } from '../../activities/warehouse-activities.js';
import { createOrigin, Disposer, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();
let cluster: FakeCluster;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secret(namespace: string, name: string, type: string | undefined, data: Record<string, string>): void {
  cluster.server.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, ...(type ? { labels: { 'kargo.akuity.io/cred-type': type } } : {}) },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
}

beforeEach(async () => {
  cluster = await startFakeCluster();
});
afterEach(async () => {
  await cluster.stop();
  await disposer.dispose();
});

describe('KubernetesCredentialStore', () => {
  it.each([
    ['git', 'https://GitHub.com/Org/Repo.git', 'https://github.com/org/repo', (s: KubernetesCredentialStore, u: string) => s.git(u)],
    ['helm', 'oci://ghcr.io/org/charts/web', 'oci://ghcr.io/org/charts/web', (s: KubernetesCredentialStore, u: string) => s.helm(u)],
    ['image', 'ghcr.io/org/web', 'ghcr.io/org/web', (s: KubernetesCredentialStore, u: string) => s.image(u)],
  ])('finds %s credentials by exact (normalized) repoURL', async (type, stored, asked, ask) => {
    secret('guestbook', `${type}-creds`, type, { repoURL: stored, username: 'bot', password: `${type}-token` });
    const store = new KubernetesCredentialStore(cluster.clients, 'guestbook');
    expect(await ask(store, asked)).toEqual({ username: 'bot', password: `${type}-token` });
    expect(await ask(store, 'https://example.com/other')).toBeUndefined();
  });

  it('keeps types apart: a helm Secret does not answer for git', async () => {
    secret('guestbook', 'h', 'helm', { repoURL: 'https://github.com/org/repo', password: 'helm' });
    expect(await new KubernetesCredentialStore(cluster.clients, 'guestbook').git('https://github.com/org/repo')).toBeUndefined();
  });

  it('matches repoURLIsRegex Secrets against the URL, after every exact match', async () => {
    secret('guestbook', 'a-regex', 'git', { repoURL: '^https://github\\.com/org/.*$', repoURLIsRegex: 'true', password: 'regex' });
    secret('guestbook', 'b-exact', 'git', { repoURL: 'https://github.com/org/repo', password: 'exact' });
    secret('guestbook', 'c-bad-regex', 'git', { repoURL: '(', repoURLIsRegex: 'true', password: 'never' });
    const store = new KubernetesCredentialStore(cluster.clients, 'guestbook');
    expect(await store.git('https://github.com/org/repo.git')).toEqual({ password: 'exact' });
    expect(await store.git('https://github.com/org/other')).toEqual({ password: 'regex' });
    expect(await store.git('https://gitlab.com/org/other')).toBeUndefined();
  });

  it('reads generic Secrets by name for expressions, never repository credentials', async () => {
    secret('guestbook', 'slack', 'generic', { webhook: 'https://hooks/x' });
    secret('guestbook', 'repo', 'git', { repoURL: 'https://github.com/org/repo', password: 'p' });
    const store = new KubernetesCredentialStore(cluster.clients, 'guestbook');
    expect(await store.secret('slack')).toEqual({ webhook: 'https://hooks/x' });
    expect(await store.secret('repo')).toEqual({});
    expect(await store.secret('missing')).toEqual({});
    expect(await new KubernetesCredentialStore(cluster.clients, 'guestbook', { genericSecrets: false }).secret('slack')).toEqual({});
  });

  it('project namespace first, then the shared namespace, then the worker’s files', async () => {
    const dir = await tempDir(disposer);
    await fs.promises.writeFile(
      path.join(dir, 'creds.yaml'),
      [
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: file-a\n  namespace: guestbook\n  labels:\n    kargo.akuity.io/cred-type: git\nstringData:\n  repoURL: https://github.com/org/a\n  password: from-file',
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: file-c\n  namespace: guestbook\n  labels:\n    kargo.akuity.io/cred-type: git\nstringData:\n  repoURL: https://github.com/org/c\n  password: from-file',
      ].join('\n---\n'),
    );
    secret('guestbook', 'a', 'git', { repoURL: 'https://github.com/org/a', password: 'from-project' });
    secret('kargo-shared-resources', 'a', 'git', { repoURL: 'https://github.com/org/a', password: 'from-shared' });
    secret('kargo-shared-resources', 'b', 'git', { repoURL: 'https://github.com/org/b', password: 'from-shared' });
    secret('other-project', 'c', 'git', { repoURL: 'https://github.com/org/c', password: 'from-other-project' });
    const chain = new ChainCredentialStore([
      new KubernetesCredentialStore(cluster.clients, 'guestbook'),
      new KubernetesCredentialStore(cluster.clients, 'kargo-shared-resources', { genericSecrets: false }),
      new FileCredentialStore(dir).forProject('guestbook'),
    ]);
    expect(await chain.git('https://github.com/org/a')).toEqual({ password: 'from-project' });
    expect(await chain.git('https://github.com/org/b')).toEqual({ password: 'from-shared' });
    expect(await chain.git('https://github.com/org/c')).toEqual({ password: 'from-file' });
    expect(await chain.git('https://github.com/org/d')).toBeUndefined();
  });

  it('a cluster it cannot reach: Unavailable, naming the namespace and server (no silent fallback)', async () => {
    const url = cluster.server.url;
    await cluster.stop();
    const store = new KubernetesCredentialStore(createKubeClients({ mode: 'explicit', server: url, token: 't' }), 'guestbook');
    await expect(store.git('https://github.com/org/a')).rejects.toMatchObject({
      code: 'Unavailable',
      message: `listing git credential Secrets in namespace "guestbook": the Kubernetes API server ${url} cannot be reached (ECONNREFUSED)`,
    });
    cluster = await startFakeCluster();
  });

  it('serves Warehouse discovery too: a git subscription looks its credential up in the project’s namespace', async () => {
    const origin = await createOrigin(disposer);
    const acts = createWarehouseActivities({
      credentials: { forProject: (project) => new KubernetesCredentialStore(cluster.clients, project) },
      git: newGitService(await tempDir(disposer)),
    });
    const spec = { subscriptions: [{ git: { repoURL: origin.url } }] } as unknown as DiscoverArtifactsInput['spec'];
    const found = await acts.discoverArtifacts({ project: 'guestbook', warehouse: 'w', spec });
    expect(JSON.stringify(found)).toContain(origin.url);
    expect(cluster.server.requests).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/guestbook/secrets', query: { labelSelector: 'kargo.akuity.io/cred-type=git' } }),
    );
  });
});
