/**
 * The activity behind the api's read models that need git (core/changes/git-reads.ts): the
 * commits a promotion pushed and the diff of the files they changed, and the commits between two
 * revisions. It reads the worker's mirrors (fetching what they lack, with the project's own
 * credentials) and answers a bounded result with no credentials in it: repository URLs are shown
 * without userinfo, and git's messages are redacted.
 */
import * as fs from 'node:fs';
import { Context } from '@temporalio/activity';
import {
  cutUtf8,
  GIT_READ_LIMITS,
  type CommitInfo,
  type CommitsBetween,
  type CommitsBetweenRequest,
  type FileChange,
  type FileChangeKind,
  type GitReadRequest,
  type PromotionChanges,
  type PromotionChangesRequest,
} from '../core/changes/git-reads.js';
import { DomainError } from '../core/errors.js';
import type { ProjectCredentials } from './adapters/credentials.js';
import type { GitService } from './adapters/git/git-service.js';
import { EMPTY_TREE, type MirrorCommitInfo, type MirrorReads } from './adapters/git/mirror-reads.js';
import { displayURL } from './adapters/git/redact.js';
import { toApplicationFailure } from './failure.js';

export interface GitReadActivityDeps {
  git: GitService;
  credentials: ProjectCredentials;
}

export interface GitReadActivities {
  readGit(request: GitReadRequest): Promise<PromotionChanges | CommitsBetween>;
}

function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    /* outside an activity */
  }
}

