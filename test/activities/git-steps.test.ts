import { jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { gitTag } from '../../activities/steps/git-tag.js';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import {
  commitToOrigin,
  createOrigin,
  Disposer,
  git,
  originFile,
  originHead,
  originLog,
  originMessage,
  tagOrigin,
  type Origin,
} from '../support/git-repos.js';
import { createHarness, PROMOTION, type Harness } from './harness.js';
import { holdPushLock, pushesWaiting, stagesCommitted } from './push-batches.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function cloneEditCommit(h: Harness, origin: Origin, edit = 'replicas: 3\n') {
  const clone = await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });
  await fs.promises.writeFile(path.join(h.workspace.resolve('src'), 'edit.yaml'), edit);
  const commit = await h.run(gitCommit, { path: './src', message: 'Set replicas' });
  return { clone, commit };
}

/** A pre-receive hook that lands another commit on main while a push is received (once or always). */
async function raceOnPush(origin: Origin, once: boolean): Promise<void> {
  const hook = path.join(origin.dir, 'hooks', 'pre-receive');
  await fs.promises.writeFile(
    hook,
    `#!/bin/sh
cat >/dev/null
${once ? '[ -e "$GIT_DIR/raced" ] && exit 0' : ''}
touch "$GIT_DIR/raced"
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
parent=$(git rev-parse refs/heads/main)
tree=$(git rev-parse "$parent^{tree}")
racer=$(echo "Racing commit" | GIT_AUTHOR_NAME=r GIT_AUTHOR_EMAIL=r@x GIT_COMMITTER_NAME=r GIT_COMMITTER_EMAIL=r@x git commit-tree "$tree" -p "$parent")
git update-ref refs/heads/main "$racer" "$parent"
`,
    { mode: 0o755 },
  );
}

