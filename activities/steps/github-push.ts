/**
 * `github-push`: Kargo's drop-in replacement for git-push on GitHub. Instead of pushing the
 * checkout's commits to the branch, it pushes them to a hidden staging ref
 * (`refs/kargo/staging/<promotion>`, so GitHub has the trees), has GitHub re-create each commit
 * through its Git database API, moves the branch to the last one, deletes the staging ref and
 * moves the checkout to what the branch became. Commits GitHub creates without an explicit
 * author are attributed to the token's owner (e.g. a GitHub App) and signed by GitHub: verified.
 *
 * Which commits are replayed without their author: Kargo does so for commits signed by a key it
 * trusts; Shunt evaluates no signature trust here, so every commit keeps its author and committer
 * (not verified, provenance intact) unless the operator sets
 * SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS=true (Kargo's GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS):
 * then every commit is created by GitHub, with a `Co-authored-by` trailer naming its author.
 * At most SHUNT_GITHUB_PUSH_MAX_REVISIONS commits (default 10) are replayed per push.
 *
 * A branch that moved on is integrated by rebasing (as git-push does) and tried again, up to
 * `maxAttempts`; `force` (and generateTargetBranch) replaces the branch instead.
 *
 * Output: `branch`, `commit`, `commitURL`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { repoLocation } from '../adapters/git-providers/api-location.js';
import type { ComparedCommit, GitHubGitData, NewCommit } from '../adapters/git-providers/github-git-data.js';
import { githubGitData } from '../adapters/git-providers/index.js';
import { generatedBranchName } from './git-push.js';
import type { StepContext, StepDefinition } from './step.js';

export const GitHubPushConfig = z
  .strictObject({
    path: z.string().min(1).describe('Path to a git checkout with committed changes.'),
    targetBranch: z.string().optional().describe('Branch to push to (default: the checked-out branch).'),
    generateTargetBranch: z.boolean().optional().describe('Push to `kargo/promotion/<promotion>`, replacing it; for pull-request flows.'),
    force: z.boolean().optional().describe('Replace the remote branch instead of integrating it.'),
    maxAttempts: z.number().int().min(1).max(2147483647).optional().describe('Attempts when the branch moved on meanwhile (default 10).'),
    insecureSkipTLSVerify: z.boolean().optional().describe('Skip TLS verification for the GitHub API (GitHub Enterprise with a self-signed certificate).'),
  })
  .superRefine((c, ctx) => {
    if (c.generateTargetBranch === true && c.targetBranch) {
      ctx.addIssue({ code: 'custom', message: 'targetBranch and generateTargetBranch: true are mutually exclusive' });
    }
  });
export type GitHubPushConfig = z.infer<typeof GitHubPushConfig>;

/** The operator's github-push settings; a wrong value is named (the worker checks them at start). */
export function githubPushSettings(env: NodeJS.ProcessEnv = process.env): { maxRevisions: number; verifyUntrusted: boolean } {
  const max = env['SHUNT_GITHUB_PUSH_MAX_REVISIONS'] ?? '10';
  if (!/^[1-9]\d*$/.test(max)) throw new DomainError('StepFailed', `SHUNT_GITHUB_PUSH_MAX_REVISIONS must be a positive integer, got ${JSON.stringify(max)}`);
  const verify = (env['SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS'] ?? 'false').toLowerCase();
  if (verify !== 'true' && verify !== 'false') {
    throw new DomainError('StepFailed', `SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS must be true or false, got ${JSON.stringify(verify)}`);
  }
  return { maxRevisions: Number(max), verifyUntrusted: verify === 'true' };
}

/** What GitHub is asked to create for `original`, with its parents already mapped. */
export function replayCommit(original: ComparedCommit, parents: string[], verifyUntrusted: boolean): NewCommit {
  const { message, tree, author, committer } = original.commit;
  if (!verifyUntrusted) {
    return { message, tree: tree.sha, parents, ...(author ? { author } : {}), ...(committer ? { committer } : {}) };
  }
  if (!author?.name || !author.email) return { message, tree: tree.sha, parents };
  // Into the message's trailer block when it ends with one (e.g. Shunt-Promotion), else a new one.
  const body = message.replace(/\s+$/, '');
  const last = body.split(/\n\s*\n/).pop() ?? '';
  const inTrailers = body.includes('\n') && last.split('\n').every((l) => /^[A-Za-z0-9-]+: /.test(l));
  return { message: `${body}${inTrailers ? '\n' : '\n\n'}Co-authored-by: ${author.name} <${author.email}>`, tree: tree.sha, parents };
}

type Attempt = { done: true } | { done: false; why: string };

interface PushPlan {
  dir: string;
  target: string;
  /** The branch the checkout is on (the base for a target branch that does not exist yet). */
  current: string | undefined;
  staging: string;
  force: boolean;
  gh: GitHubGitData;
  access: { credentials: { username?: string; password?: string }; insecureSkipTLSVerify?: boolean | undefined };
}

