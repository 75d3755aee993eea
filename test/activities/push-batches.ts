/**
 * Pushes of many stages to one branch from one worker, waiting in one batch: harnesses sharing a
 * worker's git, the branch's push lock held as another worker would hold it, and pushes started
 * one by one until each waits.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeGitURL } from '../../core/freight/normalize.js';
import { sha1Hex } from '../../core/hash.js';
import { lockHolderText } from '../../activities/adapters/git/mirror-locks.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import type { StepContext } from '../../activities/steps/step.js';
import type { Disposer, Origin } from '../support/git-repos.js';
import { eventually } from '../support/poll.js';
import { createHarness, type Harness } from './harness.js';

/** What a stage changes in its checkout before it commits: files written (null deletes) by path. */
export interface StageEdit {
  stage: string;
  file: string;
  content: string;
  /** Default `Promote <stage>`. */
  message?: string;
  /** Further changes, made after `file` is written. */
  edit?: (checkout: string) => Promise<void>;
}

/**
 * A harness per stage sharing one worker's git (as promotions of many stages on one worker do),
 * each with a checkout of main made before any push and one commit of its own.
 */
export async function stagesCommitted(
  disposer: Disposer,
  origin: Origin,
  edits: StageEdit[],
  /** git-clone's `author` for every checkout (one that signs, say). */
  author?: { name: string; email: string; signingKey?: string },
): Promise<{ first: Harness; harnesses: Harness[] }> {
  const first = await createHarness(disposer);
  const harnesses = await Promise.all(
    edits.map(({ stage }) => createHarness(disposer, { git: first.git, dataDir: first.dataDir, workspaceKey: stage, promotion: `${stage}.01j0000000000000000000000.abc1234` })),
  );
  for (const [i, h] of harnesses.entries()) {
    const { stage, file, content, message, edit } = edits[i]!;
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }], ...(author ? { author } : {}) });
    const target = path.join(h.workspace.resolve('src'), file);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, content);
    await edit?.(h.workspace.resolve('src'));
    await h.run(gitCommit, { path: './src', message: message ?? `Promote ${stage}` });
  }
  return { first, harnesses };
}

/**
 * Holds the push lock of `branch` in the worker's mirror of `repoURL` as another worker sharing
 * its data dir would (a live process of this host named in the lock file); the returned
 * function lets it go.
 */
export async function holdPushLock(disposer: Disposer, h: Harness, repoURL: string, branch: string): Promise<() => Promise<void>> {
  return holdLockFile(disposer, `${mirrorOf(h, repoURL)}.push-${sha1Hex(branch)}.lock`);
}

/** Holds the lock of the worker's mirror of `repoURL` itself, the same way. */
export async function holdMirrorLock(disposer: Disposer, h: Harness, repoURL: string): Promise<() => Promise<void>> {
  return holdLockFile(disposer, `${mirrorOf(h, repoURL)}.lock`);
}

function mirrorOf(h: Harness, repoURL: string): string {
  return path.join(h.git.mirrorsRoot, `${sha1Hex(normalizeGitURL(repoURL))}.git`);
}

async function holdLockFile(disposer: Disposer, lock: string): Promise<() => Promise<void>> {
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  disposer.add(() => void holder.kill());
  await fs.promises.writeFile(lock, lockHolderText(holder.pid!));
  return async () => {
    await fs.promises.rm(lock, { force: true });
    holder.kill();
  };
}

/**
 * Starts each harness's push in turn, the next once the one before it waits in its branch's
 * batch (its lock held elsewhere); answers the runs, a failure as its error.
 */
export async function pushesWaiting(first: Harness, harnesses: Harness[], context: (i: number) => Partial<StepContext> = () => ({})): Promise<Promise<unknown>[]> {
  const pushing: Promise<unknown>[] = [];
  for (const [i, h] of harnesses.entries()) {
    pushing.push(h.run(gitPush, { path: './src' }, context(i)).catch((e: unknown) => e));
    await eventually(async () => (first.git.pushesWaiting() === pushing.length ? true : undefined), () => `${pushing.length} pushes waiting (${first.git.pushesWaiting()})`);
  }
  return pushing;
}
