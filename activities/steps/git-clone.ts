/**
 * `git-clone`: checks out one or more refs of a repository into the workspace, each as a
 * worktree of the worker's mirror of that repository (see adapters/git/).
 *
 * Output: `commits` — checkout `as` (or `path`) → HEAD commit.
 * Idempotent: a path that already holds the same checkout is reused as it is.
 */
import { z } from 'zod';
import { signingKind } from '../adapters/git/signing.js';
import type { StepDefinition } from './step.js';

export const Checkout = z
  .strictObject({
    path: z.string().min(1).describe('Where to check out, relative to the workspace.'),
    branch: z.string().min(1).optional().describe('Branch to check out.'),
    commit: z.string().min(1).optional().describe('Commit to check out (detached).'),
    tag: z.string().min(1).optional().describe('Tag to check out (detached).'),
    create: z
      .boolean()
      .optional()
      .describe('Create `branch` (orphaned, one empty "Initial commit", pushed) when the remote lacks it.'),
    sparse: z.array(z.string().min(1)).optional().describe('Directories of a cone-mode sparse checkout.'),
    as: z.string().min(1).optional().describe('Key of this checkout in the `commits` output.'),
  })
  .superRefine((c, ctx) => {
    const refs = [c.branch, c.commit, c.tag].filter((v) => v !== undefined);
    if (refs.length > 1) ctx.addIssue({ code: 'custom', message: 'set at most one of branch, commit, tag' });
    if (c.create && c.branch === undefined) {
      ctx.addIssue({ code: 'custom', path: ['create'], message: 'create needs a branch' });
    }
  });
export type Checkout = z.infer<typeof Checkout>;

export const GitCloneConfig = z
  .strictObject({
    repoURL: z.string().min(1).describe('URL of the repository.'),
    checkout: z.array(Checkout).min(1).optional().describe('What to check out where.'),
    branch: z
      .string()
      .min(1)
      .optional()
      .describe('Shorthand when `checkout` is absent: check out this branch into the workspace root.'),
    author: z
      .strictObject({
        name: z.string().min(1),
        email: z.string().min(1),
        signingKey: z
          .string()
          .optional()
          .describe("Sign the commits made in these checkouts: an armored GPG private key, or an OpenSSH private key (git's gpg.format=ssh); no passphrase. Give it as ${{ secret('name').signingKey }}."),
      })
      .optional()
      .describe('Author of commits made in these checkouts (default "Shunt" <shunt@localhost>).'),
    insecureSkipTLSVerify: z.boolean().optional(),
    blobless: z
      .boolean()
      .optional()
      .describe("A worker's mirror first made for this step is a partial clone (--filter=blob:none): file contents are fetched only for the commits checked out."),
    recurseSubmodules: z
      .boolean()
      .optional()
      .describe("Check out the submodules too, recursively, each with the credentials that match its own URL. Local submodule URLs need the operator's SHUNT_GIT_SUBMODULES_ALLOW_LOCAL=true."),
    depth: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Shunt extension: a worker's mirror first made for this step is shallow, this many commits per branch and tag; a later checkout without depth, or of an older commit, unshallows it.",
      ),
  })
  .superRefine((c, ctx) => {
    if (c.checkout && c.branch !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['branch'], message: 'use either checkout or branch, not both' });
    }
    if (c.author?.signingKey) {
      try {
        signingKind(c.author.signingKey);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['author', 'signingKey'], message: (err as Error).message });
      }
    }
    const seen = new Map<string, number>();
    const paths = new Map<string, number>();
    (c.checkout ?? []).forEach((co, i) => {
      if (co.as !== undefined) {
        if (seen.has(co.as)) {
          ctx.addIssue({ code: 'custom', path: ['checkout', i, 'as'], message: `duplicate checkout alias ${JSON.stringify(co.as)}` });
        }
        seen.set(co.as, i);
      }
      const norm = co.path.replace(/\/+$/, '').replace(/^\.\//, '') || '.';
      if (paths.has(norm)) {
        ctx.addIssue({ code: 'custom', path: ['checkout', i, 'path'], message: `duplicate checkout path ${JSON.stringify(co.path)}` });
      }
      paths.set(norm, i);
    });
  });
export type GitCloneConfig = z.infer<typeof GitCloneConfig>;

export const gitClone: StepDefinition<GitCloneConfig> = {
  kind: 'git-clone',
  config: GitCloneConfig,
  async run(ctx, config) {
    const checkouts: Checkout[] = config.checkout ?? [
      config.branch === undefined ? { path: '.' } : { path: '.', branch: config.branch },
    ];
    const credentials = await ctx.credentials.git(config.repoURL);
    const commits: Record<string, string> = {};
    for (const co of checkouts) {
      ctx.signal.throwIfAborted();
      const dir = ctx.workspace.resolveForWrite(co.path);
      const res = await ctx.git.checkout({
        repoURL: config.repoURL,
        dir,
        branch: co.branch,
        commit: co.commit,
        tag: co.tag,
        create: co.create,
        sparse: co.sparse,
        blobless: config.blobless,
        depth: config.depth,
        author: config.author ? { name: config.author.name, email: config.author.email } : undefined,
        signingKey: config.author?.signingKey,
        credentials,
        insecureSkipTLSVerify: config.insecureSkipTLSVerify,
        heartbeat: () => ctx.heartbeat({ step: 'git-clone', path: co.path }),
        signal: ctx.signal,
      });
      if (config.recurseSubmodules) {
        await ctx.git.checkoutSubmodules({
          dir,
          repoURL: config.repoURL,
          accessFor: async (url) => ({ credentials: await ctx.credentials.git(url), insecureSkipTLSVerify: config.insecureSkipTLSVerify }),
          author: config.author ? { name: config.author.name, email: config.author.email } : undefined,
          heartbeat: () => ctx.heartbeat({ step: 'git-clone', path: co.path, submodules: true }),
          signal: ctx.signal,
        });
      }
      commits[co.as ?? co.path] = res.commit;
      ctx.heartbeat({ step: 'git-clone', path: co.path, done: true });
    }
    return { status: 'Succeeded', output: { commits } };
  },
};