async function attempt(ctx: StepContext, plan: PushPlan, settings: ReturnType<typeof githubPushSettings>): Promise<Attempt> {
  const heartbeat = (): void => ctx.heartbeat({ step: 'github-push' });
  const { head, remote } = await ctx.git.pushHeadToRef(plan.dir, {
    ref: plan.staging,
    branch: plan.target,
    integrate: !plan.force,
    ...plan.access,
    heartbeat,
    signal: ctx.signal,
  });
  const baseBranch = remote !== undefined ? plan.target : plan.current;
  if (baseBranch === undefined) throw new DomainError('StepFailed', `branch ${JSON.stringify(plan.target)} does not exist and the checkout is on no branch to start it from`);
  const base = await plan.gh.getRef(`heads/${baseBranch}`);
  if (base === undefined) throw new DomainError('StepFailed', `branch ${JSON.stringify(baseBranch)} is not on GitHub`);
  const cmp = await plan.gh.compare(base, head);
  if ((cmp.status === 'behind' || cmp.status === 'diverged') && !plan.force) {
    return { done: false, why: `the branch has commits the checkout lacks (${cmp.status})` };
  }
  if (cmp.total_commits > settings.maxRevisions || cmp.commits.length < cmp.total_commits) {
    throw new DomainError(
      'StepFailed',
      `${cmp.total_commits} commits to replay from ${cmp.merge_base_commit.sha} to ${head}: more than the ${settings.maxRevisions} allowed (SHUNT_GITHUB_PUSH_MAX_REVISIONS)`,
    );
  }
  // Replayed onto the merge base, parents mapped so merge commits keep their shape.
  const mapped = new Map<string, string>([[cmp.merge_base_commit.sha, cmp.merge_base_commit.sha]]);
  let last = cmp.merge_base_commit.sha;
  for (const c of cmp.commits) {
    const parents = c.parents.length <= 1 ? [last] : c.parents.map((p) => mapped.get(p.sha) ?? p.sha);
    last = await plan.gh.createCommit(replayCommit(c, parents, settings.verifyUntrusted));
    mapped.set(c.sha, last);
    heartbeat();
  }
  if (remote === undefined) {
    await plan.gh.createRef(`refs/heads/${plan.target}`, last);
    return { done: true };
  }
  if (last === base) return { done: true };
  return (await plan.gh.updateRef(`heads/${plan.target}`, last, plan.force)) ? { done: true } : { done: false, why: 'GitHub refused the update as not a fast-forward' };
}

export const githubPush: StepDefinition<GitHubPushConfig> = {
  kind: 'github-push',
  config: GitHubPushConfig,
  async run(ctx, config) {
    const settings = githubPushSettings();
    const dir = ctx.workspace.resolve(config.path);
    const info = await ctx.git.worktreeInfo(dir);
    if (!info?.repoURL) throw new DomainError('StepFailed', `path ${JSON.stringify(config.path)} is not a git checkout (run git-clone first)`);
    const repoURL = info.repoURL;
    const credentials = await ctx.credentials.git(repoURL);
    if (!credentials) throw new DomainError('StepFailed', `no credentials found for ${ctx.git.displayURL(repoURL)}; github-push needs a GitHub token`);
    if (!credentials.password) throw new DomainError('StepFailed', `the credentials for ${ctx.git.displayURL(repoURL)} have no password/token; github-push needs one for the GitHub API`);
    const generated = config.generateTargetBranch === true;
    const target = generated ? generatedBranchName(ctx.promotion) : config.targetBranch || info.branch;
    if (!target) throw new DomainError('StepFailed', 'the checkout is not on a branch (commit or tag checkout); set targetBranch');
    const insecure = config.insecureSkipTLSVerify ?? info.insecureSkipTLSVerify;
    const plan: PushPlan = {
      dir,
      target,
      current: info.branch,
      staging: `refs/kargo/staging/${ctx.promotion}`,
      force: generated || config.force === true,
      gh: githubGitData(repoURL, credentials.password, { insecureSkipTLSVerify: insecure, signal: ctx.signal }),
      access: { credentials, ...(insecure !== undefined ? { insecureSkipTLSVerify: insecure } : {}) },
    };
    const maxAttempts = config.maxAttempts ?? 10;
    try {
      for (let n = 1; ; n++) {
        const res = await attempt(ctx, plan, settings);
        if (res.done) break;
        if (n >= maxAttempts) throw new DomainError('StepFailed', `push to branch ${JSON.stringify(target)} via the GitHub API still refused after ${n} attempts: ${res.why}`);
        await sleep(Math.min(30_000, 1000 * 1.5 ** (n - 1)), undefined, { signal: ctx.signal });
      }
    } finally {
      // The staging ref is only scaffolding: a failure to delete it does not fail the push.
      await plan.gh.deleteRef(plan.staging.replace(/^refs\//, '')).catch(() => undefined);
    }
    const commit = await ctx.git.resetToRemoteBranch(dir, { branch: target, ...plan.access, heartbeat: () => ctx.heartbeat({ step: 'github-push' }), signal: ctx.signal });
    const output: Record<string, unknown> = { branch: target, commit };
    const loc = repoLocation(repoURL);
    output['commitURL'] = `${loc.origin}/${loc.segments.join('/')}/commit/${commit}`;
    return { status: 'Succeeded', output };
  },
};
