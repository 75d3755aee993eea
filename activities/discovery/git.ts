/**
 * Git discovery through the worker's mirror of the repository (GitService.syncMirror: created
 * once, then fetched incrementally): never a clone per scan.
 *
 * NewestFromBranch walks the branch (since `since`), the tag strategies order the tags
 * (core/warehouse/git-selection.ts); includePaths / excludePaths keep commits that changed a
 * matching file; `expressionFilter` keeps those for which it is true. Up to `discoveryLimit`.
 */
import { evaluateExpression } from '../../core/expressions/index.js';
import type { GitSubscription } from '../../core/model.js';
import type { DiscoveredCommit } from '../../core/warehouse/discovered.js';
import { commitStrategy, orderGitTags } from '../../core/warehouse/git-selection.js';
import { discoveryLimit } from '../../core/warehouse/image-selection.js';
import { pathFilter } from '../../core/warehouse/path-filters.js';
import type { RepoCredentials } from '../adapters/credentials.js';
import type { GitService } from '../adapters/git/git-service.js';
import type { MirrorHistory } from '../adapters/git/mirror-history.js';
import { BadSubscription } from './errors.js';

export interface GitDiscoveryDeps {
  git: GitService;
  credentials: RepoCredentials | undefined;
  history?: MirrorHistory;
  heartbeat?: (() => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** How far back a branch walk goes looking for commits that pass the path or expression filters. */
const MAX_WALK = 2000;

export async function discoverCommits(sub: GitSubscription, deps: GitDiscoveryDeps): Promise<DiscoveredCommit[]> {
  let paths: ReturnType<typeof pathFilter>;
  try {
    paths = pathFilter(sub);
    if (sub.since !== undefined && Number.isNaN(Date.parse(sub.since))) throw new Error(`since: ${JSON.stringify(sub.since)} is not an RFC 3339 time`);
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
  const access = { credentials: deps.credentials, insecureSkipTLSVerify: sub.insecureSkipTLSVerify };
  const mirror = await deps.git.syncMirror(sub.repoURL, { ...access, heartbeat: deps.heartbeat, signal: deps.signal });
  const history = deps.history ?? deps.git.history();
  const limit = discoveryLimit(sub);
  const keepByExpression = (vars: Record<string, unknown>): boolean => {
    if (!sub.expressionFilter) return true;
    let v: unknown;
    try {
      v = evaluateExpression(sub.expressionFilter, { variables: vars });
    } catch (e) {
      throw new BadSubscription(`expressionFilter: ${(e as Error).message}`);
    }
    return v === true || v === 'true' || (typeof v === 'number' && v !== 0);
  };

  if (commitStrategy(sub) === 'NewestFromBranch') {
    const branch = sub.branch || (await history.defaultBranch(mirror, sub.repoURL, access));
    if (!(await history.hasBranch(mirror, branch))) throw new BadSubscription(`branch ${JSON.stringify(branch)} does not exist in ${deps.git.displayURL(sub.repoURL)}`);
    const filtered = paths !== undefined || sub.expressionFilter !== undefined;
    const commits = await history.branchCommits(mirror, branch, filtered ? MAX_WALK : limit, sub.since);
    const out: DiscoveredCommit[] = [];
    for (const c of commits) {
      if (out.length >= limit) break;
      if (paths && !paths(await history.changedPaths(mirror, c.id))) continue;
      const vars = { id: c.id, commitDate: c.commitDate, author: c.author, committer: c.committer, subject: c.subject };
      if (!keepByExpression(vars)) continue;
      out.push({ id: c.id, branch, subject: c.subject, author: c.author, committer: c.committer, creatorDate: c.commitDate });
    }
    return out;
  }

  let ordered;
  try {
    ordered = orderGitTags(sub, await history.tags(mirror));
  } catch (e) {
    throw new BadSubscription((e as Error).message);
  }
  const out: DiscoveredCommit[] = [];
  for (const t of ordered) {
    if (out.length >= limit) break;
    if (paths && !paths(await history.changedPaths(mirror, t.id))) continue;
    const vars = {
      tag: t.tag,
      id: t.id,
      creatorDate: t.creatorDate,
      author: t.author,
      committer: t.committer,
      subject: t.subject,
      tagger: t.tagger ?? '',
      annotation: t.annotation ?? '',
    };
    if (!keepByExpression(vars)) continue;
    out.push({ id: t.id, tag: t.tag, subject: t.subject, author: t.author, committer: t.committer, creatorDate: t.creatorDate });
  }
  return out;
}
