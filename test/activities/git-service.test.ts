import { jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commitURL, GitService, isCommitId, isValidRefName, redact } from '../../activities/adapters/git/index.js';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import { lockHolderText } from '../../activities/adapters/git/mirror-locks.js';
import { Mirrors } from '../../activities/adapters/git/mirror.js';
import { POOL_PER_MIRROR } from '../../activities/adapters/git/worktree-pool.js';
import { createWorkspace } from '../../activities/adapters/workspace.js';
import { commitToOrigin, createOrigin, Disposer, git, hermeticEnv, originHead, originLog, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe('GitService mirrors', () => {
  it('creates one mirror per repository once, then only fetches', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws1 = await createWorkspace(path.join(dataDir, 'work'), 'one');
    const ws2 = await createWorkspace(path.join(dataDir, 'work'), 'two');

    await svc.checkout({ repoURL: origin.url, dir: ws1.resolve('src'), branch: 'main' });
    const mirror = svc.mirrorDir(origin.url);
    const inode = fs.statSync(mirror).ino;
    expect(svc.stats).toMatchObject({ mirrorsCreated: 1, mirrorFetches: 0 });

    const newer = await commitToOrigin(disposer, origin, { 'n.txt': 'n\n' }, 'newer');
    const res = await svc.checkout({ repoURL: `${origin.url}/`, dir: ws2.resolve('src'), branch: 'main' });

    expect(svc.stats).toMatchObject({ mirrorsCreated: 1, mirrorFetches: 1 });
    expect(fs.statSync(mirror).ino).toBe(inode);
    expect(res.commit).toBe(newer);
    expect(fs.readdirSync(svc.mirrorsRoot).filter((n) => n.endsWith('.git'))).toHaveLength(1);
    // The checkout shares the mirror's objects instead of copying them.
    expect(fs.existsSync(path.join(ws2.resolve('src'), '.git', 'objects'))).toBe(false);
  });

  it("fetches from the spelling in use: the mirror's origin follows it, and is left as it is when it already has it", async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const configOf = (): string => fs.readFileSync(path.join(svc.mirrorDir(origin.url), 'config'), 'utf8');
    const originURL = async (): Promise<string> => (await git(svc.mirrorDir(origin.url), ['config', '--get-all', 'remote.origin.url'])).trim();
    await svc.syncMirror(origin.url);
    await svc.syncMirror(`${origin.url}/`);
    expect(await originURL()).toBe(`${origin.url}/`);
    const before = configOf();
    const modified = fs.statSync(path.join(svc.mirrorDir(origin.url), 'config')).mtimeMs;
    await svc.syncMirror(`${origin.url}/`);
    expect(svc.stats.mirrorFetches).toBe(2);
    expect(configOf()).toBe(before);
    expect(fs.statSync(path.join(svc.mirrorDir(origin.url), 'config')).mtimeMs).toBe(modified);
    await svc.syncMirror(origin.url);
    expect(await originURL()).toBe(origin.url);
  });

  it('serves concurrent checkouts of the same branch in different workspaces', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const workspaces = await Promise.all(
      ['a', 'b', 'c', 'd'].map((k) => createWorkspace(path.join(dataDir, 'work'), k)),
    );

    const results = await Promise.all(
      workspaces.map((ws) => svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' })),
    );

    const head = await originHead(origin);
    expect(results.map((r) => r.commit)).toEqual([head, head, head, head]);
    expect(svc.stats.mirrorsCreated).toBe(1);
    expect(fs.existsSync(`${svc.mirrorDir(origin.url)}.lock`)).toBe(false);
  });

  it('makes a fresh worktree\'s entry while it holds the mirror lock, so no fetch sees it half made', async () => {
    // A fetch that brings new commits reads every worktree's HEAD: beside an unfinished entry it
    // failed, "bad object worktrees/<id>/HEAD", when `worktree add` ran outside the mirror's
    // lock (bench/README.md, stop 33). Each locked section notes whether the checkout's `.git`
    // (written last, once its entry is whole) was there when it began and when it ended.
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const workspaces = await Promise.all(['a', 'b', 'c'].map((k) => createWorkspace(path.join(dataDir, 'work'), k)));
    const dirs = workspaces.map((ws) => ws.resolve('src'));
    const sections: string[] = [];
    const withLock = Mirrors.prototype.withLock;
    const spy = jest.spyOn(Mirrors.prototype, 'withLock').mockImplementation(async function <T>(this: Mirrors, mirror: string, fn: () => Promise<T>): Promise<T> {
      const had = dirs.map((d) => fs.existsSync(path.join(d, '.git')));
      const result = await withLock.call(this, mirror, fn);
      dirs.forEach((d, i) => {
        if (!had[i] && fs.existsSync(path.join(d, '.git'))) sections.push(`made ${path.basename(path.dirname(d))}`);
      });
      return result as T;
    });
    try {
      for (const dir of dirs) await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    } finally {
      spy.mockRestore();
    }

    expect(sections).toEqual(['made a', 'made b', 'made c']);
  });

  /** An origin and a service that has made its mirror already: the next sync of it fetches. */
  async function mirrored() {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    await svc.syncMirror(origin.url);
    return { origin, dataDir, svc, fetchesBefore: svc.stats.mirrorFetches };
  }

  it('lets checkouts that start together share a fetch: one that waits joins the one queued, which starts after it asked', async () => {
    const { origin, dataDir, svc } = await mirrored();
    const newer = await commitToOrigin(disposer, origin, { 'n.txt': 'n\n' }, 'newer');
    const workspaces = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => createWorkspace(path.join(dataDir, 'work'), k)));

    const results = await Promise.all(workspaces.map((ws) => svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' })));

    // Every checkout sees the commit made before it asked. Those that asked before a fetch began
    // share it: one fetch for all six, or two when the first began before the others asked.
    expect(results.map((r) => r.commit)).toEqual(Array(6).fill(newer));
    expect(svc.stats.mirrorFetches).toBeGreaterThanOrEqual(1);
    expect(svc.stats.mirrorFetches).toBeLessThanOrEqual(2);
  });

  /** Runs `fn` while another live process (this one's parent) holds the mirror's lock file, so that the syncs it starts queue behind it. */
  async function whileLocked(mirror: string, fn: () => Promise<void>): Promise<void> {
    const lockFile = `${mirror}.lock`;
    await fs.promises.writeFile(lockFile, lockHolderText(process.ppid), { flag: 'wx' });
    try {
      await fn();
    } finally {
      await fs.promises.rm(lockFile, { force: true });
    }
  }

  it('fails every sync that shared a fetch that failed, with its error, after that one fetch: none fetches again on its own', async () => {
    const { origin, svc, fetchesBefore } = await mirrored();
    await fs.promises.rename(origin.dir, `${origin.dir}.gone`);

    let syncs: Promise<PromiseSettledResult<string>[]> | undefined;
    await whileLocked(svc.mirrorDir(origin.url), async () => {
      syncs = Promise.allSettled([1, 2, 3, 4].map(() => svc.syncMirror(origin.url)));
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    const settled = await syncs!;

    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    const reasons = settled.map((s) => String((s as PromiseRejectedResult).reason));
    expect(new Set(reasons).size).toBe(1);
    expect(svc.stats.mirrorFetches - fetchesBefore).toBe(1);
  });

  it('lets the syncs that shared a fetch its own caller cancelled fetch on their own', async () => {
    const { origin, svc } = await mirrored();
    const newer = await commitToOrigin(disposer, origin, { 'n.txt': 'n\n' }, 'newer');
    const cancel = new AbortController();

    let first: Promise<PromiseSettledResult<string>[]> | undefined;
    let others: Promise<string[]> | undefined;
    await whileLocked(svc.mirrorDir(origin.url), async () => {
      first = Promise.allSettled([svc.syncMirror(origin.url, { signal: cancel.signal })]);
      others = Promise.all([1, 2, 3].map(() => svc.syncMirror(origin.url)));
      await new Promise((resolve) => setTimeout(resolve, 200));
      cancel.abort(new Error('cancelled by its caller'));
    });

    expect((await first!).map((r) => r.status)).toEqual(['rejected']);
    await others!;
    expect((await git(svc.mirrorDir(origin.url), ['rev-parse', 'refs/remotes/origin/main'])).trim()).toBe(newer);
  });

  it('does not let a sync with other credentials join: each fetches with its own', async () => {
    const { origin, svc, fetchesBefore } = await mirrored();

    await Promise.all([
      svc.syncMirror(origin.url),
      svc.syncMirror(origin.url, { credentials: { username: 'a', password: 'one' } }),
      svc.syncMirror(origin.url, { credentials: { username: 'b', password: 'two' } }),
    ]);

    expect(svc.stats.mirrorFetches - fetchesBefore).toBe(3);
  });

  it('pushes a commit on the remote\'s tip with one git process before the push, and pushes nothing when the remote has it', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    const dir = ws.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    await fs.promises.writeFile(path.join(dir, 'new.txt'), 'new\n');
    const { commit } = await svc.commit(dir, { message: 'add new.txt' });
    const ran: string[] = [];
    const run = GitCommand.prototype.run;
    const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...args: Parameters<typeof run>) {
      ran.push(args[0].filter((a) => !a.startsWith('-c') && !a.includes('=')).join(' '));
      return run.apply(this, args);
    });
    try {
      expect(await svc.push(dir)).toEqual({ branch: 'main', commit, pushed: true, attempts: 1 });
      const pushAt = ran.findIndex((c) => c.startsWith('push'));
      expect(ran.slice(0, pushAt).filter((c) => !c.startsWith('config'))).toEqual(['rev-parse HEAD refs/remotes/origin/main^{commit} HEAD^@ --']);
      ran.length = 0;
      // Again: the remote branch is HEAD now, so nothing is pushed.
      expect(await svc.push(dir)).toEqual({ branch: 'main', commit, pushed: false, attempts: 1 });
      expect(ran.filter((c) => !c.startsWith('config'))).toEqual(['rev-parse HEAD refs/remotes/origin/main^{commit} HEAD^@ --']);
    } finally {
      spy.mockRestore();
    }
    expect(await originHead(origin)).toBe(commit);
  });

  it('pushes from two workspaces of the same branch; the second integrates the first', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const dirs: string[] = [];
    for (const k of ['dev', 'prod']) {
      const ws = await createWorkspace(path.join(dataDir, 'work'), k);
      const dir = ws.resolve('src');
      await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
      await fs.promises.writeFile(path.join(dir, `${k}.txt`), k);
      await svc.commit(dir, { message: `update ${k}` });
      dirs.push(dir);
    }

    await Promise.all(dirs.map((dir) => svc.push(dir)));

    const log = await originLog(origin);
    expect(log).toHaveLength(3);
    expect(log.slice(0, 2).sort()).toEqual(['update dev', 'update prod']);
  });

  it('releases a workspace: worktrees removed and pruned from the mirror, others kept', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const keep = await createWorkspace(path.join(dataDir, 'work'), 'keep');
    const drop = await createWorkspace(path.join(dataDir, 'work'), 'drop');
    await svc.checkout({ repoURL: origin.url, dir: keep.resolve('src'), branch: 'main' });
    await svc.checkout({ repoURL: origin.url, dir: drop.resolve('.'), branch: 'main' });
    await svc.checkout({ repoURL: origin.url, dir: drop.resolve('nested/out'), branch: 'main' });

    await svc.releaseWorktrees(drop.root);
    await svc.releaseWorktrees(drop.root);

    const list = await git(svc.mirrorDir(origin.url), ['worktree', 'list', '--porcelain']);
    expect(list).toContain(keep.resolve('src'));
    expect(list).not.toContain(drop.root);
    expect(fs.existsSync(path.join(drop.root, 'README.md'))).toBe(false);
    expect(fs.existsSync(keep.resolve('src/README.md'))).toBe(true);
  });

  it('a checkout holds the mirror\'s lock only for its worktree entry, made without git: its files are written after it; a plain commit message gets its trailer without git', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    await svc.checkout({ repoURL: origin.url, dir: (await createWorkspace(path.join(dataDir, 'work'), 'first')).resolve('src'), branch: 'main' });
    const lock = `${svc.mirrorDir(origin.url)}.lock`;
    const ran: { cmd: string; locked: boolean }[] = [];
    const run = GitCommand.prototype.run;
    const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...args: Parameters<typeof run>) {
      ran.push({ cmd: args[0].filter((a) => !a.startsWith('/')).join(' '), locked: fs.existsSync(lock) });
      return run.apply(this, args);
    });
    const dir = (await createWorkspace(path.join(dataDir, 'work'), 'second')).resolve('src');
    try {
      await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
      await fs.promises.writeFile(path.join(dir, 'new.txt'), 'new\n');
      await svc.commit(dir, { message: 'add new.txt', trailers: { 'Shunt-Promotion': 'dev.p1' } });
    } finally {
      spy.mockRestore();
    }
    const head = await originHead(origin);
    // Its entry is files written under the lock (worktree-entry.ts), not a git process.
    expect(ran.map((r) => r.cmd)).not.toContainEqual(expect.stringMatching(/^worktree/));
    expect(ran).toContainEqual({ cmd: `checkout --quiet --force --detach ${head}`, locked: false });
    expect(ran.map((r) => r.cmd)).not.toContainEqual(expect.stringMatching(/^interpret-trailers/));
    // `log --format=%B` ends with a line of its own.
    expect(await svc.headMessage(dir)).toBe('add new.txt\n\nShunt-Promotion: dev.p1\n\n');
  });

  it('releases without a git process; pruneMirrors (a worker starting) drops the entries of worktrees deleted without a release', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const names = ['a', 'gone', ...Array.from({ length: POOL_PER_MIRROR }, (_, i) => `parked${i}`)];
    const spaces = await Promise.all(names.map((k) => createWorkspace(path.join(dataDir, 'work'), k)));
    for (const ws of spaces) await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    const [a, gone, ...toPark] = spaces as [(typeof spaces)[0], (typeof spaces)[0], ...typeof spaces];
    // The pool is full: the release below deletes its checkout.
    for (const ws of toPark) await svc.releaseWorktrees(ws.root);
    await svc.idle();
    const mirror = svc.mirrorDir(origin.url);
    const listed = async (): Promise<string[]> => (await git(mirror, ['worktree', 'list', '--porcelain'])).split('\n').filter((l) => l.startsWith('worktree ') && l.includes(`${path.sep}work${path.sep}`));
    const ran: string[] = [];
    const run = GitCommand.prototype.run;
    const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...args: Parameters<typeof run>) {
      ran.push(args[0].join(' '));
      return run.apply(this, args);
    });
    try {
      await svc.releaseWorktrees(a.root);
      expect(ran).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    expect(fs.existsSync(a.resolve('src'))).toBe(false);
    expect(await listed()).toEqual([`worktree ${gone.resolve('src')}`]);

    // Deleted by hand: its entry stays until a worker starts.
    await fs.promises.rm(gone.root, { recursive: true, force: true });
    expect(await listed()).toHaveLength(1);
    await svc.pruneMirrors();
    expect(await listed()).toEqual([]);
  });

  it('checks out again at the path of a worktree deleted without a release (a worker that died), its old entry replaced', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    // The pool full, so the second checkout below is a fresh worktree at the same path, not a parked one.
    const parked = await Promise.all(Array.from({ length: POOL_PER_MIRROR }, (_, i) => createWorkspace(path.join(dataDir, 'work'), `parked${i}`)));
    for (const ws of parked) await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    for (const ws of parked) await svc.releaseWorktrees(ws.root);
    await svc.idle();
    let ws = await createWorkspace(path.join(dataDir, 'work'), 'p1');
    await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    const mirror = svc.mirrorDir(origin.url);
    const entries = fs.readdirSync(path.join(mirror, 'worktrees')).length;
    await fs.promises.rm(ws.root, { recursive: true, force: true });
    const head = await commitToOrigin(disposer, origin, { 'next.txt': 'next\n' }, 'next');

    ws = await createWorkspace(path.join(dataDir, 'work'), 'p1');
    const again = await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });

    expect(again).toMatchObject({ commit: head, reused: false });
    expect(fs.readFileSync(ws.resolve('src/next.txt'), 'utf8')).toBe('next\n');
    expect(fs.readdirSync(path.join(mirror, 'worktrees'))).toHaveLength(entries);
    const here = (await git(mirror, ['worktree', 'list', '--porcelain'])).split('\n').filter((l) => l === `worktree ${ws.resolve('src')}`);
    expect(here).toHaveLength(1);
  });

  it.each([
    ['a full checkout', undefined],
    ['a sparse checkout', ['env']],
  ])('adopts %s a crash left added but unrecorded, writing its files again', async (_, sparse) => {
    const origin = await createOrigin(disposer, { files: { 'README.md': 'hello\n', 'env/dev/k.yaml': 'a: 1\n' } });
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    await svc.checkout({ repoURL: origin.url, dir: ws.resolve('first'), branch: 'main' });
    // What a worker that died right after `worktree add` (which writes no files) leaves behind.
    const dir = ws.resolve('src');
    await git(svc.mirrorDir(origin.url), ['worktree', 'add', '--quiet', '--detach', '--no-checkout', dir, await originHead(origin)]);

    const res = await svc.checkout({ repoURL: origin.url, dir, branch: 'main', sparse });

    expect(res).toMatchObject({ commit: await originHead(origin), reused: true });
    expect(fs.readFileSync(path.join(dir, 'env/dev/k.yaml'), 'utf8')).toBe('a: 1\n');
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(true);
    expect((await git(dir, ['status', '--porcelain'])).trim()).toBe('');
    expect((await git(dir, ['config', '--worktree', 'shunt.ref'])).trim()).toBe('branch:main');
  });

  it('checks out again at a path whose worktree was deleted without release', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    await fs.promises.rm(ws.resolve('src'), { recursive: true, force: true });

    const res = await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });

    expect(res.reused).toBe(false);
    expect(res.commit).toBe(await originHead(origin));
  });

  it('refuses to check out over a different checkout or a non-empty directory', async () => {
    const origin = await createOrigin(disposer);
    const other = await createOrigin(disposer, { name: 'other' });
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    await fs.promises.mkdir(ws.resolve('full'));
    await fs.promises.writeFile(ws.resolve('full/x'), 'x');

    await expect(svc.checkout({ repoURL: other.url, dir: ws.resolve('src'), branch: 'main' })).rejects.toMatchObject({
      code: 'StepFailed',
    });
    await expect(svc.checkout({ repoURL: origin.url, dir: ws.resolve('full'), branch: 'main' })).rejects.toMatchObject({
      code: 'StepFailed',
    });
  });

  it('reports an unreachable remote as a retryable Unavailable error', async () => {
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    await expect(
      svc.checkout({ repoURL: 'http://127.0.0.1:9/nothing.git', dir: ws.resolve('src'), branch: 'main' }),
    ).rejects.toMatchObject({ code: 'Unavailable' });
  });

  it('heartbeats while git runs', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = new GitService({ dataDir, env: hermeticEnv(), heartbeatIntervalMs: 1 });
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    let beats = 0;
    await svc.checkout({
      repoURL: origin.url,
      dir: ws.resolve('src'),
      branch: 'main',
      heartbeat: () => {
        beats++;
      },
    });
    expect(beats).toBeGreaterThan(0);
  });
});

