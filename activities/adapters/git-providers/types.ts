/** What the pull-request steps need from a Git hosting provider's API. */
export interface PullRequest {
  /** The number users see (GitHub/Gitea number, GitLab iid, Bitbucket/Azure id). */
  id: number;
  url: string;
  open: boolean;
  merged: boolean;
  /** The merge (or squash) commit, once merged. */
  mergeCommit?: string;
}

export interface OpenRequest {
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string;
  labels: string[];
}

/** `pending`: the provider accepted the merge and completes it asynchronously (Azure DevOps). */
export type MergeOutcome = { merged: true; commit: string } | { merged: false; reason: string; pending?: boolean };

export interface GitProvider {
  readonly name: string;
  /** An open or merged pull request from `source` into `target`, newest first; undefined if none. */
  findPullRequest(source: string, target: string): Promise<PullRequest | undefined>;
  openPullRequest(req: OpenRequest): Promise<PullRequest>;
  getPullRequest(id: number): Promise<PullRequest>;
  mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome>;
}