describe('git-clone', () => {
  it('checks out a branch as a worktree and reports its commit under path or as', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const head = await originHead(origin);

    const res = await h.run(gitClone, {
      repoURL: origin.url,
      checkout: [
        { path: './src', branch: 'main' },
        { path: './out', branch: 'main', as: 'target' },
      ],
    });

    expect(res).toEqual({ status: 'Succeeded', output: { commits: { './src': head, target: head } } });
    const kus = await fs.promises.readFile(h.workspace.resolve('src/stages/dev/kustomization.yaml'), 'utf8');
    expect(kus).toContain('guestbook-dev');
    // A worktree of the mirror: `.git` is a file, objects are shared.
    expect(fs.statSync(h.workspace.resolve('src/.git')).isFile()).toBe(true);
    expect(await git(h.workspace.resolve('src'), ['config', 'user.name'])).toBe('Shunt\n');
  });

  it('accepts the loose spelling repoURL + branch: one checkout into the workspace root', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);

    const res = await h.run(gitClone, { repoURL: origin.url, branch: 'main' });

    expect(res.output).toEqual({ commits: { '.': await originHead(origin) } });
    expect(fs.existsSync(h.workspace.resolve('README.md'))).toBe(true);
  });

  it('checks out the default branch, a tag and a commit', async () => {
    const origin = await createOrigin(disposer);
    const first = await originHead(origin);
    await tagOrigin(origin, 'v1');
    const second = await commitToOrigin(disposer, origin, { 'new.txt': 'x\n' }, 'second');
    const h = await createHarness(disposer);

    const res = await h.run(gitClone, {
      repoURL: origin.url,
      checkout: [{ path: 'default' }, { path: 'tag', tag: 'v1' }, { path: 'commit', commit: first }],
    });

    expect(res.output).toEqual({ commits: { default: second, tag: first, commit: first } });
  });

  it('is idempotent: a second run reuses the checkout, including commits made in it', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);

    const again = await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });

    expect(again.output).toEqual({ commits: { './src': commit.output?.['commit'] } });
    expect(fs.existsSync(h.workspace.resolve('src/edit.yaml'))).toBe(true);
  });

  it('stores the configured author in the worktree only', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);

    await h.run(gitClone, {
      repoURL: origin.url,
      checkout: [{ path: 'src', branch: 'main' }],
      author: { name: 'Release Bot', email: 'bot@example.test' },
    });
    await fs.promises.writeFile(h.workspace.resolve('src/x.txt'), 'x');
    await h.run(gitCommit, { path: 'src', message: 'x' });

    const log = await git(h.workspace.resolve('src'), ['log', '-1', '--format=%an <%ae>|%cn']);
    expect(log.trim()).toBe('Release Bot <bot@example.test>|Release Bot');
    const mirror = h.git.mirrorDir(origin.url);
    await expect(git(mirror, ['config', 'user.name'])).rejects.toThrow();
  });

  it('fails the step for a branch the remote lacks, unless create is set', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);

    await expect(
      h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'a', branch: 'stage/dev' }] }),
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('remote branch "stage/dev"') });

    const res = await h.run(gitClone, {
      repoURL: origin.url,
      checkout: [{ path: 'b', branch: 'stage/dev', create: true }],
    });
    const created = await originHead(origin, 'stage/dev');
    expect(res.output).toEqual({ commits: { b: created } });
    expect(await originLog(origin, 'stage/dev')).toEqual(['Initial commit']);
    expect(fs.readdirSync(h.workspace.resolve('b'))).toEqual(['.git']);
  });

  it('fails the step for an unknown tag or commit', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await expect(h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'a', tag: 'nope' }] })).rejects.toMatchObject({
      code: 'StepFailed',
    });
    await expect(
      h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'a', commit: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' }] }),
    ).rejects.toMatchObject({ code: 'StepFailed' });
  });

  it('makes a sparse checkout of the listed directories', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);

    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main', sparse: ['stages/dev'] }] });

    expect(fs.existsSync(h.workspace.resolve('src/stages/dev/kustomization.yaml'))).toBe(true);
    expect(fs.existsSync(h.workspace.resolve('src/stages/prod'))).toBe(false);
    expect(fs.existsSync(h.workspace.resolve('src/charts'))).toBe(false);
    expect(fs.existsSync(h.workspace.resolve('src/README.md'))).toBe(true);
  });

  it('refuses a checkout path outside the workspace', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await expect(h.run(gitClone, { repoURL: origin.url, checkout: [{ path: '../x', branch: 'main' }] })).rejects.toMatchObject({
      code: 'PathEscape',
      message: 'path "../x" escapes the promotion workspace',
    });
  });

  it('rejects configs with two refs, duplicate aliases or unknown fields', () => {
    expect(gitClone.config.safeParse({ repoURL: 'x', checkout: [{ path: 'a', branch: 'b', tag: 't' }] }).success).toBe(false);
    expect(
      gitClone.config.safeParse({
        repoURL: 'x',
        checkout: [
          { path: 'a', as: 'k' },
          { path: 'b', as: 'k' },
        ],
      }).success,
    ).toBe(false);
    expect(gitClone.config.safeParse({ repoURL: 'x', checkout: [{ path: 'a' }], bogus: 1 }).success).toBe(false);
  });
});

