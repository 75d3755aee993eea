/**
 * git-open-pr, git-wait-for-pr and git-merge-pr against our own loopback API servers for GitHub,
 * GitLab, Gitea, Bitbucket Cloud, Bitbucket Data Center and Azure DevOps (each speaking its
 * provider's REST wire format and refusing what the provider refuses) in front of real
 * repositories served over git's smart HTTP.
 */
import * as path from 'node:path';
import type { CredentialStore } from '../../activities/adapters/credentials.js';
import { API_URLS_SETTING, operatorApiURLs } from '../../activities/adapters/git-providers/api-location.js';
import { gitProvider, inferProvider } from '../../activities/adapters/git-providers/index.js';
import { gitMergePr } from '../../activities/steps/git-merge-pr.js';
import { gitOpenPr } from '../../activities/steps/git-open-pr.js';
import { gitWaitForPr } from '../../activities/steps/git-wait-for-pr.js';
import { commitToOrigin, createOrigin, Disposer, git, tempDir } from '../support/git-repos.js';
import { FakeGitProvider, type FakeKind } from '../support/fake-git-provider.js';
import { createHarness, errorOf } from './harness.js';

const TOKEN = 'tok-3f9a1c2b7e';
const disposer = new Disposer();
afterEach(() => disposer.dispose());

class TokenStore implements CredentialStore {
  constructor(private readonly token: string | undefined) {}
  async git() {
    return this.token ? { username: 'shunt', password: this.token } : undefined;
  }
  async image() {
    return undefined;
  }
  async helm() {
    return undefined;
  }
  async secret() {
    return {};
  }
}

/** Sets an environment variable for the current test. */
function setEnv(name: string, value: string | undefined): void {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  disposer.add(async () => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  });
}

interface Case {
  kind: FakeKind;
  provider: 'github' | 'gitlab' | 'gitea' | 'bitbucket' | 'azure';
  /** The pull request's web URL, from the server's base URL. */
  prURL: (base: string) => string;
  mergeMethod: string;
  labels: boolean;
}

const CASES: Case[] = [
  { kind: 'github', provider: 'github', prURL: (b) => `${b}/acme/app/pull/1`, mergeMethod: 'squash', labels: true },
  { kind: 'gitlab', provider: 'gitlab', prURL: (b) => `${b}/acme/app/-/merge_requests/1`, mergeMethod: 'squash', labels: true },
  { kind: 'gitea', provider: 'gitea', prURL: (b) => `${b}/acme/app/pulls/1`, mergeMethod: 'squash', labels: true },
  { kind: 'bitbucket-cloud', provider: 'bitbucket', prURL: (b) => `${b}/acme/app/pull-requests/1`, mergeMethod: 'squash', labels: false },
  { kind: 'bitbucket-dc', provider: 'bitbucket', prURL: (b) => `${b}/projects/ACME/repos/app/pull-requests/1`, mergeMethod: 'squash', labels: false },
  { kind: 'azure', provider: 'azure', prURL: (b) => `${b}/org/acme/_git/app/pullrequest/1`, mergeMethod: 'squash', labels: true },
];

async function setup(kind: FakeKind, token: string | undefined = TOKEN) {
  const root = await tempDir(disposer, 'provider-');
  const origin = await createOrigin(disposer, { root: path.join(root, 'acme'), name: 'app' });
  await commitToOrigin(disposer, origin, { 'env/dev/values.yaml': 'tag: 2.0.0\n' }, 'Promote 2.0.0 to dev', 'kargo/promotion/p1');
  const provider = new FakeGitProvider(kind, root, TOKEN);
  await provider.start();
  disposer.add(() => provider.stop());
  // Bitbucket Cloud's API is api.bitbucket.org: here the operator points this host at the fake.
  if (kind === 'bitbucket-cloud') setEnv(API_URLS_SETTING, `${provider.host}=${provider.base}/2.0`);
  const h = await createHarness(disposer, { credentials: new TokenStore(token) });
  return { origin, provider, h, repoURL: provider.repoURL('acme', 'app') };
}