export function createGitReadActivities(deps: GitReadActivityDeps): GitReadActivities {
  /** Reads of the mirror of `repoURL`, with the project's credentials for what git fetches. */
  const readsOf = async (project: string, repoURL: string) =>
    deps.git.reads({ repoURL, credentials: await deps.credentials.forProject(project).git(repoURL) });
  /** The mirror of `repoURL`, made current with the project's credentials. */
  const sync = async (project: string, repoURL: string): Promise<string> =>
    deps.git.syncMirror(repoURL, { credentials: await deps.credentials.forProject(project).git(repoURL), heartbeat });

  async function promotionChanges(req: PromotionChangesRequest): Promise<PromotionChanges> {
    const repos = req.repoURLs.slice(0, GIT_READ_LIMITS.repositories);
    const synced = new Map<string, string>();
    const readers = new Map<string, MirrorReads>();
    const readerOf = async (repoURL: string): Promise<MirrorReads> => {
      const known = readers.get(repoURL);
      if (known) return known;
      const made = await readsOf(req.project, repoURL);
      readers.set(repoURL, made);
      return made;
    };
    /** The repository and mirror holding `sha`: mirrors already here first, then each repository after a fetch. */
    const locate = async (sha: string): Promise<{ repoURL: string; mirror: string; reads: MirrorReads } | undefined> => {
      for (const repoURL of repos) {
        const mirror = deps.git.mirrorDir(repoURL);
        if (!fs.existsSync(mirror)) continue;
        const reads = await readerOf(repoURL);
        if ((await reads.commitId(mirror, sha)) === sha) return { repoURL, mirror, reads };
      }
      for (const repoURL of repos) {
        if (synced.has(repoURL)) continue;
        let mirror: string;
        try {
          mirror = await sync(req.project, repoURL);
        } catch {
          continue; // not reachable, or not a git repository: the commit is not there
        }
        synced.set(repoURL, mirror);
        const reads = await readerOf(repoURL);
        if ((await reads.commitId(mirror, sha)) === sha) return { repoURL, mirror, reads };
      }
      return undefined;
    };

    const out: PromotionChanges = { commits: [], files: [] };
    let patchBytes = 0;
    for (const pushed of req.pushed) {
      const where = await locate(pushed.sha);
      if (!where) continue;
      // The promotion's own commits: the pushed one and its first parents, while their trailer names the promotion.
      const own: MirrorCommitInfo[] = [];
      let next: string | undefined = pushed.sha;
      while (next !== undefined) {
        const info = await where.reads.commit(where.mirror, next);
        if (!info || !info.promotions.includes(req.promotion)) break;
        if (own.length >= GIT_READ_LIMITS.commits) {
          out.truncated = true;
          break;
        }
        own.push(info);
        next = info.parents[0];
      }
      if (own.length === 0) continue; // the push step pushed nothing of its own (the remote already had HEAD)
      const repoURL = displayURL(where.repoURL);
      for (const c of own) out.commits.push(commitInfo(repoURL, pushed.branch, c));
      const oldest = own[own.length - 1]!;
      const from = oldest.parents[0] ?? EMPTY_TREE;
      const files = await where.reads.changedFiles(where.mirror, from, pushed.sha, GIT_READ_LIMITS.blobBytes);
      const room = GIT_READ_LIMITS.files - out.files.length;
      if (files.length > room) out.truncated = true;
      const kept = files.slice(0, Math.max(0, room));
      const sizes = await where.reads.blobSizes(where.mirror, kept.flatMap((f) => [f.oldBlob, f.newBlob]));
      for (const f of kept) {
        heartbeat();
        const file: FileChange = {
          repoURL,
          path: f.path,
          ...(f.previousPath === undefined ? {} : { previousPath: f.previousPath }),
          change: changeKind(f.status),
          additions: f.additions,
          deletions: f.deletions,
          patch: '',
          truncated: false,
        };
        // Not read at all: git called it binary without looking (changedFiles' bigFileBytes).
        const tooLarge = Math.max(sizes.get(f.oldBlob) ?? 0, sizes.get(f.newBlob) ?? 0) > GIT_READ_LIMITS.blobBytes;
        if (tooLarge) {
          file.truncated = true;
        } else if (f.binary) {
          file.binary = true;
        } else if (patchBytes >= GIT_READ_LIMITS.patchBytesTotal) {
          file.truncated = true;
        } else {
          const patch = cutUtf8(await where.reads.filePatch(where.mirror, from, pushed.sha, f), Math.min(GIT_READ_LIMITS.patchBytesPerFile, GIT_READ_LIMITS.patchBytesTotal - patchBytes));
          file.patch = patch.text;
          file.truncated = patch.cut;
          patchBytes += Buffer.byteLength(patch.text);
        }
        out.files.push(file);
      }
    }
    return out;
  }

  async function commitsBetween(req: CommitsBetweenRequest): Promise<CommitsBetween> {
    const mirror = await sync(req.project, req.repoURL);
    const reads = await readsOf(req.project, req.repoURL);
    for (const rev of [req.from, req.to]) {
      if ((await reads.commitId(mirror, rev)) === undefined) {
        throw new DomainError('NotFound', `commit ${rev} is not in ${displayURL(req.repoURL)}`);
      }
    }
    const log = await reads.symmetricLog(mirror, req.from, req.to, GIT_READ_LIMITS.commits + 1);
    return {
      commits: log.slice(0, GIT_READ_LIMITS.commits).map((c) => {
        const { repoURL: _r, ...rest } = commitInfo('', undefined, c);
        return rest;
      }),
      truncated: log.length > GIT_READ_LIMITS.commits,
    };
  }

  return {
    async readGit(request) {
      try {
        return request.kind === 'promotion-changes' ? await promotionChanges(request) : await commitsBetween(request);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    },
  };
}

function commitInfo(repoURL: string, branch: string | undefined, c: MirrorCommitInfo): CommitInfo {
  const message = c.message.length > GIT_READ_LIMITS.messageChars ? `${c.message.slice(0, GIT_READ_LIMITS.messageChars - 1)}…` : c.message;
  return { repoURL, ...(branch === undefined ? {} : { branch }), sha: c.sha, author: c.author, date: c.date, message };
}

function changeKind(status: string): FileChangeKind {
  if (status === 'A' || status === 'C') return 'added';
  if (status === 'D') return 'deleted';
  if (status === 'R') return 'renamed';
  return 'modified';
}