describe('git helpers', () => {
  it.each([
    ['https://github.com/org/repo.git', 'https://github.com/org/repo/commit/abc'],
    ['https://user:tok@github.com/org/repo', 'https://github.com/org/repo/commit/abc'],
    ['https://gitlab.example.com/group/sub/repo.git', 'https://gitlab.example.com/group/sub/repo/-/commit/abc'],
    ['https://bitbucket.org/org/repo.git', 'https://bitbucket.org/org/repo/commits/abc'],
    ['file:///tmp/repo.git', undefined],
    ['https://git.internal/org/repo.git', undefined],
  ])('commitURL(%s)', (url, expected) => {
    expect(commitURL(url, 'abc')).toBe(expected);
  });

  it.each([
    ['main', true],
    ['stage/dev', true],
    ['kargo/promotion/dev.01j0abc', true],
    ['--upload-pack=evil', false],
    ['a..b', false],
    ['a b', false],
    ['x.lock', false],
    ['.hidden', false],
    ['a/', false],
    ['a:b', false],
  ])('isValidRefName(%j) = %s', (name, ok) => {
    expect(isValidRefName(name)).toBe(ok);
  });

  it('accepts only hex commit ids', () => {
    expect(isCommitId('deadbeef')).toBe(true);
    expect(isCommitId('--output=/tmp/x')).toBe(false);
  });

  it('refuses option-like refs before running git', async () => {
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'w');
    await expect(
      svc.checkout({ repoURL: 'file:///nowhere.git', dir: ws.resolve('a'), commit: '--output=/tmp/pwned' }),
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('not a commit id') });
    await expect(
      svc.checkout({ repoURL: 'file:///nowhere.git', dir: ws.resolve('a'), branch: '--upload-pack=x' }),
    ).rejects.toMatchObject({ code: 'StepFailed' });
    expect(svc.stats.mirrorsCreated).toBe(0);
  });

  it('redacts userinfo and credentials', () => {
    const creds = { username: 'u', password: 's3cr3t-token' };
    const b64 = Buffer.from('u:s3cr3t-token').toString('base64');
    expect(redact(`https://u:s3cr3t-token@host/x failed, header ${b64}, token s3cr3t-token`, { credentials: creds })).toBe(
      'https://***@host/x failed, header ***, token ***',
    );
  });
});