describe.each(CASES)('pull request steps on $kind', ({ kind, provider: providerName, prURL, mergeMethod, labels }) => {
  it('opens a request (title from the head commit), adopts it on a re-run, waits, merges', async () => {
    const { provider, h, repoURL, origin } = await setup(kind);
    const open = { repoURL, provider: providerName, sourceBranch: 'kargo/promotion/p1', targetBranch: 'main', ...(labels ? { labels: ['promotion'] } : {}) };
    const opened = await h.run(gitOpenPr, open);
    const url = prURL(provider.base);
    expect(opened).toEqual({ status: 'Succeeded', output: { pr: { id: 1, url }, prNumber: 1 } });
    expect(provider.pull(1)).toMatchObject({ title: 'Promote 2.0.0 to dev', labels: labels ? ['promotion'] : [], head: 'kargo/promotion/p1', base: 'main' });
    expect(provider.calls.length).toBeGreaterThan(0);
    expect(provider.calls.every((c) => c.authorized)).toBe(true);

    expect(await h.run(gitOpenPr, open)).toEqual(opened);
    expect(provider.pulls).toHaveLength(1);

    const wait = { repoURL, provider: providerName, prNumber: '1', pollInterval: '5s' };
    expect(await h.run(gitWaitForPr, wait)).toEqual({
      status: 'Running',
      retryAfter: '5s',
      output: { pr: { id: 1, url, open: true, merged: false } },
      message: `waiting for ${url} to be merged`,
    });

    const merge = { repoURL, provider: providerName, prNumber: 1, mergeMethod };
    let merged = await h.run(gitMergePr, merge);
    if (kind === 'azure') {
      // Azure DevOps completes asynchronously: Running until the completion is seen.
      expect(merged).toEqual({ status: 'Running', retryAfter: '10s', message: `${url} is being merged: Azure DevOps is completing the pull request` });
      merged = await h.run(gitMergePr, merge);
    }
    const sha = provider.pull(1).mergeSHA!;
    expect(merged).toEqual({ status: 'Succeeded', output: { commit: sha } });
    expect(provider.pull(1).mergeMethod).toBe(mergeMethod);
    expect((await git(origin.dir, ['rev-parse', 'refs/heads/main'])).trim()).toBe(sha);
    expect(await h.run(gitMergePr, { repoURL, provider: providerName, prNumber: 1 })).toEqual(merged);
    expect(await h.run(gitWaitForPr, wait)).toEqual({
      status: 'Succeeded',
      output: { commit: sha, pr: { id: 1, url, open: false, merged: true } },
    });
    // Merged, the request is still adopted rather than opened again.
    expect(await h.run(gitOpenPr, open)).toEqual(opened);
    expect(provider.pulls).toHaveLength(1);
  });

  it('skips when the branches do not differ, and fails for a missing target branch', async () => {
    const { h, repoURL } = await setup(kind);
    const same = await h.run(gitOpenPr, { repoURL, provider: providerName, sourceBranch: 'main', targetBranch: 'main' });
    expect(same).toEqual({ status: 'Skipped', message: 'no difference between main and main; nothing to propose' });
    const err = await errorOf(h.run(gitOpenPr, { repoURL, provider: providerName, sourceBranch: 'kargo/promotion/p1', targetBranch: 'release' }));
    expect(err.message).toBe('target branch "release" does not exist');
  });

  it('fails a request closed without merging, and one that cannot be merged unless wait', async () => {
    const { provider, h, repoURL } = await setup(kind);
    await h.run(gitOpenPr, { repoURL, provider: providerName, sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    provider.pull(1).mergeable = false;
    const notMergeable = await errorOf(h.run(gitMergePr, { repoURL, provider: providerName, prNumber: 1 }));
    expect(notMergeable.code).toBe('StepFailed');
    expect(notMergeable.message).toMatch(/cannot be merged: \S/);
    const waiting = await h.run(gitMergePr, { repoURL, provider: providerName, prNumber: 1, wait: true });
    expect(waiting).toMatchObject({ status: 'Running', retryAfter: '10s' });
    expect(provider.pull(1).merged).toBe(false);

    const badMethod = await errorOf(h.run(gitMergePr, { repoURL, provider: providerName, prNumber: 1, mergeMethod: 'octopus' }));
    expect(badMethod.message).toMatch(/^mergeMethod "octopus" is not one of .*'s?: /);

    provider.pull(1).state = 'closed';
    const closed = await errorOf(h.run(gitWaitForPr, { repoURL, provider: providerName, prNumber: 1 }));
    expect(closed.message).toMatch(/was closed without being merged$/);
    expect((await errorOf(h.run(gitMergePr, { repoURL, provider: providerName, prNumber: 1 }))).message).toMatch(/is closed and cannot be merged$/);
    expect((await errorOf(h.run(gitWaitForPr, { repoURL, provider: providerName, prNumber: 9 }))).message).toMatch(/does not exist$/);
  });

  it('says to check the credentials when the API refuses them, without showing the token', async () => {
    const { h, repoURL } = await setup(kind, 'wrong-token-value');
    const err = await errorOf(h.run(gitWaitForPr, { repoURL, provider: providerName, prNumber: 1 }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/answered with status 401: .+ \(check the git credentials of this repository/);
    expect(err.message).not.toContain('wrong-token-value');
  });
});

describe('provider specifics', () => {
  it('Gitea: labels are sent as the repository label ids; an unknown label fails naming it', async () => {
    const { provider, h, repoURL } = await setup('gitea');
    await h.run(gitOpenPr, { repoURL, sourceBranch: 'kargo/promotion/p1', targetBranch: 'main', provider: 'gitea', labels: ['urgent', 'promotion'] });
    expect(provider.calls.find((c) => c.method === 'POST')?.body).toMatchObject({ labels: [12, 11] });
    const { h: h2, repoURL: url2 } = await setup('gitea');
    const err = await errorOf(h2.run(gitOpenPr, { repoURL: url2, provider: 'gitea', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main', labels: ['nope'] }));
    expect(err.message).toBe('labels not found in repository acme/app: nope');
  });

  it('Bitbucket: labels are refused (Bitbucket has none); Cloud merge commit hashes are resolved to full SHAs', async () => {
    const { h, repoURL } = await setup('bitbucket-dc');
    const err = await errorOf(h.run(gitOpenPr, { repoURL, provider: 'bitbucket', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main', labels: ['x'] }));
    expect(err.message).toBe('Bitbucket pull requests have no labels; remove labels from the step');
    const cloud = await setup('bitbucket-cloud');
    await cloud.h.run(gitOpenPr, { repoURL: cloud.repoURL, provider: 'bitbucket', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    const res = await cloud.h.run(gitMergePr, { repoURL: cloud.repoURL, provider: 'bitbucket', prNumber: 1 });
    expect(res).toEqual({ status: 'Succeeded', output: { commit: cloud.provider.pull(1).mergeSHA } });
    expect(cloud.provider.calls.some((c) => /\/commit\/[0-9a-f]{12}$/.test(c.path))).toBe(true);
  });

  it('Bitbucket Cloud: a merge answered 202 (in the background) is Running until it is seen merged', async () => {
    const { provider, h, repoURL } = await setup('bitbucket-cloud');
    provider.mergeInBackground = true;
    await h.run(gitOpenPr, { repoURL, provider: 'bitbucket', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    const url = `${provider.base}/acme/app/pull-requests/1`;
    expect(await h.run(gitMergePr, { repoURL, provider: 'bitbucket', prNumber: 1, pollInterval: '3s' })).toEqual({
      status: 'Running',
      retryAfter: '3s',
      message: `${url} is being merged: Bitbucket is merging the pull request in the background`,
    });
    expect(await h.run(gitMergePr, { repoURL, provider: 'bitbucket', prNumber: 1 })).toEqual({ status: 'Succeeded', output: { commit: provider.pull(1).mergeSHA } });
  });

  it('Bitbucket Data Center: the merge carries the version read; a draft is not merged', async () => {
    const { provider, h, repoURL } = await setup('bitbucket-dc');
    await h.run(gitOpenPr, { repoURL, provider: 'bitbucket', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    provider.pull(1).draft = true;
    expect((await errorOf(h.run(gitMergePr, { repoURL, provider: 'bitbucket', prNumber: 1 }))).message).toMatch(/cannot be merged: the pull request is a draft$/);
    provider.pull(1).draft = false;
    provider.pull(1).version = 3;
    expect(await h.run(gitMergePr, { repoURL, provider: 'bitbucket', prNumber: 1 })).toMatchObject({ status: 'Succeeded' });
    expect(provider.calls.some((c) => c.path.endsWith('/pull-requests/1/merge?version=3'))).toBe(true);
  });

  it('Azure DevOps: the PAT goes as Basic auth and every call names api-version 7.1', async () => {
    const { provider, h, repoURL } = await setup('azure');
    await h.run(gitOpenPr, { repoURL, provider: 'azure', sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    expect(provider.calls.length).toBeGreaterThan(1);
    expect(provider.calls.every((c) => c.authorized && c.path.includes('api-version=7.1'))).toBe(true);
    const noToken = await createHarness(disposer, { credentials: new TokenStore(undefined) });
    const err = await errorOf(noToken.run(gitWaitForPr, { repoURL, provider: 'azure', prNumber: 1 }));
    expect(err.message).toMatch(/^Azure DevOps needs a token: no git credentials with a password match/);
  });
});

describe('provider detection and where the API is', () => {
  it.each([
    ['https://github.com/acme/app.git', 'github'],
    ['https://github.example.com/acme/app', 'github'],
    ['https://acme.ghe.com/acme/app', 'github'],
    ['https://gitlab.com/group/sub/app.git', 'gitlab'],
    ['https://gitea.example.com/acme/app.git', 'gitea'],
    ['https://dev.azure.com/org/project/_git/app', 'azure'],
    ['https://org.visualstudio.com/project/_git/app', 'azure'],
    ['https://bitbucket.org/ws/app.git', 'bitbucket'],
    ['https://bitbucket.example.com/scm/proj/app.git', 'bitbucket'],
    ['https://git.example.com/acme/app.git', undefined],
    ['https://bitbucket.org@git.example.com/ws/app.git', undefined],
  ])('%s → %s', (url, expected) => {
    expect(inferProvider(url)).toBe(expected);
  });

  it('needs a provider it can infer or is told, and a URL that fits it', async () => {
    const h = await createHarness(disposer, { credentials: new TokenStore(TOKEN) });
    const unknown = await errorOf(h.run(gitWaitForPr, { repoURL: 'https://git.example.com/a/b.git', prNumber: 1 }));
    expect(unknown.message).toBe(
      'cannot tell the git provider of "https://git.example.com/a/b.git" from its host; set provider (one of github, gitlab, gitea, azure, bitbucket)',
    );
    const azure = await errorOf(h.run(gitWaitForPr, { repoURL: 'https://git.example.com/a/b.git', prNumber: 1, provider: 'azure' }));
    expect(azure.message).toBe('repoURL "https://git.example.com/a/b" is not an Azure DevOps repository URL (https://dev.azure.com/org/project/_git/repo)');
    const bb = await errorOf(h.run(gitWaitForPr, { repoURL: 'https://git.example.com/a/b/c.git', prNumber: 1, provider: 'bitbucket' }));
    expect(bb.message).toMatch(/is neither a Bitbucket Cloud URL .* nor a Bitbucket Data Center clone URL/);
    expect(() => gitWaitForPr.config.parse({ repoURL: 'x', prNumber: 'one' })).toThrow(/expected a pull request number/);
    expect(() => gitOpenPr.config.parse({ repoURL: 'x', sourceBranch: 'a' })).toThrow();
    expect(() => gitMergePr.config.parse({ repoURL: 'x', prNumber: 1, provider: 'svn' })).toThrow();
  });

  it('a manifest cannot send the API (and the token) to another host than the repository', async () => {
    // No field names an API URL: the config refuses one.
    expect(() => gitOpenPr.config.parse({ repoURL: 'https://gitea.example.com/a/b', sourceBranch: 'a', targetBranch: 'b', apiURL: 'http://169.254.169.254' })).toThrow();
    // Bitbucket Cloud on a host other than bitbucket.org: its API would be api.bitbucket.org, a
    // different host: refused unless the operator names that host's API.
    const { provider, h, repoURL } = await setup('bitbucket-cloud');
    setEnv(API_URLS_SETTING, undefined);
    const err = await errorOf(h.run(gitWaitForPr, { repoURL, provider: 'bitbucket', prNumber: 1 }));
    expect(err.message).toBe(`Bitbucket Cloud is not served from ${provider.host}; an operator can name its API URL in ${API_URLS_SETTING} (${provider.host}=https://…)`);
    expect(provider.calls).toHaveLength(0);
    // And every other provider's API is on the repository's own origin.
    const creds = new TokenStore(TOKEN);
    for (const name of ['github', 'gitlab', 'gitea'] as const) {
      const p = await gitProvider('http://10.1.2.3:8080/acme/app.git', { provider: name, credentials: creds });
      expect(JSON.stringify(p)).toContain('"baseURL":"http://10.1.2.3:8080/api/v');
    }
  });

  it('the operator setting is checked, and the egress policy applies to the API host', async () => {
    expect(operatorApiURLs({ [API_URLS_SETTING]: 'git.corp:8443=https://api.corp/v3/, bitbucket.org=http://10.0.0.9/2.0' })).toEqual(
      new Map([
        ['git.corp:8443', 'https://api.corp/v3'],
        ['bitbucket.org', 'http://10.0.0.9/2.0'],
      ]),
    );
    expect(() => operatorApiURLs({ [API_URLS_SETTING]: 'git.corp=ftp://x' })).toThrow(`${API_URLS_SETTING}: "git.corp=ftp://x" is not repoHost=http(s)://api-url`);
    setEnv(API_URLS_SETTING, 'not-an-entry');
    const creds = new TokenStore(TOKEN);
    await expect(gitProvider('https://bitbucket.org/ws/app', { credentials: creds })).rejects.toThrow(
      `${API_URLS_SETTING}: "not-an-entry" is not repoHost=http(s)://api-url`,
    );
    setEnv(API_URLS_SETTING, undefined);
    const { provider, h, repoURL } = await setup('gitea');
    setEnv('SHUNT_EGRESS_ALLOW', '');
    const err = await errorOf(h.run(gitWaitForPr, { repoURL, provider: 'gitea', prNumber: 1 }));
    expect(err.code).toBe('PermissionDenied');
    expect(err.message).toMatch(/^egress refused: 127\.0\.0\.1 port \d+ is a loopback address/);
    expect(provider.calls).toHaveLength(0);
  });
});
