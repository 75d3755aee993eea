/** What the pull-request steps need from a Git hosting provider's API. */
export interface PullRequest {
  /** The number users see (GitHub number, GitLab iid). */
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

export type MergeOutcome = { merged: true; commit: string } | { merged: false; reason: string };

export interface GitProvider {
  readonly name: string;
  /** An open or merged pull request from `source` into `target`, newest first; undefined if none. */
  findPullRequest(source: string, target: string): Promise<PullRequest | undefined>;
  openPullRequest(req: OpenRequest): Promise<PullRequest>;
  getPullRequest(id: number): Promise<PullRequest>;
  mergePullRequest(id: number, method: string | undefined): Promise<MergeOutcome>;
}
