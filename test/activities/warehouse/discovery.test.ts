/**
 * Discovery against real sources: git repositories through the worker's mirror, a Helm
 * index.yaml over HTTP, an OCI chart and images in docker-registry.
 */
import { createServer, type Server } from 'node:http';
import { EmptyCredentialStore } from '../../../activities/adapters/credentials.js';
import { GitService } from '../../../activities/adapters/git/git-service.js';
import type { OciClient } from '../../../activities/adapters/oci/client.js';
import { ImageInfoCache } from '../../../activities/adapters/oci/image-cache.js';
import { discoverCharts } from '../../../activities/discovery/charts.js';
import { discoverCommits } from '../../../activities/discovery/git.js';
import { discoverImages } from '../../../activities/discovery/images.js';
import { discoverWarehouse } from '../../../activities/discovery/warehouse.js';
import { commitToOrigin, createOrigin, Disposer, git, hermeticEnv, tempDir, type Origin } from '../../support/git-repos.js';
import { pushImage, tagManifest } from '../../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../../support/oci-registry.js';

describe('git discovery', () => {
  const disposer = new Disposer();
  let origin: Origin;
  let service: GitService;
  const commits: Record<string, string> = {};

  beforeAll(async () => {
    origin = await createOrigin(disposer, { files: { 'README.md': 'hi\n' } });
    commits['app'] = await commitToOrigin(disposer, origin, { 'apps/web/main.go': 'package main\n' }, 'web: first');
    commits['docs'] = await commitToOrigin(disposer, origin, { 'docs/guide.md': '# guide\n' }, 'docs: guide');
    commits['v1'] = await commitToOrigin(disposer, origin, { 'apps/web/v.txt': '1\n' }, 'release 1.0.0');
    await git(origin.dir, ['tag', '-a', 'v1.0.0', '-m', 'one', commits['v1']!], { GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' });
    commits['v2'] = await commitToOrigin(disposer, origin, { 'apps/web/v.txt': '2\n' }, 'release 2.0.0-rc.1');
    await git(origin.dir, ['tag', '-a', 'v2.0.0-rc.1', '-m', 'rc', commits['v2']!], { GIT_COMMITTER_DATE: '2024-03-01T00:00:00Z' });
    await git(origin.dir, ['tag', '-a', 'v1.1.0', '-m', 'patch', commits['v1']!], { GIT_COMMITTER_DATE: '2024-02-01T00:00:00Z' });
    service = new GitService({ dataDir: await tempDir(disposer), env: hermeticEnv() });
  });
  afterAll(() => disposer.dispose());

  const deps = () => ({ git: service, credentials: undefined });

  it('finds the newest commits of the default branch, with message and author', async () => {
    const found = await discoverCommits({ repoURL: origin.url, discoveryLimit: 2 }, deps());
    expect(found).toEqual([
      { id: commits['v2'], branch: 'main', subject: 'release 2.0.0-rc.1', author: 'Test Seeder <seeder@example.test>', committer: 'Test Seeder <seeder@example.test>', creatorDate: expect.any(String) },
      expect.objectContaining({ id: commits['v1'], subject: 'release 1.0.0' }),
    ]);
  });

  it('keeps only commits that changed an included, not excluded, path', async () => {
    const found = await discoverCommits({ repoURL: origin.url, includePaths: ['glob:apps/**'], excludePaths: ['apps/web/v.txt'] }, deps());
    expect(found.map((c) => c.id)).toEqual([commits['app']]);
    const docs = await discoverCommits({ repoURL: origin.url, includePaths: ['regex:^docs/'] }, deps());
    expect(docs.map((c) => c.subject)).toEqual(['docs: guide']);
  });

  it('applies expressionFilter', async () => {
    const found = await discoverCommits({ repoURL: origin.url, expressionFilter: "subject startsWith 'release'" }, deps());
    expect(found.map((c) => c.subject)).toEqual(['release 2.0.0-rc.1', 'release 1.0.0']);
  });

  it.each([
    ['SemVer', { commitSelectionStrategy: 'SemVer' as const }, ['v2.0.0-rc.1', 'v1.1.0', 'v1.0.0']],
    ['SemVer within a constraint', { commitSelectionStrategy: 'SemVer' as const, semverConstraint: '^1' }, ['v1.1.0', 'v1.0.0']],
    ['Lexical', { commitSelectionStrategy: 'Lexical' as const }, ['v2.0.0-rc.1', 'v1.1.0', 'v1.0.0']],
    ['NewestTag', { commitSelectionStrategy: 'NewestTag' as const }, ['v2.0.0-rc.1', 'v1.1.0', 'v1.0.0']],
    ['NewestTag, ignoring rc tags', { commitSelectionStrategy: 'NewestTag' as const, ignoreTagsRegexes: ['-rc'] }, ['v1.1.0', 'v1.0.0']],
  ])('selects tags by %s', async (_n, sub, expected) => {
    const found = await discoverCommits({ repoURL: origin.url, ...sub }, deps());
    expect(found.map((c) => c.tag)).toEqual(expected);
    expect(found.find((c) => c.tag === 'v1.1.0')?.id).toBe(commits['v1']);
  });

  it('reuses the worker mirror instead of cloning per scan', async () => {
    const created = service.stats.mirrorsCreated;
    await discoverCommits({ repoURL: origin.url }, deps());
    await discoverCommits({ repoURL: origin.url }, deps());
    expect(service.stats.mirrorsCreated).toBe(created);
    expect(created).toBe(1);
  });

  it.each([
    [{ branch: 'nope' }, 'branch "nope" does not exist in'],
    [{ includePaths: ['regex:('] }, 'includePaths: invalid regular expression "("'],
    [{ since: 'yesterday' }, 'since: "yesterday" is not an RFC 3339 time'],
    [{ commitSelectionStrategy: 'SemVer' as const, semverConstraint: '???' }, 'invalid semver constraint "???"'],
  ])('rejects %j with a clear error', async (sub, message) => {
    await expect(discoverCommits({ repoURL: origin.url, ...sub }, deps())).rejects.toThrow(message);
  });

  it('says when the repository cannot be reached', async () => {
    await expect(discoverCommits({ repoURL: 'file:///no/such/repo.git' }, deps())).rejects.toThrow(/no\/such\/repo/);
  });
});

describe('chart discovery', () => {
  let server: Server;
  let base = '';
  let registry: TestRegistry;
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (status !== 200) return void res.writeHead(status).end('nope');
      if (req.url !== '/charts/index.yaml') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/x-yaml' }).end(`apiVersion: v1
entries:
  guestbook:
  - {name: guestbook, version: 1.0.0, urls: [guestbook-1.0.0.tgz]}
  - {name: guestbook, version: 1.4.2, urls: [guestbook-1.4.2.tgz]}
  - {name: guestbook, version: 2.0.0, urls: [guestbook-2.0.0.tgz]}
  other:
  - {name: other, version: 9.9.9}
`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/charts`;
    registry = await startRegistry();
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await registry.dispose();
  });

  it('reads versions from a classic repository index.yaml', async () => {
    expect(await discoverCharts({ repoURL: base, name: 'guestbook' }, { credentials: undefined })).toEqual(['2.0.0', '1.4.2', '1.0.0']);
    expect(await discoverCharts({ repoURL: `${base}/`, name: 'guestbook', semverConstraint: '^1.0' }, { credentials: undefined })).toEqual(['1.4.2', '1.0.0']);
  });

  it('reads versions of an OCI chart from its tags', async () => {
    await pushImage(registry.host, 'charts/guestbook', '0.1.0');
    await tagManifest(registry.host, 'charts/guestbook', '0.1.0', ['0.2.0', '0.3.0_build.1']);
    expect(await discoverCharts({ repoURL: `oci://${registry.host}/charts/guestbook`, semverConstraint: '<1' }, { credentials: undefined })).toEqual(['0.3.0+build.1', '0.2.0', '0.1.0']);
  });

  it('says what is wrong', async () => {
    await expect(discoverCharts({ repoURL: base, name: 'missing' }, { credentials: undefined })).rejects.toThrow(`chart "missing" is not in ${base}/index.yaml`);
    await expect(discoverCharts({ repoURL: 'ftp://x/charts', name: 'a' }, { credentials: undefined })).rejects.toThrow('is not an http(s) or oci:// URL');
    status = 503;
    await expect(discoverCharts({ repoURL: base, name: 'guestbook' }, { credentials: undefined })).rejects.toMatchObject({ kind: 'Unavailable', message: expect.stringContaining('answered 503') });
    status = 401;
    await expect(discoverCharts({ repoURL: base, name: 'guestbook' }, { credentials: undefined })).rejects.toMatchObject({ kind: 'Unauthorized' });
    status = 200;
  });
});

