/**
 * git-clone's `recurseSubmodules`: each submodule of a checkout is checked out at the commit its
 * gitlink records, as a worktree of the worker's mirror of the submodule's repository (the same
 * checkout() as any other), recursively.
 *
 * `.gitmodules` is written by whoever can push to the repository, so nothing in it is trusted:
 * - every URL (relative ones resolved against the superproject's URL, as git does) goes through
 *   the same checks as a step's `repoURL` (remote-url.ts), the egress policy (mirror.ts) and the
 *   transport allow-list, and gets the credentials the credential store has for that URL (never
 *   the superproject's);
 * - a local URL (`file://`, a path) is refused unless the operator allows local submodules
 *   (SHUNT_GIT_SUBMODULES_ALLOW_LOCAL=true): it would read any repository on the worker's disk;
 * - a path must be relative, stay inside the checkout, hold no `.git` component, and be the path
 *   of a gitlink of the checked-out commit; its parent may not resolve (symlinks) outside;
 * - at most {@link MAX_SUBMODULES} submodules in all, {@link MAX_DEPTH} levels deep.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import { gitRemoteEndpoint } from '../egress/egress-connect.js';
import { checkout, type CheckoutDeps } from './checkout.js';
import { displayURL } from './redact.js';
import type { GitIdentity, OperationHooks, RemoteAccess } from './types.js';

export const ALLOW_LOCAL_SUBMODULES_ENV = 'SHUNT_GIT_SUBMODULES_ALLOW_LOCAL';
export const MAX_SUBMODULES = 100;
export const MAX_DEPTH = 5;

export interface SubmoduleRequest extends OperationHooks {
  /** The checkout (top of a worktree) whose submodules to check out. */
  dir: string;
  /** The URL the checkout was made from: relative submodule URLs are resolved against it. */
  repoURL: string;
  /** How to reach each submodule's URL (its own credentials). */
  accessFor: (url: string) => Promise<RemoteAccess>;
  author?: GitIdentity | undefined;
}

export interface SubmoduleCheckout {
  path: string;
  repoURL: string;
  commit: string;
}

/** `url` resolved against `base` the way git resolves a `./` or `../` submodule URL. */
export function resolveSubmoduleURL(base: string, url: string): string {
  if (!url.startsWith('./') && !url.startsWith('../')) return url;
  let b = base.replace(/\/+$/, '');
  let rest = url;
  for (;;) {
    if (rest.startsWith('./')) rest = rest.slice(2);
    else if (rest.startsWith('../')) {
      rest = rest.slice(3);
      const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(b)?.[0].length ?? 0;
      const slash = b.lastIndexOf('/');
      // scp-like `host:path`: the colon ends the host, and stays.
      const colon = scheme === 0 && !b.endsWith(':') ? b.indexOf(':') : -1;
      if (slash >= scheme && slash > colon) b = b.slice(0, slash);
      else if (colon > 0) b = b.slice(0, colon + 1);
      else throw new DomainError('StepFailed', `submodule URL ${JSON.stringify(url)} climbs above ${displayURL(base)}`);
    } else break;
  }
  const sep = b.endsWith(':') ? '' : '/';
  return `${b}${sep}${rest}`;
}

function isLocal(url: string): boolean {
  return gitRemoteEndpoint(url) === undefined;
}

/** A `.gitmodules` path, checked (see the file comment). */
function checkedPath(name: string, p: string): string {
  const parts = p.split('/');
  if (p === '' || path.isAbsolute(p) || p.includes('\\') || /[\0\r\n]/.test(p) || parts.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git')) {
    throw new DomainError('StepFailed', `submodule ${JSON.stringify(name)}: path ${JSON.stringify(p)} is not a plain relative path inside the checkout`);
  }
  return p;
}

