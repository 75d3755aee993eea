/**
 * Git over the git CLI, built so that git cost does not grow with history (DESIGN.md):
 *
 * - The worker keeps ONE bare mirror per repository under
 *   `<dataDir>/git/mirrors/<sha1(normalized url)>.git` (mirror.ts). It is created once
 *   (`init --bare` + `fetch`) and afterwards only fetched, so a promotion downloads only new objects.
 * - Remote branches live in the mirror as `refs/remotes/origin/*`; `refs/heads/*` stay unused,
 *   so concurrent promotions never fight over a branch.
 * - A promotion's checkout is a `git worktree` of the mirror inside its workspace, with a
 *   detached HEAD (checkout.ts). What the checkout is *for* (repo URL, branch) is recorded in the
 *   worktree's own config (`shunt.*`, via `extensions.worktreeConfig`), as is the commit author.
 * - Everything touching the mirror's shared state (fetch, push, worktree add/prune) runs under
 *   an in-process mutex per mirror plus a lock file (mirror-locks.ts), so several workers'
 *   processes can share a data dir safely.
 * - Housekeeping is git's own: auto-gc runs in the foreground (autoDetach off), so it happens
 *   inside the locked fetch, never behind a promotion's back.
 * - Credentials never go into URLs, argv or config files: they are passed per command through
 *   `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` as an `http.extraHeader`
 *   (auth-env.ts), and every message that leaves these modules is redacted (redact.ts).
 */
export type { CheckoutRequest, CheckoutResult } from './checkout.js';
export type { CommitRequest, CommitResult } from './commit.js';
export { commitURL } from './commit-url.js';
export { gitSecretsDir } from './git-command.js';
export { GitService, type GitServiceOptions } from './git-service.js';
export type { PushRequest, PushResult } from './push.js';
export { redact } from './redact.js';
export { isCommitId, isValidRefName } from './refs.js';
export type { PushTagRequest, TagRequest, TagResult } from './tag.js';
export type { GitIdentity, OperationHooks, RemoteAccess } from './types.js';
export type { WorktreeInfo } from './worktree-info.js';
