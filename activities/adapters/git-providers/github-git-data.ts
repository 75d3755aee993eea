/**
 * GitHub's Git database API (refs, commits) and compare, for github-push: commits are created by
 * GitHub from trees already pushed, so GitHub can sign them.
 */
import { z } from 'zod';
import { apiCall, apiRequest, ApiError, type ApiOptions } from './api-client.js';

const Identity = z.object({ name: z.string(), email: z.string(), date: z.string().optional() });
export type GitIdentityWithDate = z.infer<typeof Identity>;

const ComparedCommit = z.object({
  sha: z.string(),
  commit: z.object({ message: z.string(), tree: z.object({ sha: z.string() }), author: Identity.nullable(), committer: Identity.nullable() }),
  parents: z.array(z.object({ sha: z.string() })),
});
export type ComparedCommit = z.infer<typeof ComparedCommit>;

const Comparison = z.object({
  status: z.enum(['ahead', 'behind', 'diverged', 'identical']),
  merge_base_commit: z.object({ sha: z.string() }),
  total_commits: z.number().int(),
  commits: z.array(ComparedCommit),
});
export type Comparison = z.infer<typeof Comparison>;

const Ref = z.object({ ref: z.string(), object: z.object({ sha: z.string() }) });

export interface NewCommit {
  message: string;
  tree: string;
  parents: string[];
  author?: GitIdentityWithDate;
  committer?: GitIdentityWithDate;
}

export class GitHubGitData {
  constructor(
    private readonly api: ApiOptions,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  private path(rest: string): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}${rest}`;
  }

  /** The commit a ref (`heads/main`) points at; undefined when there is no such ref. */
  async getRef(ref: string): Promise<string | undefined> {
    try {
      return (await apiCall(this.api, 'GET', this.path(`/git/ref/${ref}`), Ref)).object.sha;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  compare(base: string, head: string): Promise<Comparison> {
    return apiCall(this.api, 'GET', this.path(`/compare/${base}...${head}?per_page=250`), Comparison);
  }

  async createCommit(c: NewCommit): Promise<string> {
    return (await apiCall(this.api, 'POST', this.path('/git/commits'), z.object({ sha: z.string() }), c)).sha;
  }

  async createRef(ref: string, sha: string): Promise<void> {
    await apiCall(this.api, 'POST', this.path('/git/refs'), Ref, { ref, sha });
  }

  /** Moves a ref; false when GitHub refuses because it is not a fast-forward (422). */
  async updateRef(ref: string, sha: string, force: boolean): Promise<boolean> {
    try {
      await apiCall(this.api, 'PATCH', this.path(`/git/refs/${ref}`), Ref, { sha, force });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) return false;
      throw err;
    }
  }

  async deleteRef(ref: string): Promise<void> {
    await apiRequest(this.api, 'DELETE', this.path(`/git/refs/${ref}`));
  }
}
