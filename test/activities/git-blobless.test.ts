/**
 * git-clone `blobless: true` (Kargo's field): the worker's mirror, when this checkout creates it,
 * is a partial clone (`--filter=blob:none`, origin its promisor remote). It holds every commit and
 * tree but only the file contents that checkouts needed; a checkout, a commit and a push work as
 * with a complete mirror, and so does a later checkout without `blobless` of another commit.
 * Real repositories: a file:// origin (which serves filters only with uploadpack.allowFilter) and
 * a private one behind HTTP basic auth.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { inCone } from '../../activities/adapters/git/mirror.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { commitToOrigin, createOrigin, Disposer, git, originFile, originHead, originLog, tempDir, type Origin } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { createHarness, newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** An origin with history: three versions of a large-ish file and of files in two directories. */
async function originWithHistory(root?: string): Promise<{ origin: Origin; first: string }> {
  const origin = await createOrigin(disposer, {
    ...(root ? { root, name: 'gitops' } : {}),
    files: { 'README.md': 'v1\n', 'big.txt': 'a'.repeat(100_000), 'apps/web/values.yaml': 'tag: v1\n', 'apps/api/values.yaml': 'api: v1\n' },
  });
  const first = await originHead(origin);
  await commitToOrigin(disposer, origin, { 'big.txt': 'b'.repeat(100_000), 'apps/web/values.yaml': 'tag: v2\n', 'apps/api/values.yaml': 'api: v2\n' }, 'v2');
  await commitToOrigin(disposer, origin, { 'big.txt': 'c'.repeat(100_000), 'apps/web/values.yaml': 'tag: v3\n', 'apps/api/values.yaml': 'api: v3\n' }, 'v3');
  // file:// and http-backend serve filtered fetches (and single objects) only when allowed.
  await git(origin.dir, ['config', 'uploadpack.allowFilter', 'true']);
  await git(origin.dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  return { origin, first };
}

async function config(mirror: string, key: string): Promise<string> {
  return (await git(mirror, ['config', '--get', key]).catch(() => '')).trim();
}

/** Blobs reachable from any ref that the mirror does not hold. */
async function missingBlobs(mirror: string): Promise<string[]> {
  const out = await git(mirror, ['rev-list', '--objects', '--missing=print', '--all']);
  return out
    .split('\n')
    .filter((l) => l.startsWith('?'))
    .map((l) => l.slice(1));
}

/** The blob id of `file` at `rev` (read from trees, which a partial mirror has). */
async function blobOf(mirror: string, rev: string, file: string): Promise<string> {
  return (await git(mirror, ['rev-parse', `${rev}:${file}`])).trim();
}

describe('git-clone blobless', () => {
  it('makes the mirror a partial clone: only this commit’s file contents are fetched; commit and push work', async () => {
    const { origin } = await originWithHistory();
    const h = await createHarness(disposer);
    const head = await originHead(origin);
    const res = await h.run(gitClone, { repoURL: origin.url, blobless: true, checkout: [{ path: 'src', branch: 'main' }] });
    expect(res.output).toEqual({ commits: { src: head } });

    const mirror = h.git.mirrorDir(origin.url);
    expect(await config(mirror, 'remote.origin.promisor')).toBe('true');
    expect(await config(mirror, 'remote.origin.partialclonefilter')).toBe('blob:none');
    // The older versions of big.txt and of the values files were never downloaded.
    const missing = await missingBlobs(mirror);
    expect(missing).toContain(await blobOf(mirror, 'refs/remotes/origin/main~2', 'big.txt'));
    expect(missing).toContain(await blobOf(mirror, 'refs/remotes/origin/main~1', 'apps/web/values.yaml'));
    expect(missing).not.toContain(await blobOf(mirror, 'refs/remotes/origin/main', 'big.txt'));
    expect(fs.readFileSync(h.workspace.resolve('src/big.txt'), 'utf8')).toBe('c'.repeat(100_000));
    expect(fs.readFileSync(h.workspace.resolve('src/apps/web/values.yaml'), 'utf8')).toBe('tag: v3\n');

    fs.writeFileSync(h.workspace.resolve('src/apps/web/values.yaml'), 'tag: v4\n');
    await h.run(gitCommit, { path: 'src', message: 'web v4' });
    const pushed = await h.run(gitPush, { path: 'src' });
    expect(pushed.output?.['commit']).toBe(await originHead(origin));
    expect(await originLog(origin)).toEqual(['web v4', 'v3', 'v2', 'seed']);
    expect(await originFile(origin, 'apps/web/values.yaml')).toBe('tag: v4\n');
    // Later fetches keep the filter: the mirror is still partial after the push's fetch.
    expect(await missingBlobs(mirror)).toContain(await blobOf(mirror, 'refs/remotes/origin/main~3', 'big.txt'));
  });

  it('a later checkout without blobless (another promotion, an older commit) works on the partial mirror', async () => {
    const { origin, first } = await originWithHistory();
    const dataDir = await tempDir(disposer, 'shunt-data-');
    const gitService = newGitService(dataDir);
    const a = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-a' });
    await a.run(gitClone, { repoURL: origin.url, blobless: true, checkout: [{ path: 'src', branch: 'main' }] });
    const mirror = gitService.mirrorDir(origin.url);
    const oldBig = await blobOf(mirror, first, 'big.txt');
    expect(await missingBlobs(mirror)).toContain(oldBig);

    const b = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-b' });
    const res = await b.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'old', commit: first }, { path: 'tip', branch: 'main' }] });
    expect(res.output).toEqual({ commits: { old: first, tip: await originHead(origin) } });
    expect(fs.readFileSync(b.workspace.resolve('old/big.txt'), 'utf8')).toBe('a'.repeat(100_000));
    expect(fs.readFileSync(b.workspace.resolve('old/apps/api/values.yaml'), 'utf8')).toBe('api: v1\n');
    expect(gitService.stats.mirrorsCreated).toBe(1);
    // The mirror is still partial; it now holds the first commit's contents too.
    expect(await config(mirror, 'remote.origin.promisor')).toBe('true');
    expect(await missingBlobs(mirror)).not.toContain(oldBig);
    expect(await missingBlobs(mirror)).toContain(await blobOf(mirror, 'refs/remotes/origin/main~1', 'big.txt'));
  });

  it('a sparse blobless checkout fetches only the contents inside its cone', async () => {
    const { origin } = await originWithHistory();
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, blobless: true, checkout: [{ path: 'src', branch: 'main', sparse: ['apps/web'] }] });
    const mirror = h.git.mirrorDir(origin.url);
    const missing = await missingBlobs(mirror);
    expect(missing).not.toContain(await blobOf(mirror, 'refs/remotes/origin/main', 'apps/web/values.yaml'));
    expect(missing).not.toContain(await blobOf(mirror, 'refs/remotes/origin/main', 'README.md'));
    expect(missing).toContain(await blobOf(mirror, 'refs/remotes/origin/main', 'apps/api/values.yaml'));
    // Top-level files are in every cone; their history is not.
    expect(missing).not.toContain(await blobOf(mirror, 'refs/remotes/origin/main', 'big.txt'));
    expect(missing).toContain(await blobOf(mirror, 'refs/remotes/origin/main~1', 'big.txt'));
    expect(fs.readFileSync(h.workspace.resolve('src/apps/web/values.yaml'), 'utf8')).toBe('tag: v3\n');
    expect(fs.existsSync(h.workspace.resolve('src/apps/api'))).toBe(false);
  });

  it('a private repository over http: the contents are fetched with the checkout’s credentials, also for a rebase when the remote moved', async () => {
    const root = await tempDir(disposer, 'shunt-http-');
    const { origin } = await originWithHistory(root);
    const server = new GitHttpServer({ root, auth: { username: 'promoter', password: 'pa55-w0rd-t0ken' } });
    await server.start();
    disposer.add(() => server.stop());
    const url = server.url('gitops');
    const creds = path.join(await tempDir(disposer, 'shunt-creds-'), 'git.yaml');
    fs.writeFileSync(
      creds,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo\n  namespace: guestbook\n  labels: {kargo.akuity.io/cred-type: git}\nstringData:\n  repoURL: ${url}\n  username: promoter\n  password: pa55-w0rd-t0ken\n`,
    );
    const h = await createHarness(disposer, { credentials: new FileCredentialStore(creds) });
    await h.run(gitClone, { repoURL: url, blobless: true, checkout: [{ path: 'src', branch: 'main' }] });
    const mirror = h.git.mirrorDir(url);
    expect(await config(mirror, 'remote.origin.promisor')).toBe('true');
    expect(await missingBlobs(mirror)).toContain(await blobOf(mirror, 'refs/remotes/origin/main~2', 'big.txt'));
    expect(fs.readFileSync(h.workspace.resolve('src/big.txt'), 'utf8')).toBe('c'.repeat(100_000));
    fs.writeFileSync(h.workspace.resolve('src/README.md'), 'v2\n');
    await h.run(gitCommit, { path: 'src', message: 'readme' });
    await h.run(gitPush, { path: 'src' });
    expect(await originFile(origin, 'README.md')).toBe('v2\n');
    expect(server.requests.every((r) => r.status !== 401 || !r.hadAuthorization)).toBe(true);

    // The remote moves on (another file changes): the push fetches, gets the new contents with
    // the credentials, rebases and pushes.
    await commitToOrigin(disposer, origin, { 'big.txt': 'd'.repeat(100_000) }, 'someone else');
    fs.writeFileSync(h.workspace.resolve('src/README.md'), 'v3\n');
    await h.run(gitCommit, { path: 'src', message: 'readme again' });
    const pushed = await h.run(gitPush, { path: 'src' });
    expect(pushed.output?.['commit']).toBe(await originHead(origin));
    expect(await originLog(origin)).toEqual(['readme again', 'someone else', 'readme', 'v3', 'v2', 'seed']);
    expect(await originFile(origin, 'big.txt')).toBe('d'.repeat(100_000));
    expect(fs.readFileSync(h.workspace.resolve('src/big.txt'), 'utf8')).toBe('d'.repeat(100_000));

    // The api's read of what a commit changed (mirror-reads.ts) needs blobs this mirror lacks:
    // git fetches them while it reads, with the credentials and the egress pin of a fetch.
    const [v2, seed] = await Promise.all(['main~4', 'main~5'].map(async (rev) => (await git(mirror, ['rev-parse', `refs/remotes/origin/${rev}`])).trim()));
    const needed = await Promise.all([blobOf(mirror, seed!, 'big.txt'), blobOf(mirror, v2!, 'big.txt')]);
    expect(await missingBlobs(mirror)).toEqual(expect.arrayContaining(needed));
    await expect(h.git.reads({ repoURL: url }).changedFiles(mirror, seed!, v2!, 1024 * 1024)).rejects.toThrow();
    const reads = h.git.reads({ repoURL: url, credentials: { username: 'promoter', password: 'pa55-w0rd-t0ken' } });
    const bigFile = (await reads.changedFiles(mirror, seed!, v2!, 1024 * 1024)).find((f) => f.path === 'big.txt');
    expect(bigFile).toMatchObject({ status: 'M', additions: 1, deletions: 1, binary: false });
    expect(await reads.filePatch(mirror, seed!, v2!, { path: 'big.txt' })).toContain(`+${'b'.repeat(100)}`);
    expect(server.requests.every((r) => r.status !== 401 || !r.hadAuthorization)).toBe(true);
  });
});

describe('inCone (which files a cone-mode sparse checkout holds)', () => {
  it.each<[string, boolean]>([
    ['README.md', true],
    ['apps/web/values.yaml', true],
    ['apps/web/deep/x.yaml', true],
    ['apps/kustomization.yaml', true],
    ['apps/api/values.yaml', false],
    ['other/file', false],
    ['apps/webby/x', false],
  ])('%s → %s', (file, expected) => {
    expect(inCone(file, ['apps/web/'])).toBe(expected);
  });
});
