/**
 * Issue 18: a git Secret with a GitHub App (githubAppID / githubAppClientID,
 * githubAppInstallationID, githubAppPrivateKey) is exchanged for an installation token, cached
 * until shortly before it expires, and used as `x-access-token:<token>` for git over HTTPS and
 * as the PR steps' API token. The token endpoint is a local server that checks the JWT the way
 * GitHub does; the token and the key never reach the workspace, the errors or the logs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { CredentialProviders, resolvingStore } from '../../activities/adapters/credential-providers/index.js';
import { githubAppJWT } from '../../activities/adapters/credential-providers/github-app.js';
import { gitProvider } from '../../activities/adapters/git-providers/index.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { DomainError } from '../../core/errors.js';
import { createActivities } from '../../activities/index.js';
import { KubernetesCredentialStore } from '../../activities/adapters/kubernetes/credential-store.js';
import type { DiscoverArtifactsInput } from '../../activities/warehouse-activities.js';
import { startFakeCluster } from '../support/fake-kube/index.js';
import { GitHubAppServer, githubAppKeys } from '../support/github-app-server.js';
import { GitHttpServer } from '../support/git-server.js';
import { createOrigin, Disposer, originLog, tempDir } from '../support/git-repos.js';
import { createHarness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const TOKEN = 'ghs_0123456789abcdefghijklmnopqrstuvwxyzAB';
const app = githubAppKeys();

async function setup(opts: { fields?: Record<string, string>; now?: () => number; tokenTtlMs?: number } = {}) {
  const root = await tempDir(disposer, 'shunt-ghapp-');
  const origin = await createOrigin(disposer, { root, name: 'org/gitops' });
  const git = new GitHttpServer({ root, auth: { username: 'x-access-token', password: TOKEN } });
  await git.start();
  disposer.add(() => git.stop());
  const gh = new GitHubAppServer({ appID: '4242', clientID: 'Iv1.a1b2c3d4e5f6', publicKey: app.publicKey, installations: ['777'], token: () => TOKEN, upstream: git.baseURL, ...(opts.tokenTtlMs ? { tokenTtlMs: opts.tokenTtlMs } : {}) });
  await gh.start();
  disposer.add(() => gh.stop());
  const repoURL = `${gh.url}/org/gitops.git`;
  const fields = opts.fields ?? { githubAppID: '4242', githubAppInstallationID: '777', githubAppPrivateKey: app.pem };
  const dir = await tempDir(disposer, 'shunt-creds-');
  await fs.promises.writeFile(
    path.join(dir, 'app.yaml'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gitops-app', namespace: 'guestbook', labels: { 'kargo.akuity.io/cred-type': 'git' } },
      stringData: { repoURL, ...fields },
    }),
  );
  const providers = new CredentialProviders({}, opts.now ? { now: opts.now } : {});
  const files = new FileCredentialStore(dir);
  const credentials = resolvingStore(files.forProject('guestbook'), providers);
  return { origin, git, gh, repoURL, credentials, files, fields };
}

describe('GitHub App credentials', () => {
  it('clone, commit and push over HTTPS with the installation token, never writing it or the key to the workspace', async () => {
    const { origin, gh, repoURL, credentials } = await setup();
    const h = await createHarness(disposer, { credentials });
    await h.run(gitClone, { repoURL, checkout: [{ path: 'src', branch: 'main' }] });
    await fs.promises.writeFile(h.workspace.resolve('src/new.txt'), 'hello\n');
    await h.run(gitCommit, { path: 'src', message: 'as the app' });
    await h.run(gitPush, { path: 'src' });
    expect(await originLog(origin)).toEqual(['as the app', 'seed']);
    // One exchange for the whole promotion, scoped to the one repository.
    expect(gh.tokenRequests).toEqual([{ installation: '777', status: 201, repositories: ['gitops'] }]);
    const files = await fs.promises.readdir(h.workspace.root, { recursive: true });
    for (const f of files) {
      const p = path.join(h.workspace.root, String(f));
      if (!(await fs.promises.stat(p)).isFile()) continue;
      const text = await fs.promises.readFile(p, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });

  it('accepts the client ID as issuer and a base64 key, as Kargo', async () => {
    const { gh, repoURL, credentials } = await setup({ fields: { githubAppClientID: 'Iv1.a1b2c3d4e5f6', githubAppInstallationID: '777', githubAppPrivateKey: Buffer.from(app.pem).toString('base64') } });
    expect(await credentials.git(repoURL)).toEqual({ username: 'x-access-token', password: TOKEN });
    expect(gh.tokenRequests.map((r) => r.status)).toEqual([201]);
  });

  it('caches the token until five minutes before expires_at, then mints a new one', async () => {
    let now = Date.now();
    const { gh, repoURL, credentials } = await setup({ now: () => now, tokenTtlMs: 60 * 60_000 });
    await credentials.git(repoURL);
    await credentials.git(repoURL);
    expect(gh.tokenRequests).toHaveLength(1);
    now += 54 * 60_000;
    await credentials.git(repoURL);
    expect(gh.tokenRequests).toHaveLength(1);
    now += 2 * 60_000; // 56 minutes: within the margin
    // The JWT is signed with the fake clock: the server (real clock) must still accept it, so
    // the clock only moves the cache; the mint below uses a JWT dated 56 minutes ahead, which
    // GitHub refuses (iat in the future). That the cache asked again is what this checks.
    await expect(credentials.git(repoURL)).rejects.toThrow(/status 401/);
    expect(gh.tokenRequests).toHaveLength(2);
  });

  it('gives the PR steps (github provider) the installation token as their API token', async () => {
    const { gh, repoURL, credentials } = await setup();
    const provider = await gitProvider(repoURL.replace(/\.git$/, ''), { provider: 'github', credentials });
    await expect(provider.getPullRequest(1)).rejects.toThrow("pull request #1 does not exist");
    expect(gh.proxiedAuthorizations).toEqual([`Bearer ${TOKEN}`]);
  });

  it.each([
    ['a key that is not the App’s', { githubAppID: '4242', githubAppInstallationID: '777', githubAppPrivateKey: githubAppKeys().pem }, 401, 'A JSON web token could not be decoded'],
    ['another App ID', { githubAppID: '9999', githubAppInstallationID: '777', githubAppPrivateKey: app.pem }, 401, 'A JSON web token could not be decoded'],
    ['an installation of no such App', { githubAppID: '4242', githubAppInstallationID: '778', githubAppPrivateKey: app.pem }, 404, 'Not Found'],
  ])('GitHub refuses %s: the step fails, naming the status and GitHub’s message, never the key', async (_, fields, status, message) => {
    const { gh, repoURL, credentials } = await setup({ fields });
    const err = (await credentials.git(repoURL).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.message).toContain(`refused the exchange with status ${status} (${message})`);
    expect(err.message).not.toMatch(/PRIVATE KEY|eyJ/);
    expect(gh.tokenRequests.map((r) => r.status)).toEqual([status]);
  });

  it('the JWT: iat 60 s back, exp 9 minutes ahead (GitHub refuses more than 10), RS256, iss the app id', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const jwt = await githubAppJWT('4242', createPrivateKey(app.pem), now);
    const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toEqual({ iss: '4242', iat: now / 1000 - 60, exp: now / 1000 + 540 });
  });

  it('a JWT dated in the past (expired) is refused by the server with GitHub’s message', async () => {
    const { gh, repoURL, credentials } = await setup({ now: () => Date.now() - 30 * 60_000 });
    await expect(credentials.git(repoURL)).rejects.toThrow(/status 401 \('Expiration time' claim/);
    expect(gh.tokenRequests.map((r) => r.status)).toEqual([401]);
  });

  it('an ssh repoURL does not use the App (Kargo: http(s) only)', async () => {
    const providers = new CredentialProviders();
    const found = { providerFields: { githubAppID: '1', githubAppInstallationID: '2', githubAppPrivateKey: app.pem } };
    expect(await providers.resolve('git', 'ssh://git@github.com/org/repo.git', found)).toEqual({});
  });

  it('warehouse discovery (through createActivities, as a worker wires it) lists the repository with the App token', async () => {
    const { gh, repoURL, files } = await setup();
    const acts = createActivities({ dataDir: await tempDir(disposer, 'shunt-data-'), workerQueue: 'q', credentials: files });
    const spec = { subscriptions: [{ git: { repoURL } }] } as unknown as DiscoverArtifactsInput['spec'];
    const found = await acts.discoverArtifacts({ project: 'guestbook', warehouse: 'w', spec });
    expect(JSON.stringify(found)).toContain(repoURL);
    expect(JSON.stringify(found)).not.toContain(TOKEN);
    expect(gh.tokenRequests.map((r) => r.status)).toEqual([201]);
  });

  it('cluster mode: the same Secret read from a namespace works unchanged', async () => {
    const { gh, repoURL, fields } = await setup();
    const cluster = await startFakeCluster();
    disposer.add(() => cluster.stop());
    cluster.server.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gitops-app', namespace: 'guestbook', labels: { 'kargo.akuity.io/cred-type': 'git' } },
      data: Object.fromEntries(Object.entries({ repoURL, ...fields }).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    });
    const credentials = resolvingStore(new KubernetesCredentialStore(cluster.clients, 'guestbook'), new CredentialProviders());
    expect(await credentials.git(repoURL)).toEqual({ username: 'x-access-token', password: TOKEN });
    expect(gh.tokenRequests.map((r) => r.status)).toEqual([201]);
  });
});