describe('git-commit', () => {
  it('commits everything with the promotion trailer', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);

    const { clone, commit } = await cloneEditCommit(h, origin);

    const sha = commit.output?.['commit'] as string;
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sha).not.toBe((clone.output?.['commits'] as Record<string, string>)['./src']);
    const msg = await git(h.workspace.resolve('src'), ['log', '-1', '--format=%B']);
    expect(msg).toBe(`Set replicas\n\nShunt-Promotion: ${PROMOTION}\n\n`);
  });

  it('commits every kind of change: modified, deleted, new in a new directory, a name with pattern characters, an untracked repository (as a gitlink); not an ignored file', async () => {
    const origin = await createOrigin(disposer, { files: { 'keep.yaml': 'a: 1\n', 'change.yaml': 'b: 1\n', 'drop.yaml': 'c: 1\n', '.gitignore': '*.log\n' } });
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });
    const src = h.workspace.resolve('src');
    await fs.promises.writeFile(path.join(src, 'change.yaml'), 'b: 2\n');
    await fs.promises.rm(path.join(src, 'drop.yaml'));
    await fs.promises.mkdir(path.join(src, 'new', 'deep'), { recursive: true });
    await fs.promises.writeFile(path.join(src, 'new', 'deep', 'values.yaml'), 'd: 1\n');
    // A file named like a pattern is a file.
    await fs.promises.writeFile(path.join(src, '*.yaml'), 'e: 1\n');
    await fs.promises.writeFile(path.join(src, 'build.log'), 'ignored\n');
    const nested = path.join(src, 'vendored');
    await fs.promises.mkdir(nested);
    await git(nested, ['init', '--quiet']);
    await fs.promises.writeFile(path.join(nested, 'f'), 'f\n');
    await git(nested, ['add', 'f']);
    await git(nested, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'f']);

    await h.run(gitCommit, { path: './src', message: 'Everything' });

    const changes = await git(src, ['diff-tree', '--no-commit-id', '--name-status', '-r', 'HEAD^', 'HEAD']);
    expect(changes.trim().split('\n').sort()).toEqual(['A\t*.yaml', 'A\tnew/deep/values.yaml', 'A\tvendored', 'D\tdrop.yaml', 'M\tchange.yaml']);
    expect(await git(src, ['ls-files', '--stage', 'vendored'])).toMatch(/^160000 /);
    expect(await git(src, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });

  it('reports HEAD and makes no commit when there is nothing to commit (and on a re-run)', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);

    const again = await h.run(gitCommit, { path: './src', message: 'Set replicas' });

    expect(again.output).toEqual({ commit: commit.output?.['commit'] });
    const count = await git(h.workspace.resolve('src'), ['rev-list', '--count', 'HEAD']);
    expect(count.trim()).toBe('2');
  });

  it('joins commitMessage outputs of earlier steps (legacy messageFromSteps)', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    await fs.promises.writeFile(h.workspace.resolve('src/a'), 'a');

    await h.run(
      gitCommit,
      { path: 'src', messageFromSteps: ['set-image'] },
      { outputs: { 'set-image': { commitMessage: 'Updated things\n\n- img:1' } } },
    );

    const msg = await git(h.workspace.resolve('src'), ['log', '-1', '--format=%B']);
    expect(msg.startsWith('Updated things\n\n- img:1\n')).toBe(true);
  });

  it('uses the deprecated author when given', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    await fs.promises.writeFile(h.workspace.resolve('src/a'), 'a');
    await h.run(gitCommit, { path: 'src', message: 'm', author: { name: 'Old Style', email: 'old@example.test' } });
    const log = await git(h.workspace.resolve('src'), ['log', '-1', '--format=%an <%ae>']);
    expect(log.trim()).toBe('Old Style <old@example.test>');
  });

  it('fails when the path is not a checkout', async () => {
    const h = await createHarness(disposer);
    await fs.promises.mkdir(h.workspace.resolve('nothing'));
    await expect(h.run(gitCommit, { path: 'nothing', message: 'm' })).rejects.toMatchObject({ code: 'StepFailed' });
  });
});

