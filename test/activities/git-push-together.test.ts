import { jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import { commitToOrigin, createOrigin, Disposer, git, originFile, originHead, originLog, tempDir, type Origin } from '../support/git-repos.js';
import { eventually } from '../support/poll.js';
import type { Harness } from './harness.js';
import { holdMirrorLock, holdPushLock, pushesWaiting, stagesCommitted, type StageEdit } from './push-batches.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** The git subcommands run while `fn` runs. */
async function gitCommandsDuring<T>(fn: () => Promise<T>, ran: string[] = []): Promise<{ result: T; ran: string[] }> {
  const run = GitCommand.prototype.run;
  const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...args: Parameters<typeof run>) {
    ran.push(args[0].find((a, i) => !a.startsWith('-') && args[0][i - 1] !== '-c') ?? '');
    return run.apply(this, args);
  });
  try {
    return { result: await fn(), ran };
  } finally {
    spy.mockRestore();
  }
}

/** `git diff-tree` of a commit against its parent: status, mode and path of each change. */
async function changesOf(repo: string, commit: string): Promise<string[]> {
  const out = await git(repo, ['diff-tree', '--no-commit-id', '-r', '--no-renames', '-z', `${commit}^`, commit]);
  const fields = out.split('\0').filter((f) => f !== '');
  const changes: string[] = [];
  for (let i = 0; i < fields.length; i += 2) changes.push(`${fields[i]!.split(' ')[1]} ${fields[i]!.split(' ')[4]} ${fields[i + 1]}`);
  return changes.sort();
}

/** An edit of the seeded chart's values file in a checkout: `from` replaced by `to`. */
const values = (from: string, to: string) => async (src: string): Promise<void> => {
  const file = path.join(src, 'charts', 'guestbook', 'values.yaml');
  await fs.promises.writeFile(file, fs.readFileSync(file, 'utf8').replace(from, to));
};

/** Pushes of `harnesses` queued behind a held push lock, then let go as one batch; the git subcommands they ran. */
async function pushedAsOne(origin: Origin, first: Harness, harnesses: Harness[]) {
  const release = await holdPushLock(disposer, first, origin.url, 'main');
  const { result, ran } = await gitCommandsDuring(async () => {
    const pushing = await pushesWaiting(first, harnesses);
    await release();
    return Promise.all(pushing);
  });
  return { results: result as { status?: string; output?: Record<string, unknown>; code?: string; message?: string }[], ran };
}

async function pushAsOne(origin: Origin, edits: StageEdit[]) {
  const { first, harnesses } = await stagesCommitted(disposer, origin, edits);
  const own = await Promise.all(harnesses.map(async (h) => {
    const src = h.workspace.resolve('src');
    const head = (await git(src, ['rev-parse', 'HEAD'])).trim();
    return { src, head, changes: await changesOf(src, head), raw: await git(src, ['cat-file', 'commit', head]) };
  }));
  return { first, harnesses, own, ...(await pushedAsOne(origin, first, harnesses)) };
}

