/**
 * A loopback stand-in for the pull-request part of six git hosts' REST APIs — GitHub, GitLab,
 * Gitea, Bitbucket Cloud, Bitbucket Data Center, Azure DevOps — each speaking its provider's wire
 * format (paths, auth header, request and response JSON, error shape; one dialect file each under
 * fake-providers/), in front of real bare repositories served by `git http-backend`
 * (GitHttpServer): the dialect's clone URL is a real remote, and a merge really lands on the
 * target branch (a merge commit made with `git commit-tree`). Requests with a wrong token or
 * missing required fields are refused as the provider refuses them.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { git } from './git-repos.js';
import { GitHttpServer } from './git-server.js';
import type { Dialect, DialectHost, FakeKind, FakePull, Reply } from './fake-providers/dialect.js';
import { DIALECTS } from './fake-providers/registry.js';

export type { FakeKind, FakePull } from './fake-providers/dialect.js';

export interface ApiCall {
  method: string;
  path: string;
  /** Whether the request carried the expected token (never the token itself). */
  authorized: boolean;
  body?: unknown;
}

export class FakeGitProvider implements DialectHost {
  readonly pulls: FakePull[] = [];
  readonly calls: ApiCall[] = [];
  /** The repository labels (Gitea refers to them by id). */
  readonly labels = [
    { id: 11, name: 'promotion' },
    { id: 12, name: 'urgent' },
  ];
  readonly createdCommits: { sha: string; verified: boolean }[] = [];
  beforeRefUpdate: (() => Promise<void>) | undefined;
  mergeInBackground = false;
  private readonly git: GitHttpServer;
  private readonly dialect: Dialect;
  private server: http.Server | undefined;
  private gitBase = '';
  base = '';

  constructor(
    readonly kind: FakeKind,
    /** Directory holding `<owner>/<repo>.git` bare repositories. */
    private readonly root: string,
    private readonly token: string,
  ) {
    this.git = new GitHttpServer({ root });
    this.dialect = DIALECTS[kind];
  }

  async start(): Promise<string> {
    this.gitBase = await this.git.start();
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!this.dialect.isApi(url.pathname)) {
        this.proxyToGit(req, res, this.dialect.gitPath(url.pathname) + url.search);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.api(req, url, Buffer.concat(chunks).toString('utf8')).then(
          ({ status, body }) => {
            res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
            res.end(body === undefined ? '' : JSON.stringify(body));
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: String(err) }));
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.git.stop();
  }

  /** The clone URL of `<owner>/<repo>` in this provider's form. */
  repoURL(owner: string, repo: string): string {
    return this.dialect.repoURL(this.base, owner, repo);
  }

  /** The host:port of the server (for SHUNT_GIT_PROVIDER_API_URLS entries). */
  get host(): string {
    return new URL(this.base).host;
  }

  pull(n: number): FakePull {
    const p = this.pulls.find((x) => x.number === n);
    if (!p) throw new Error(`no pull ${n}`);
    return p;
  }

  /** A new open pull request (numbered in creation order). */
  addPull(fields: Pick<FakePull, 'owner' | 'repo' | 'head' | 'base' | 'title' | 'body' | 'labels'>): FakePull {
    const p: FakePull = { ...fields, number: this.pulls.length + 1, state: 'open', merged: false, mergeable: true, draft: false, version: 0 };
    this.pulls.push(p);
    return p;
  }

  /** The open pull request from `head` into `base`, if any (providers refuse a second one). */
  openPull(owner: string, repo: string, head: string, base: string): FakePull | undefined {
    return this.pulls.find((p) => p.owner === owner && p.repo === repo && p.head === head && p.base === base && p.state === 'open');
  }

  private repoDir(p: { owner: string; repo: string }): string {
    return path.join(this.root, p.owner, `${p.repo}.git`);
  }

  gitIn(repo: { owner: string; repo: string }, args: string[], env: Record<string, string> = {}): Promise<string> {
    return git(this.repoDir(repo), args, env);
  }

  /** The commit `rev` names in the pull request's repository (full SHA), or undefined. */
  async resolve(p: { owner: string; repo: string }, rev: string): Promise<string | undefined> {
    return git(this.repoDir(p), ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).then(
      (s) => s.trim(),
      () => undefined,
    );
  }

  /** Merges `head` into `base` in the bare repository: a real merge commit on the target branch. */
  async merge(p: FakePull, method = 'merge'): Promise<string> {
    const dir = this.repoDir(p);
    const tree = (await git(dir, ['rev-parse', `refs/heads/${p.head}^{tree}`])).trim();
    const base = (await git(dir, ['rev-parse', `refs/heads/${p.base}`])).trim();
    const head = (await git(dir, ['rev-parse', `refs/heads/${p.head}`])).trim();
    const sha = (await git(dir, ['commit-tree', tree, '-p', base, '-p', head, '-m', `Merge #${p.number}: ${p.title}`])).trim();
    await git(dir, ['update-ref', `refs/heads/${p.base}`, sha]);
    p.state = 'closed';
    p.merged = true;
    p.mergeSHA = sha;
    p.mergeMethod = method;
    p.version++;
    return sha;
  }

  private proxyToGit(req: http.IncomingMessage, res: http.ServerResponse, gitPath: string): void {
    const target = new URL(gitPath, this.gitBase);
    const out = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 500, up.headers);
      up.pipe(res);
    });
    out.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  }

  private async api(req: http.IncomingMessage, url: URL, raw: string): Promise<Reply> {
    let body: Record<string, unknown> | undefined;
    let badJSON = false;
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      badJSON = true;
    }
    const call: ApiCall = { method: req.method ?? '', path: url.pathname + url.search, authorized: this.dialect.authorized(req.headers, this.token) };
    if (body !== undefined) call.body = body;
    this.calls.push(call);
    if (!call.authorized) return this.dialect.unauthorized();
    if (badJSON) return this.dialect.invalid('the request body is not JSON');
    return this.dialect.handle(this, req.method ?? '', url, body ?? {});
  }
}