describe('git-commit, git-tag and git-push', () => {
  it('each verify the checkout: git reads its config once while its config files stay as they were (where its git dirs are is read from their files)', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });
    await fs.promises.writeFile(path.join(h.workspace.resolve('src'), 'edit.yaml'), 'replicas: 3\n');
    const run = GitCommand.prototype.run;
    const described: string[] = [];
    const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...a: Parameters<typeof run>) {
      const args = a[0];
      if (args.includes('--git-common-dir') || (args[0] === 'config' && args[1] === '--get-regexp')) described.push(args[0]!);
      return run.apply(this, a);
    });
    try {
      await h.run(gitCommit, { path: './src', message: 'Set replicas' });
      expect(described).toEqual(['config']);
      described.length = 0;
      await h.run(gitPush, { path: './src' });
      await h.run(gitTag, { path: './src', tag: 'v1' });
      expect(described).toEqual([]);
      // git-tag recorded its tag in the checkout's config.
      await h.run(gitPush, { path: './src', tag: 'v1' });
      expect(described).toEqual(['config']);
    } finally {
      spy.mockRestore();
    }
    expect(await originFile(origin, 'edit.yaml')).toBe('replicas: 3\n');
    expect((await git(origin.dir, ['rev-parse', 'v1^{commit}'])).trim()).toBe(await originHead(origin));
  });
});