describe('pushes to one branch that go as one', () => {
  it('are put on each other by one git fast-import, not a rebase each: each commit holds its own changes and message exactly, and each checkout is left as a rebase would leave it', async () => {
    const origin = await createOrigin(disposer);
    const seed = await originHead(origin);
    const edits: StageEdit[] = [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      {
        stage: 'env-b',
        file: 'env-b/with space "and quotes".yaml',
        content: 'replicas: 2\n',
        message: 'Déployé sur env-b — 🚀\n\n- ghcr.io/acme/app:1.2.3',
        edit: async (src) => {
          await fs.promises.writeFile(path.join(src, 'env-b', 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
          await fs.promises.symlink('run.sh', path.join(src, 'env-b', 'current'));
        },
      },
      { stage: 'env-c', file: 'env-c/values.yaml', content: 'replicas: 3\n', edit: (src) => fs.promises.rm(path.join(src, 'README.md')) },
      { stage: 'env-d', file: 'env-d/line\nbreak.yaml', content: 'replicas: 4\n' },
    ];

    const { own, results, ran } = await pushAsOne(origin, edits);

    expect(results.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(ran.filter((c) => c === 'fast-import')).toHaveLength(1);
    expect(ran).not.toContain('rebase');
    expect(ran.filter((c) => c === 'push')).toHaveLength(1);
    const log = await originLog(origin);
    expect(log).toEqual(['Promote env-d', 'Promote env-c', 'Déployé sur env-b — 🚀', 'Promote env-a', 'seed']);
    const pushed = results.map((r) => r.output?.['commit'] as string);
    // The first sat on the remote's tip already: pushed as it was made.
    expect(pushed[0]).toBe(own[0]!.head);
    expect(pushed[3]).toBe(await originHead(origin));
    for (const [i, commit] of pushed.entries()) {
      // Its own changes, modes included, on the commit before it in the chain.
      expect(await changesOf(origin.dir, commit)).toEqual(own[i]!.changes);
      if (i > 0) expect((await git(origin.dir, ['rev-parse', `${commit}^`])).trim()).toBe(pushed[i - 1]);
      // Author, committer and message byte for byte; only the tree and parent differ.
      const raw = await git(origin.dir, ['cat-file', 'commit', commit]);
      expect(raw.replace(/^(tree|parent) .*\n/gm, '')).toBe(own[i]!.raw.replace(/^(tree|parent) .*\n/gm, ''));
      // The checkout is at its pushed commit, clean, with the files of the ones before it.
      const { src } = own[i]!;
      expect((await git(src, ['rev-parse', 'HEAD'])).trim()).toBe(commit);
      expect(await git(src, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
      for (let j = 0; j < i; j++) expect(fs.existsSync(path.join(src, edits[j]!.file))).toBe(true);
    }
    // The tree holds every change and nothing else: the one the same edits make in one clone.
    expect((await git(origin.dir, ['rev-parse', 'main^{tree}'])).trim()).toBe(await treeOfEdits(origin, seed, edits));
  });

  it('on a remote that moved meanwhile: every commit is put on its tip, the first one too', async () => {
    const origin = await createOrigin(disposer);
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      { stage: 'env-b', file: 'env-b/values.yaml', content: 'replicas: 2\n' },
    ]);
    const theirs = await commitToOrigin(disposer, origin, { 'other/file.txt': 'someone else\n' }, 'someone else');
    const { results, ran } = await pushedAsOne(origin, first, harnesses);

    expect(results.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(await originLog(origin)).toEqual(['Promote env-b', 'Promote env-a', 'someone else', 'seed']);
    // Put on the tip the mirror knew, refused, fetched; then on the new tip, both at once again.
    expect(ran.filter((c) => c === 'fast-import')).toHaveLength(2);
    expect(ran).not.toContain('rebase');
    for (const h of harnesses) {
      const src = h.workspace.resolve('src');
      expect(await git(src, ['merge-base', '--is-ancestor', theirs, 'HEAD']).then(() => true)).toBe(true);
      expect(fs.readFileSync(path.join(src, 'other', 'file.txt'), 'utf8')).toBe('someone else\n');
    }
  });

  it("on a remote that moved in a file a commit changes too: the rebase's way, which merges the two", async () => {
    const origin = await createOrigin(disposer);
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n', edit: values('replicaCount: 2', 'replicaCount: 3') },
      { stage: 'env-b', file: 'env-b/values.yaml', content: 'replicas: 2\n' },
    ]);
    const seeded = await originFile(origin, 'charts/guestbook/values.yaml');
    await commitToOrigin(disposer, origin, { 'charts/guestbook/values.yaml': seeded.replace('enabled: false', 'enabled: true') }, 'someone else');
    const { results, ran } = await pushedAsOne(origin, first, harnesses);

    expect(results.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(await originLog(origin)).toEqual(['Promote env-b', 'Promote env-a', 'someone else', 'seed']);
    // Both changes to the file: env-a's commit was merged with the remote's, not laid over it.
    expect(await originFile(origin, 'charts/guestbook/values.yaml')).toBe(seeded.replace('replicaCount: 2', 'replicaCount: 3').replace('enabled: false', 'enabled: true'));
    expect(ran).toContain('rebase');
  });

  it.each([
    // Moving it would carry the change along (its file is the same in both commits): the move lists it.
    ['a change moving it would carry along', 'env-b/values.yaml'],
    // Moving it would overwrite the file (the commit before it in the chain adds it): the move refuses.
    ['a file moving it would overwrite', 'env-a/values.yaml'],
  ])('a checkout with %s, not committed, goes the rebase\'s way, which refuses it; the others are pushed', async (_, dirtyFile) => {
    const origin = await createOrigin(disposer);
    const edits: StageEdit[] = [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n' },
      { stage: 'env-b', file: 'env-b/values.yaml', content: 'replicas: 2\n' },
      { stage: 'env-c', file: 'env-c/values.yaml', content: 'replicas: 3\n' },
    ];
    const { first, harnesses } = await stagesCommitted(disposer, origin, edits);
    const dirty = harnesses[1]!.workspace.resolve('src');
    const ownHead = (await git(dirty, ['rev-parse', 'HEAD'])).trim();
    await fs.promises.mkdir(path.dirname(path.join(dirty, dirtyFile)), { recursive: true });
    await fs.promises.writeFile(path.join(dirty, dirtyFile), 'replicas: 20\n');
    const release = await holdPushLock(disposer, first, origin.url, 'main');

    const pushing = await pushesWaiting(first, harnesses);
    await release();
    const [a, b, c] = (await Promise.all(pushing)) as { status?: string; code?: string; message?: string }[];

    expect(a!.status).toBe('Succeeded');
    expect(c!.status).toBe('Succeeded');
    expect(b).toMatchObject({ code: 'StepFailed', message: expect.stringContaining('rebase onto branch "main"') });
    expect(await originLog(origin)).toEqual(['Promote env-c', 'Promote env-a', 'seed']);
    // Left on its own commit, its change kept.
    expect((await git(dirty, ['rev-parse', 'HEAD'])).trim()).toBe(ownHead);
    expect(fs.readFileSync(path.join(dirty, dirtyFile), 'utf8')).toBe('replicas: 20\n');
  });
});

describe('pushes to one branch that go one rebase after another', () => {
  it("rebase a complete mirror's checkouts without waiting for the mirror's lock (only the push takes it)", async () => {
    const origin = await createOrigin(disposer);
    // The same file, different lines: no fast chain, a rebase merges them.
    const { first, harnesses } = await stagesCommitted(disposer, origin, [
      { stage: 'env-a', file: 'env-a/values.yaml', content: 'replicas: 1\n', edit: values('replicaCount: 2', 'replicaCount: 3') },
      { stage: 'env-b', file: 'env-b/values.yaml', content: 'replicas: 2\n', edit: values('enabled: false', 'enabled: true') },
    ]);
    const releasePush = await holdPushLock(disposer, first, origin.url, 'main');
    const pushing = await pushesWaiting(first, harnesses);
    const releaseMirror = await holdMirrorLock(disposer, first, origin.url);

    const ran: string[] = [];
    const { result } = await gitCommandsDuring(async () => {
      await releasePush();
      await eventually(async () => (ran.includes('rebase') ? true : undefined), () => 'a rebase while the mirror is locked');
      expect(ran).not.toContain('push');
      await releaseMirror();
      return Promise.all(pushing);
    }, ran);

    expect((result as { status?: string }[]).map((r) => r.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(await originLog(origin)).toEqual(['Promote env-b', 'Promote env-a', 'seed']);
  });
});

/** The tree of `edits` all made in one clone of `origin` at `seed`. */
async function treeOfEdits(origin: Origin, seed: string, edits: StageEdit[]): Promise<string> {
  const scratch = path.join(await tempDir(disposer), 'scratch');
  await git(path.dirname(scratch), ['clone', '--quiet', origin.url, scratch]);
  await git(scratch, ['checkout', '--quiet', '--detach', seed]);
  for (const { file, content, edit } of edits) {
    await fs.promises.mkdir(path.dirname(path.join(scratch, file)), { recursive: true });
    await fs.promises.writeFile(path.join(scratch, file), content);
    await edit?.(scratch);
  }
  await git(scratch, ['add', '--all']);
  return (await git(scratch, ['write-tree'])).trim();
}