/** Entries of the checkout's `.gitmodules`: name → { path, url }. */
async function readGitmodules(deps: CheckoutDeps, dir: string): Promise<Map<string, { path?: string; url?: string }>> {
  const out = new Map<string, { path?: string; url?: string }>();
  if (!fs.existsSync(path.join(dir, '.gitmodules'))) return out;
  // A named file is read without following include.* (git-config(1), --includes).
  const res = await deps.git.run(['config', '--file', '.gitmodules', '--no-includes', '-z', '--get-regexp', '^submodule\\..*\\.(path|url)$'], {
    cwd: dir,
    allowFailure: true,
  });
  for (const entry of res.stdout.split('\0')) {
    const nl = entry.indexOf('\n');
    if (nl < 0) continue;
    const key = entry.slice(0, nl);
    const value = entry.slice(nl + 1);
    const m = /^submodule\.(.+)\.(path|url)$/s.exec(key);
    if (!m?.[1] || !m[2]) continue;
    const e = out.get(m[1]) ?? {};
    e[m[2] as 'path' | 'url'] = value;
    out.set(m[1], e);
  }
  return out;
}

/** The gitlinks of the checkout's index: path → commit. */
async function gitlinks(deps: CheckoutDeps, dir: string): Promise<Map<string, string>> {
  const res = await deps.git.run(['ls-files', '--stage', '-z'], { cwd: dir });
  const out = new Map<string, string>();
  for (const entry of res.stdout.split('\0')) {
    const m = /^160000 ([0-9a-f]{40,64}) 0\t(.+)$/s.exec(entry);
    if (m?.[1] && m[2]) out.set(m[2], m[1]);
  }
  return out;
}

/**
 * Checks out the submodules of the checkout at `req.dir`, recursively; returns what it checked out.
 *
 * @throws DomainError('StepFailed') for a `.gitmodules` entry that breaks a rule of the file
 *   comment (naming the submodule), or too many submodules.
 */
export async function checkoutSubmodules(deps: CheckoutDeps, req: SubmoduleRequest, allowLocal: boolean): Promise<SubmoduleCheckout[]> {
  const done: SubmoduleCheckout[] = [];
  await recurse(deps, req, allowLocal, 1, done, fs.realpathSync(req.dir));
  return done;
}

async function recurse(
  deps: CheckoutDeps,
  req: SubmoduleRequest,
  allowLocal: boolean,
  depth: number,
  done: SubmoduleCheckout[],
  root: string,
): Promise<void> {
  const modules = await readGitmodules(deps, req.dir);
  if (modules.size === 0) return;
  if (depth > MAX_DEPTH) throw new DomainError('StepFailed', `submodules nest more than ${MAX_DEPTH} levels deep`);
  const links = await gitlinks(deps, req.dir);
  const top = fs.realpathSync(req.dir);
  for (const [name, entry] of [...modules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry.path === undefined || entry.url === undefined) continue;
    const rel = checkedPath(name, entry.path);
    const commit = links.get(rel);
    if (commit === undefined) continue; // no gitlink there in this commit: git skips it too
    const url = resolveSubmoduleURL(req.repoURL, entry.url);
    const shown = `submodule ${JSON.stringify(name)} (${displayURL(url)})`;
    if (isLocal(url) && !allowLocal) {
      throw new DomainError('StepFailed', `${shown}: a local repository URL is not allowed (the operator allows them with ${ALLOW_LOCAL_SUBMODULES_ENV}=true)`);
    }
    deps.git.assertRemoteAllowed(url);
    const target = path.join(req.dir, rel);
    const parent = path.dirname(target);
    if (!fs.existsSync(parent)) continue; // outside a sparse checkout's cone
    const realParent = fs.realpathSync(parent);
    if (realParent !== top && !realParent.startsWith(top + path.sep)) {
      throw new DomainError('StepFailed', `${shown}: path ${JSON.stringify(rel)} leads outside the checkout`);
    }
    if (fs.existsSync(target) && fs.lstatSync(target).isSymbolicLink()) {
      throw new DomainError('StepFailed', `${shown}: path ${JSON.stringify(rel)} is a symbolic link`);
    }
    if (done.length >= MAX_SUBMODULES) throw new DomainError('StepFailed', `more than ${MAX_SUBMODULES} submodules`);
    req.signal?.throwIfAborted();
    const access = await req.accessFor(url);
    await checkout(deps, { ...access, repoURL: url, dir: target, commit, author: req.author, heartbeat: req.heartbeat, signal: req.signal });
    done.push({ path: path.relative(root, path.join(realParent, path.basename(target))), repoURL: url, commit });
    await recurse(deps, { ...req, dir: target, repoURL: url }, allowLocal, depth + 1, done, root);
  }
}