describe('image discovery', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.host, 'disc/app', '1.0.0', { created: '2024-03-01T00:00:00Z', content: '1' });
    await pushImage(registry.host, 'disc/app', '1.1.0', { created: '2024-01-01T00:00:00Z', content: '2', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    await pushImage(registry.host, 'disc/app', '1.2.0', { created: '2024-02-01T00:00:00Z', content: '3', platforms: [{ os: 'linux', architecture: 'amd64' }] });
  });
  afterAll(() => registry.dispose());

  it('orders by build time with NewestBuild', async () => {
    const found = await discoverImages({ repoURL: `${registry.host}/disc/app`, imageSelectionStrategy: 'NewestBuild' }, { cache: new ImageInfoCache(), credentials: undefined });
    expect(found.map((i) => [i.tag, i.createdAt])).toEqual([
      ['1.0.0', '2024-03-01T00:00:00.000Z'],
      ['1.2.0', '2024-02-01T00:00:00.000Z'],
      ['1.1.0', '2024-01-01T00:00:00.000Z'],
    ]);
  });

  it('skips tags without the platform asked for', async () => {
    const found = await discoverImages({ repoURL: `${registry.host}/disc/app`, platform: 'linux/arm64' }, { cache: new ImageInfoCache(), credentials: undefined });
    expect(found.map((i) => i.tag)).toEqual(['1.1.0']);
  });

  it('never reads a known manifest twice: a warm scan only asks for digests', async () => {
    const cache = new ImageInfoCache();
    const clients: OciClient[] = [];
    const sub = { repoURL: `${registry.host}/disc/app` };
    const first = await discoverImages(sub, { cache, credentials: undefined, onClient: (c) => clients.push(c) });
    const second = await discoverImages(sub, { cache, credentials: undefined, onClient: (c) => clients.push(c) });
    expect(second).toEqual(first);
    expect(clients[0]!.counts.manifestGets).toBeGreaterThan(0);
    expect(clients[1]!.counts).toMatchObject({ manifestGets: 0, blobGets: 0, manifestHeads: 3 });
    const byTag = await discoverImages({ ...sub, cacheByTag: true }, { cache, credentials: undefined });
    const again: OciClient[] = [];
    await discoverImages({ ...sub, cacheByTag: true }, { cache, credentials: undefined, onClient: (c) => again.push(c) });
    expect(byTag.map((i) => i.tag)).toEqual(['1.2.0', '1.1.0', '1.0.0']);
    expect(again[0]!.counts).toMatchObject({ manifestGets: 0, manifestHeads: 0, tagPages: 1 });
  });

  it('scans a whole warehouse, naming the failing subscription', async () => {
    const spec = { subscriptions: [{ image: { repoURL: `${registry.host}/disc/app` } }, { name: 'broken', image: { repoURL: `${registry.host}/disc/app`, platform: 'linux' } }] };
    await expect(
      discoverWarehouse(spec, { credentials: new EmptyCredentialStore(), imageCache: new ImageInfoCache(), git: new GitService({ dataDir: '/tmp/unused-shunt-git' }) }),
    ).rejects.toThrow('subscriptions[1] (broken): platform: "linux" is not os/arch[/variant]');
  });
});
