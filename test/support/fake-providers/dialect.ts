/** What each fake provider dialect implements, and the registry of them. */
import type { IncomingHttpHeaders } from 'node:http';

export type FakeKind = 'github' | 'gitlab' | 'gitea' | 'bitbucket-cloud' | 'bitbucket-dc' | 'azure';

export interface FakePull {
  number: number;
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  merged: boolean;
  mergeSHA?: string;
  mergeable: boolean;
  draft: boolean;
  mergeMethod?: string;
  /** Bitbucket Data Center's optimistic-locking version (bumped on every change). */
  version: number;
}

export interface Reply {
  status: number;
  body?: unknown;
}

/** What a dialect may use of the fake server. */
export interface DialectHost {
  readonly base: string;
  readonly pulls: FakePull[];
  readonly labels: { id: number; name: string }[];
  addPull(fields: Pick<FakePull, 'owner' | 'repo' | 'head' | 'base' | 'title' | 'body' | 'labels'>): FakePull;
  openPull(owner: string, repo: string, head: string, base: string): FakePull | undefined;
  resolve(p: { owner: string; repo: string }, rev: string): Promise<string | undefined>;
  merge(p: FakePull, method?: string): Promise<string>;
  /** Runs git in the bare repository `<owner>/<repo>.git`; its stdout. */
  gitIn(repo: { owner: string; repo: string }, args: string[], env?: Record<string, string>): Promise<string>;
  /** Commits the Git database API created, and whether GitHub signed them (no author given). */
  readonly createdCommits: { sha: string; verified: boolean }[];
  /** Bitbucket Cloud: answer merges 202 (done in the background, as for long merges). */
  mergeInBackground: boolean;
  /** Runs (once) before the next ref update is checked: a test's way to race a push. */
  beforeRefUpdate: (() => Promise<void>) | undefined;
}

export interface Dialect {
  /** Whether a request path is the API's (everything else is git's smart HTTP). */
  isApi(path: string): boolean;
  /** The git http-backend path (`/<owner>/<repo>.git/…`) for a clone-URL path. */
  gitPath(path: string): string;
  repoURL(base: string, owner: string, repo: string): string;
  authorized(headers: IncomingHttpHeaders, token: string): boolean;
  unauthorized(): Reply;
  /** A 400-class refusal of a malformed request, in the provider's error shape. */
  invalid(message: string): Reply;
  handle(host: DialectHost, method: string, url: URL, body: Record<string, unknown>): Promise<Reply>;
}

/** `body[key]` when it is a non-empty string. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `body[a][b]…` when it is a non-empty string. */
export function strAt(body: unknown, ...keys: string[]): string | undefined {
  let v: unknown = body;
  for (const k of keys) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}