describe('git-push', () => {
  it('pushes the commit to the checked-out branch', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);

    const res = await h.run(gitPush, { path: './src' });

    expect(res).toEqual({ status: 'Succeeded', output: { branch: 'main', commit: commit.output?.['commit'] } });
    expect(await originHead(origin)).toBe(commit.output?.['commit']);
    expect(await originFile(origin, 'edit.yaml')).toBe('replicas: 3\n');
  });

  it('is idempotent: a second push is a no-op and nothing new reaches the remote', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await cloneEditCommit(h, origin);
    const first = await h.run(gitPush, { path: './src' });
    const pushes = h.git.stats.pushes;

    const second = await h.run(gitPush, { path: './src' });

    expect(second).toEqual(first);
    expect(h.git.stats.pushes).toBe(pushes);
    expect(await originLog(origin)).toEqual(['Set replicas', 'seed']);
  });

  it('integrates a commit pushed by someone else meanwhile: rebased, pushed once', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);
    await commitToOrigin(disposer, origin, { 'other.txt': 'someone else\n' }, 'Concurrent change');

    const res = await h.run(gitPush, { path: './src' });

    expect(await originLog(origin)).toEqual(['Set replicas', 'Concurrent change', 'seed']);
    const head = await originHead(origin);
    expect(res.output).toEqual({ branch: 'main', commit: head });
    expect(head).not.toBe(commit.output?.['commit']);
    expect(await originMessage(origin, head)).toContain(`Shunt-Promotion: ${PROMOTION}`);
    // and a re-run of the whole tail changes nothing
    await h.run(gitCommit, { path: './src', message: 'Set replicas' });
    await h.run(gitPush, { path: './src' });
    expect(await originLog(origin)).toHaveLength(3);
  });

  it('retries a push the remote rejected because the branch moved in between', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);
    // The first push loses a race: while it is being received, another commit lands on main.
    await raceOnPush(origin, true);
    const pushesBefore = h.git.stats.pushes;

    const res = await h.run(gitPush, { path: './src' });

    expect(h.git.stats.pushes - pushesBefore).toBe(2);
    expect(await originLog(origin)).toEqual(['Set replicas', 'Racing commit', 'seed']);
    expect(res.output).toEqual({ branch: 'main', commit: await originHead(origin) });
    expect(res.output?.['commit']).not.toBe(commit.output?.['commit']);
  });

  it('gives up after maxAttempts rejected pushes with a retryable error', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await cloneEditCommit(h, origin);
    await raceOnPush(origin, false);

    const err = await h.run(gitPush, { path: './src', maxAttempts: 2 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBeUndefined();
    expect((err as Error).message).toContain('still rejected after 2 attempts');
  });

  it('queues 20 pushes to one branch from one worker: those that wait go as one push, each its own commit, none is rejected', async () => {
    const origin = await createOrigin(disposer);
    const stages = Array.from({ length: 20 }, (_, i) => `env-${String(i).padStart(2, '0')}`);
    const { first, harnesses } = await stagesCommitted(disposer, origin, stages.map((stage, i) => ({ stage, file: `${stage}/values.yaml`, content: `replicas: ${i}\n` })));
    const pushesBefore = first.git.stats.pushes;
    const fetchesBefore = first.git.stats.mirrorFetches;

    const results = await Promise.all(harnesses.map((h) => h.run(gitPush, { path: './src', maxAttempts: 1 })));

    expect(results.every((r) => r.status === 'Succeeded')).toBe(true);
    // The first goes alone; those that came while it was pushed wait together and go as one.
    expect(first.git.stats.pushes - pushesBefore).toBeLessThan(20);
    expect(first.git.stats.mirrorFetches - fetchesBefore).toBe(0);
    const log = await originLog(origin);
    expect(log).toHaveLength(21);
    expect(new Set(log.slice(0, 20))).toEqual(new Set(stages.map((s) => `Promote ${s}`)));
    const commits = results.map((r) => r.output?.['commit'] as string);
    expect(new Set(commits).size).toBe(20);
    expect(commits).toContain(await originHead(origin));
    for (const [i, commit] of commits.entries()) expect((await originMessage(origin, commit)).split('\n')[0]).toBe(`Promote ${stages[i]!}`);
  });

  it('pushes that wait for their branch go as one push; one that conflicts with those before it fails alone', async () => {
    const origin = await createOrigin(disposer);
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      { stage: 'env-b', file: 'shared.yaml', content: 'owner: b\n' },
      { stage: 'env-c', file: 'shared.yaml', content: 'owner: c\n' },
    ]);
    const release = await holdPushLock(disposer, first, origin.url, 'main');
    const pushesBefore = first.git.stats.pushes;

    const pushing = await pushesWaiting(first, harnesses);
    await release();
    const [a, b, c] = await Promise.all(pushing);

    expect(first.git.stats.pushes - pushesBefore).toBe(1);
    expect(await originLog(origin)).toEqual(['Promote env-b', 'Promote env-a', 'seed']);
    expect((b as { output?: Record<string, unknown> }).output?.['commit']).toBe(await originHead(origin));
    expect((await originMessage(origin, (a as { output?: Record<string, string> }).output!['commit']!)).split('\n')[0]).toBe('Promote env-a');
    expect(c).toMatchObject({ code: 'StepFailed', message: expect.stringContaining('rebase conflict') });
    expect(await originFile(origin, 'shared.yaml')).toBe('owner: b\n');
  });

  it('a push cancelled while it waits for its branch leaves its batch at once; the others go as one', async () => {
    const origin = await createOrigin(disposer);
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      { stage: 'env-b', file: 'env-b/values.yaml', content: 'replicas: 2\n' },
      { stage: 'env-c', file: 'env-c/values.yaml', content: 'replicas: 3\n' },
    ]);
    const release = await holdPushLock(disposer, first, origin.url, 'main');
    const pushesBefore = first.git.stats.pushes;
    const cancel = new AbortController();

    const pushing = await pushesWaiting(first, harnesses, (i) => (i === 1 ? { signal: cancel.signal } : {}));
    cancel.abort(new Error('activity cancelled'));
    expect(await pushing[1]).toMatchObject({ message: 'activity cancelled' });
    expect(first.git.pushesWaiting()).toBe(2);
    await release();
    const [a, , c] = await Promise.all(pushing);

    expect(first.git.stats.pushes - pushesBefore).toBe(1);
    expect(await originLog(origin)).toEqual(['Promote env-c', 'Promote env-a', 'seed']);
    expect((a as { status?: string }).status).toBe('Succeeded');
    expect((c as { output?: Record<string, unknown> }).output?.['commit']).toBe(await originHead(origin));
  });

  it('pushes sent as one that the remote refuses for another reason than a moved branch go again one by one', async () => {
    const origin = await createOrigin(disposer);
    // The remote refuses any push that brings a commit saying "forbidden", whatever else it brings.
    await fs.promises.writeFile(
      path.join(origin.dir, 'hooks', 'pre-receive'),
      `#!/bin/sh
while read old new ref; do
  if git log --format=%s "$old..$new" | grep -q forbidden; then echo "policy: no forbidden commits" >&2; exit 1; fi
done
`,
      { mode: 0o755 },
    );
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      { stage: 'forbidden', file: 'forbidden/values.yaml', content: 'replicas: 2\n' },
      { stage: 'env-c', file: 'env-c/values.yaml', content: 'replicas: 3\n' },
    ]);
    const release = await holdPushLock(disposer, first, origin.url, 'main');
    const pushesBefore = first.git.stats.pushes;

    const pushing = await pushesWaiting(first, harnesses);
    await release();
    const [a, refused, c] = await Promise.all(pushing);

    // One push of all three, refused; then each alone.
    expect(first.git.stats.pushes - pushesBefore).toBe(4);
    expect(await originLog(origin)).toEqual(['Promote env-c', 'Promote env-a', 'seed']);
    expect((c as { output?: Record<string, unknown> }).output?.['commit']).toBe(await originHead(origin));
    expect((a as { status?: string }).status).toBe('Succeeded');
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('policy: no forbidden commits');
  });

  it('fails the step on a rebase conflict and leaves the remote alone', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await cloneEditCommit(h, origin, 'replicas: 3\n');
    const theirs = await commitToOrigin(disposer, origin, { 'edit.yaml': 'replicas: 5\n' }, 'Conflicting change');

    await expect(h.run(gitPush, { path: './src' })).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining('rebase conflict'),
    });
    expect(await originHead(origin)).toBe(theirs);
    const status = await git(h.workspace.resolve('src'), ['status', '--porcelain']);
    expect(status).toBe('');
  });

  it('pushes to a target branch, and to a generated branch with force', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    const { commit } = await cloneEditCommit(h, origin);

    const target = await h.run(gitPush, { path: './src', targetBranch: 'stage/dev' });
    const generated = await h.run(gitPush, { path: './src', generateTargetBranch: true });

    expect(target.output).toEqual({ branch: 'stage/dev', commit: commit.output?.['commit'] });
    expect(generated.output).toEqual({ branch: `kargo/promotion/${PROMOTION}`, commit: commit.output?.['commit'] });
    expect(await originHead(origin, `kargo/promotion/${PROMOTION}`)).toBe(commit.output?.['commit']);
    expect(await originHead(origin)).not.toBe(commit.output?.['commit']);
  });

  it('is a no-op when there was nothing to commit', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    const before = await originHead(origin);

    const commit = await h.run(gitCommit, { path: 'src', message: 'nothing' });
    const push = await h.run(gitPush, { path: 'src' });

    expect(commit.output).toEqual({ commit: before });
    expect(push.output).toEqual({ branch: 'main', commit: before });
    expect(await originHead(origin)).toBe(before);
  });

  it('needs a branch when the checkout is of a commit', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', commit: await originHead(origin) }] });
    await expect(h.run(gitPush, { path: 'src' })).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining('targetBranch'),
    });
  });

  it('a fresh workspace after a crash finds the pushed commit and makes no second one', async () => {
    const origin = await createOrigin(disposer);
    const h1 = await createHarness(disposer, { workspaceKey: 'attempt-1' });
    await cloneEditCommit(h1, origin);
    await h1.run(gitPush, { path: './src' });

    // The promotion starts again on another workspace (same worker data dir).
    const h2 = await createHarness(disposer, { workspaceKey: 'attempt-2', dataDir: h1.dataDir, git: h1.git });
    await h2.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });
    await fs.promises.writeFile(path.join(h2.workspace.resolve('src'), 'edit.yaml'), 'replicas: 3\n');
    await h2.run(gitCommit, { path: './src', message: 'Set replicas' });
    await h2.run(gitPush, { path: './src' });

    expect(await originLog(origin)).toEqual(['Set replicas', 'seed']);
  });
});
