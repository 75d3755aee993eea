/**
 * What the api asks the worker to read from its git mirrors, and what the worker answers: the
 * commits a promotion pushed with the diff of the files they changed, and the commits between two
 * revisions. Shared by the api, the git-read workflow and its activity. Every answer is bounded
 * (GIT_READ_LIMITS) and says when it was cut (`truncated`). Pure.
 */
import { normalizeGitURL } from '../freight/normalize.js';

/** Bounds of one answer, so that it stays far below Temporal's payload limit. */
export const GIT_READ_LIMITS = {
  /** Commits listed per repository (a promotion's own, or between two revisions). */
  commits: 50,
  /** Files listed per promotion. */
  files: 200,
  /** Bytes of patch text per file; a longer patch is cut and marked truncated. */
  patchBytesPerFile: 16 * 1024,
  /** Bytes of patch text per answer; the patches of later files are left out and marked truncated. */
  patchBytesTotal: 256 * 1024,
  /** A file whose blob is larger than this gets no patch at all (truncated). */
  blobBytes: 1024 * 1024,
  /** Characters of a commit message kept. */
  messageChars: 4096,
  /** Candidate repositories tried per request. */
  repositories: 20,
} as const;

export interface CommitInfo {
  repoURL: string;
  branch?: string;
  sha: string;
  author: string;
  /** Author date, ISO 8601. */
  date: string;
  message: string;
}

export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';

export interface FileChange {
  repoURL: string;
  path: string;
  /** The path before a rename. */
  previousPath?: string;
  change: FileChangeKind;
  /** Lines; 0 for binary files and for files over GIT_READ_LIMITS.blobBytes (not read: truncated). */
  additions: number;
  deletions: number;
  binary?: boolean;
  /** The unified diff of this file, cut at GIT_READ_LIMITS.patchBytesPerFile ('' when left out). */
  patch: string;
  truncated: boolean;
}

/** GET …/promotions/:promotion/changes */
export interface PromotionChanges {
  commits: CommitInfo[];
  files: FileChange[];
  /** Set when commits or files were left out (each file says whether its patch was cut). */
  truncated?: boolean;
}

/** A commit pushed by one of the promotion's steps, as its output recorded it. */
export interface PushedCommit {
  sha: string;
  branch?: string;
}

export interface PromotionChangesRequest {
  kind: 'promotion-changes';
  project: string;
  promotion: string;
  pushed: PushedCommit[];
  /** The project's repositories the commits may be in (projectRepoURLs). */
  repoURLs: string[];
}

export interface CommitsBetweenRequest {
  kind: 'commits-between';
  project: string;
  repoURL: string;
  /** The older revision (excluded) and the newer one (included): `git log from..to`. */
  from: string;
  to: string;
}

export interface CommitsBetween {
  commits: Omit<CommitInfo, 'repoURL' | 'branch'>[];
  truncated: boolean;
}

export type GitReadRequest = PromotionChangesRequest | CommitsBetweenRequest;
export type GitReadResult<R extends GitReadRequest> = R extends PromotionChangesRequest ? PromotionChanges : CommitsBetween;

/** Steps whose `commit` output is a commit they pushed to a remote. */
export const PUSH_STEP_KINDS: readonly string[] = ['git-push', 'github-push'];

const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export function isFullCommitId(value: unknown): value is string {
  return typeof value === 'string' && FULL_SHA.test(value);
}

/**
 * The commits a promotion's push steps report (their `commit` and `branch` outputs), in step
 * order, each once. A push step that pushed nothing reports the remote's head: the worker keeps
 * only commits whose trailer names the promotion.
 */
export function pushedCommits(
  steps: readonly { alias: string; uses: string; status: string }[],
  outputs: Record<string, Record<string, unknown>> | undefined,
): PushedCommit[] {
  const out: PushedCommit[] = [];
  for (const step of steps) {
    if (!PUSH_STEP_KINDS.includes(step.uses) || step.status !== 'Succeeded') continue;
    const output = outputs?.[step.alias];
    const sha = output?.['commit'];
    if (!isFullCommitId(sha) || out.some((c) => c.sha === sha)) continue;
    const branch = output?.['branch'];
    out.push(typeof branch === 'string' && branch !== '' ? { sha, branch } : { sha });
  }
  return out;
}

/** A git remote: a URL with a scheme git speaks, or scp-like `user@host:path`. */
const GIT_REMOTE = /^(?:(?:https?|ssh|git|file):\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/;

/**
 * The git repositories a project uses, each once (by normalized URL): its warehouses' git
 * subscriptions, the commits of its freight, and the literal `repoURL`s of git steps and the
 * literal variables of its stages and promotion tasks (where Kargo's examples keep the GitOps
 * repository). Expressions (`${{ … }}`) are not evaluated: a repository named only through one
 * is found through the variable it reads, or not at all.
 */
export function projectRepoURLs(specs: {
  warehouses: Record<string, { spec: { subscriptions: readonly unknown[] } }>;
  stages: Record<string, { spec: { vars?: readonly { value?: unknown }[]; promotionTemplate?: { spec: { vars?: readonly { value?: unknown }[]; steps: readonly unknown[] } } } }>;
  tasks: Record<string, { spec: { vars?: readonly { value?: unknown }[]; steps: readonly unknown[] } }>;
}, freight: Iterable<{ commits: readonly { repoURL: string }[] }> = []): string[] {
  const found = new Map<string, string>();
  const add = (value: unknown): void => {
    if (typeof value !== 'string' || value.includes('${{') || !GIT_REMOTE.test(value.trim())) return;
    const key = normalizeGitURL(value.trim());
    if (!found.has(key)) found.set(key, value.trim());
  };
  for (const w of Object.values(specs.warehouses)) {
    for (const sub of w.spec.subscriptions) add((sub as { git?: { repoURL?: unknown } }).git?.repoURL);
  }
  for (const f of freight) for (const c of f.commits) add(c.repoURL);
  const fromSteps = (vars: readonly { value?: unknown }[] | undefined, steps: readonly unknown[]): void => {
    for (const v of vars ?? []) add(v.value);
    for (const step of steps) {
      const s = step as { uses?: unknown; config?: Record<string, unknown> };
      if (typeof s.uses === 'string' && s.uses.startsWith('git')) add(s.config?.['repoURL']);
    }
  };
  for (const stage of Object.values(specs.stages)) {
    for (const v of stage.spec.vars ?? []) add(v.value);
    const template = stage.spec.promotionTemplate?.spec;
    if (template) fromSteps(template.vars, template.steps);
  }
  for (const task of Object.values(specs.tasks)) fromSteps(task.spec.vars, task.spec.steps);
  return [...found.values()];
}

/** Stable key of a request: the git-read workflow's id and the api's cache key are made from it. */
export function gitReadKey(request: GitReadRequest): string {
  if (request.kind === 'commits-between') return `between:${normalizeGitURL(request.repoURL)}:${request.from}..${request.to}`;
  const repos = request.repoURLs.map(normalizeGitURL).sort().join(',');
  return `changes:${request.promotion}:${request.pushed.map((c) => c.sha).join(',')}:${repos}`;
}

/** Cuts `text` to at most `maxBytes` of UTF-8 (never inside a character). */
export function cutUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, cut: false };
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: new TextDecoder().decode(bytes.slice(0, end)), cut: true };
}
