/**
 * A loopback stand-in for GitHub's and GitLab's REST APIs (the pull/merge request subset the PR
 * steps use), speaking their wire format, in front of real bare repositories served by
 * `git http-backend` (GitHttpServer): `<base>/<owner>/<repo>.git` is a real remote, and a merge
 * really lands on the target branch (a merge commit made with `git commit-tree`).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { git } from './git-repos.js';
import { GitHttpServer } from './git-server.js';

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
  mergeMethod?: string;
}

export interface ApiCall {
  method: string;
  path: string;
  /** Whether the request carried the expected token (never the token itself). */
  authorized: boolean;
  body?: unknown;
}

export class FakeGitProvider {
  readonly pulls: FakePull[] = [];
  readonly calls: ApiCall[] = [];
  private readonly git: GitHttpServer;
  private server: http.Server | undefined;
  private gitBase = '';
  base = '';

  constructor(
    readonly kind: 'github' | 'gitlab',
    /** Directory holding `<owner>/<repo>.git` bare repositories. */
    private readonly root: string,
    private readonly token: string,
  ) {
    this.git = new GitHttpServer({ root });
  }

  async start(): Promise<string> {
    this.gitBase = await this.git.start();
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      if (!(req.url ?? '').startsWith('/api/')) {
        this.proxyToGit(req, res);
        return;
      }
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.api(req, Buffer.concat(chunks).toString('utf8')).then(
          ({ status, body }) => {
            res.writeHead(status, { 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
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

  repoURL(owner: string, repo: string): string {
    return `${this.base}/${owner}/${repo}.git`;
  }

  pull(n: number): FakePull {
    const p = this.pulls.find((x) => x.number === n);
    if (!p) throw new Error(`no pull ${n}`);
    return p;
  }

  private proxyToGit(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = new URL(req.url ?? '/', this.gitBase);
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

  private authorized(req: http.IncomingMessage): boolean {
    if (this.kind === 'github') return req.headers['authorization'] === `Bearer ${this.token}`;
    return req.headers['private-token'] === this.token;
  }

  /** Merges `head` into `base` in the bare repository: a real merge commit on the target branch. */
  async merge(p: FakePull): Promise<string> {
    const dir = path.join(this.root, p.owner, `${p.repo}.git`);
    const tree = (await git(dir, ['rev-parse', `refs/heads/${p.head}^{tree}`])).trim();
    const base = (await git(dir, ['rev-parse', `refs/heads/${p.base}`])).trim();
    const head = (await git(dir, ['rev-parse', `refs/heads/${p.head}`])).trim();
    const sha = (await git(dir, ['commit-tree', tree, '-p', base, '-p', head, '-m', `Merge #${p.number}: ${p.title}`])).trim();
    await git(dir, ['update-ref', `refs/heads/${p.base}`, sha]);
    p.state = 'closed';
    p.merged = true;
    p.mergeSHA = sha;
    return sha;
  }

  private ghPull(p: FakePull): Record<string, unknown> {
    return {
      number: p.number,
      html_url: `${this.base}/${p.owner}/${p.repo}/pull/${p.number}`,
      state: p.state,
      merged: p.merged,
      merged_at: p.merged ? '2024-01-02T03:04:05Z' : null,
      merge_commit_sha: p.mergeSHA ?? null,
      head: { ref: p.head },
      base: { ref: p.base },
      title: p.title,
      body: p.body,
      labels: p.labels.map((name) => ({ name })),
    };
  }

  private glMR(p: FakePull): Record<string, unknown> {
    return {
      iid: p.number,
      web_url: `${this.base}/${p.owner}/${p.repo}/-/merge_requests/${p.number}`,
      state: p.merged ? 'merged' : p.state === 'open' ? 'opened' : 'closed',
      merge_commit_sha: p.mergeMethod === 'squash' ? null : (p.mergeSHA ?? null),
      squash_commit_sha: p.mergeMethod === 'squash' ? (p.mergeSHA ?? null) : null,
      source_branch: p.head,
      target_branch: p.base,
      title: p.title,
      description: p.body,
      labels: p.labels,
    };
  }

  private async api(req: http.IncomingMessage, raw: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    const call: ApiCall = { method: req.method ?? '', path: url.pathname + url.search, authorized: this.authorized(req) };
    if (body !== undefined) call.body = body;
    this.calls.push(call);
    if (!call.authorized) return { status: 401, body: { message: this.kind === 'github' ? 'Bad credentials' : '401 Unauthorized' } };
    return this.kind === 'github' ? this.github(req.method ?? '', url, body) : this.gitlab(req.method ?? '', url, body);
  }

  private async github(method: string, url: URL, body: Record<string, unknown> | undefined): Promise<{ status: number; body: unknown }> {
    const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)(?:\/(\d+))?(?:\/(merge|labels))?$/.exec(url.pathname);
    if (!m) return { status: 404, body: { message: 'Not Found' } };
    const [, owner = '', repo = '', kind, num, action] = m;
    if (kind === 'pulls' && !num && method === 'GET') {
      const head = url.searchParams.get('head');
      const base = url.searchParams.get('base');
      const list = this.pulls
        .filter((p) => p.owner === owner && p.repo === repo && (!head || `${owner}:${p.head}` === head) && (!base || p.base === base))
        .reverse();
      return { status: 200, body: list.map((p) => this.ghPull(p)) };
    }
    if (kind === 'pulls' && !num && method === 'POST') {
      const p: FakePull = {
        number: this.pulls.length + 1,
        owner,
        repo,
        head: String(body?.['head']),
        base: String(body?.['base']),
        title: String(body?.['title']),
        body: String(body?.['body'] ?? ''),
        labels: [],
        state: 'open',
        merged: false,
        mergeable: true,
      };
      this.pulls.push(p);
      return { status: 201, body: this.ghPull(p) };
    }
    const p = this.pulls.find((x) => x.number === Number(num) && x.owner === owner && x.repo === repo);
    if (!p) return { status: 404, body: { message: 'Not Found' } };
    if (kind === 'issues' && action === 'labels' && method === 'POST') {
      p.labels.push(...((body?.['labels'] as string[]) ?? []));
      return { status: 200, body: p.labels.map((name) => ({ name })) };
    }
    if (kind === 'pulls' && !action && method === 'GET') return { status: 200, body: this.ghPull(p) };
    if (kind === 'pulls' && action === 'merge' && method === 'PUT') {
      if (p.merged || p.state !== 'open' || !p.mergeable) return { status: 405, body: { message: 'Pull Request is not mergeable' } };
      p.mergeMethod = String(body?.['merge_method'] ?? 'merge');
      const sha = await this.merge(p);
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  private async gitlab(method: string, url: URL, body: Record<string, unknown> | undefined): Promise<{ status: number; body: unknown }> {
    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?(?:\/(merge))?$/.exec(url.pathname);
    if (!m) return { status: 404, body: { message: '404 Not Found' } };
    const projectPath = decodeURIComponent(m[1] ?? '');
    const [owner = '', ...rest] = projectPath.split('/');
    const repo = rest.join('/');
    const iid = m[2];
    if (!iid && method === 'GET') {
      const source = url.searchParams.get('source_branch');
      const target = url.searchParams.get('target_branch');
      const list = this.pulls.filter((p) => p.owner === owner && p.repo === repo && (!source || p.head === source) && (!target || p.base === target)).reverse();
      return { status: 200, body: list.map((p) => this.glMR(p)) };
    }
    if (!iid && method === 'POST') {
      const p: FakePull = {
        number: this.pulls.length + 1,
        owner,
        repo,
        head: String(body?.['source_branch']),
        base: String(body?.['target_branch']),
        title: String(body?.['title']),
        body: String(body?.['description'] ?? ''),
        labels: typeof body?.['labels'] === 'string' ? (body['labels'] as string).split(',') : [],
        state: 'open',
        merged: false,
        mergeable: true,
      };
      this.pulls.push(p);
      return { status: 201, body: this.glMR(p) };
    }
    const p = this.pulls.find((x) => x.number === Number(iid) && x.owner === owner && x.repo === repo);
    if (!p) return { status: 404, body: { message: '404 Not found' } };
    if (!m[3] && method === 'GET') return { status: 200, body: this.glMR(p) };
    if (m[3] === 'merge' && method === 'PUT') {
      if (p.merged || p.state !== 'open') return { status: 405, body: { message: '405 Method Not Allowed' } };
      if (!p.mergeable) return { status: 406, body: { message: 'Branch cannot be merged' } };
      p.mergeMethod = body?.['squash'] === true ? 'squash' : 'merge';
      await this.merge(p);
      return { status: 200, body: this.glMR(p) };
    }
    return { status: 404, body: { message: '404 Not Found' } };
  }
}
