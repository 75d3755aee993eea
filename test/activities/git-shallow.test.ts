/**
 * git-clone `depth` (a Shunt extension): the worker's mirror, when this step creates it, is
 * shallow (`depth` commits per branch and tag). Later fetches add only what is new and keep it
 * shallow; checkout, commit and push work; a later checkout without `depth`, or of a commit the
 * shallow history lacks, unshallows the mirror first. Real repositories over file://.
 */
import * as fs from 'node:fs';
import { GitCloneConfig, gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { commitToOrigin, createOrigin, Disposer, git, originFile, originHead, originLog, tempDir, type Origin } from '../support/git-repos.js';
import { createHarness, newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** An origin with five commits on main; returns it and the oldest commit. */
async function originWithHistory(): Promise<{ origin: Origin; oldest: string }> {
  const origin = await createOrigin(disposer, { files: { 'values.yaml': 'tag: v0\n' } });
  const oldest = await originHead(origin);
  for (let i = 1; i <= 4; i++) await commitToOrigin(disposer, origin, { 'values.yaml': `tag: v${i}\n` }, `v${i}`);
  return { origin, oldest };
}

async function depthOf(mirror: string): Promise<number> {
  return Number((await git(mirror, ['rev-list', '--count', 'refs/remotes/origin/main'])).trim());
}

async function shared(): Promise<{ dataDir: string; gitService: ReturnType<typeof newGitService> }> {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  return { dataDir, gitService: newGitService(dataDir) };
}

describe('git-clone depth (shallow mirrors)', () => {
  it('makes a shallow mirror; checkout, commit and push work; later fetches bring only what is new', async () => {
    const { origin } = await originWithHistory();
    const { dataDir, gitService } = await shared();
    const a = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-a' });
    await a.run(gitClone, { repoURL: origin.url, depth: 1, checkout: [{ path: 'src', branch: 'main' }] });
    const mirror = gitService.mirrorDir(origin.url);
    expect(fs.existsSync(`${mirror}/shallow`)).toBe(true);
    expect(await depthOf(mirror)).toBe(1);
    expect(fs.readFileSync(a.workspace.resolve('src/values.yaml'), 'utf8')).toBe('tag: v4\n');

    fs.writeFileSync(a.workspace.resolve('src/values.yaml'), 'tag: v5\n');
    await a.run(gitCommit, { path: 'src', message: 'v5' });
    await a.run(gitPush, { path: 'src' });
    expect(await originLog(origin)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1', 'seed']);
    expect(await originFile(origin, 'values.yaml')).toBe('tag: v5\n');

    // Someone else pushes; the next promotion's fetch adds that commit and stays shallow.
    await commitToOrigin(disposer, origin, { 'values.yaml': 'tag: v6\n' }, 'v6');
    const b = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-b' });
    const res = await b.run(gitClone, { repoURL: origin.url, depth: 1, checkout: [{ path: 'src', branch: 'main' }] });
    expect(res.output).toEqual({ commits: { src: await originHead(origin) } });
    expect(fs.readFileSync(b.workspace.resolve('src/values.yaml'), 'utf8')).toBe('tag: v6\n');
    expect(fs.existsSync(`${mirror}/shallow`)).toBe(true);
    expect(await depthOf(mirror)).toBe(3); // v6, v5 and the old boundary v4
    expect(gitService.stats.mirrorsCreated).toBe(1);
  });

  it('a later checkout without depth unshallows the mirror (full history)', async () => {
    const { origin } = await originWithHistory();
    const { dataDir, gitService } = await shared();
    const a = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-a' });
    await a.run(gitClone, { repoURL: origin.url, depth: 2, checkout: [{ path: 'src', branch: 'main' }] });
    const mirror = gitService.mirrorDir(origin.url);
    expect(await depthOf(mirror)).toBe(2);

    const b = await createHarness(disposer, { dataDir, git: gitService, workspaceKey: 'promo-b' });
    await b.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    expect(fs.existsSync(`${mirror}/shallow`)).toBe(false);
    expect(await depthOf(mirror)).toBe(5);
    expect((await git(b.workspace.resolve('src'), ['log', '--format=%s'])).trim().split('\n')).toEqual(['v4', 'v3', 'v2', 'v1', 'seed']);
  });

  it('a checkout of a commit older than the shallow history unshallows the mirror and finds it', async () => {
    const { origin, oldest } = await originWithHistory();
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, depth: 1, checkout: [{ path: 'tip', branch: 'main' }] });
    const res = await h.run(gitClone, { repoURL: origin.url, depth: 1, checkout: [{ path: 'old', commit: oldest }] });
    expect(res.output).toEqual({ commits: { old: oldest } });
    expect(fs.readFileSync(h.workspace.resolve('old/values.yaml'), 'utf8')).toBe('tag: v0\n');
    expect(fs.existsSync(`${h.git.mirrorDir(origin.url)}/shallow`)).toBe(false);
    // A commit that exists nowhere is still a clear error after unshallowing.
    await expect(h.run(gitClone, { repoURL: origin.url, depth: 1, checkout: [{ path: 'nope', commit: 'a'.repeat(40) }] })).rejects.toMatchObject({
      code: 'StepFailed',
      message: `commit ${'a'.repeat(40)} not found in ${origin.url}`,
    });
  });

  it('blobless and depth together: a shallow partial mirror', async () => {
    const { origin } = await originWithHistory();
    await git(origin.dir, ['config', 'uploadpack.allowFilter', 'true']);
    await git(origin.dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, depth: 1, blobless: true, checkout: [{ path: 'src', branch: 'main' }] });
    const mirror = h.git.mirrorDir(origin.url);
    expect(fs.existsSync(`${mirror}/shallow`)).toBe(true);
    expect((await git(mirror, ['config', '--get', 'remote.origin.partialclonefilter'])).trim()).toBe('blob:none');
    expect(fs.readFileSync(h.workspace.resolve('src/values.yaml'), 'utf8')).toBe('tag: v4\n');
  });

  it.each<[unknown, string]>([
    [0, 'Too small'],
    [-3, 'Too small'],
    [1.5, 'expected int'],
    ['10', 'expected number'],
  ])('depth %j is refused by the schema', (depth, message) => {
    const parsed = GitCloneConfig.safeParse({ repoURL: 'https://example.com/r.git', depth });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['depth']);
    expect(parsed.error?.issues[0]?.message).toMatch(new RegExp(message, 'i'));
  });
});
