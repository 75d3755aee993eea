/**
 * GitHub's Git database API and compare (what github-push uses), on the real bare repository:
 * `GET /git/ref/<ref>`, `POST|PATCH|DELETE /git/refs[/<ref>]` (422 for a non-fast-forward
 * update without force, an existing or missing ref), `POST /git/commits` (a commit without
 * `author` is GitHub's, signed: verified), `GET /compare/<base>...<head>`.
 */
import type { DialectHost, Reply } from './dialect.js';

const notFound: Reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
const unprocessable = (message: string): Reply => ({ status: 422, body: { message, documentation_url: 'https://docs.github.com/rest' } });
const APP = { name: 'shunt-app[bot]', email: '1+shunt-app[bot]@users.noreply.github.com' };

interface Identity {
  name: string;
  email: string;
  date?: string;
}

function identity(v: unknown): Identity | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['name'] !== 'string' || typeof o['email'] !== 'string') return undefined;
  return { name: o['name'], email: o['email'], ...(typeof o['date'] === 'string' ? { date: o['date'] } : {}) };
}

export async function gitData(host: DialectHost, owner: string, repo: string, method: string, rest: string, body: Record<string, unknown>): Promise<Reply> {
  const r = { owner, repo };
  const resolve = (rev: string): Promise<string | undefined> => host.resolve(r, rev);
  const refMatch = /^\/git\/refs?\/(.+)$/.exec(rest);
  if (method === 'GET' && rest.startsWith('/git/ref/') && refMatch) {
    const sha = await resolve(`refs/${refMatch[1]}`);
    return sha ? { status: 200, body: { ref: `refs/${refMatch[1]}`, object: { sha, type: 'commit' } } } : notFound;
  }
  if (method === 'POST' && rest === '/git/refs') {
    const ref = body['ref'];
    const sha = body['sha'];
    if (typeof ref !== 'string' || !/^refs\/[^/]+\/.+/.test(ref) || typeof sha !== 'string') return unprocessable('Reference name is invalid');
    if (await resolve(ref)) return unprocessable('Reference already exists');
    if (!(await resolve(sha))) return unprocessable('Object does not exist');
    await host.gitIn(r, ['update-ref', ref, sha]);
    return { status: 201, body: { ref, object: { sha, type: 'commit' } } };
  }
  if ((method === 'PATCH' || method === 'DELETE') && rest.startsWith('/git/refs/') && refMatch) {
    const ref = `refs/${refMatch[1]}`;
    const race = host.beforeRefUpdate;
    host.beforeRefUpdate = undefined;
    if (race && method === 'PATCH') await race();
    const current = await resolve(ref);
    if (!current) return unprocessable('Reference does not exist');
    if (method === 'DELETE') {
      await host.gitIn(r, ['update-ref', '-d', ref]);
      return { status: 204 };
    }
    const sha = body['sha'];
    if (typeof sha !== 'string' || !(await resolve(sha))) return unprocessable('Object does not exist');
    const fastForward = await host.gitIn(r, ['merge-base', '--is-ancestor', current, sha]).then(
      () => true,
      () => false,
    );
    if (!fastForward && body['force'] !== true) return unprocessable('Update is not a fast forward');
    await host.gitIn(r, ['update-ref', ref, sha]);
    return { status: 200, body: { ref, object: { sha, type: 'commit' } } };
  }
  if (method === 'POST' && rest === '/git/commits') {
    const { message, tree, parents } = body;
    if (typeof message !== 'string' || typeof tree !== 'string') return unprocessable('Invalid request.\n\n"message", "tree" weren\'t supplied.');
    if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string')) return unprocessable('Invalid request.\n\nFor \'properties/parents\', must be an array of strings.');
    const treeOK = await host.gitIn(r, ['cat-file', '-e', `${tree}^{tree}`]).then(
      () => true,
      () => false,
    );
    if (!treeOK) return unprocessable('Tree SHA does not exist');
    for (const p of parents as string[]) if (!(await resolve(p))) return unprocessable('Parent SHA does not exist or is not a commit object');
    const author = identity(body['author']);
    const committer = identity(body['committer']) ?? author;
    const a = author ?? APP;
    const c = committer ?? APP;
    const env: Record<string, string> = { GIT_AUTHOR_NAME: a.name, GIT_AUTHOR_EMAIL: a.email, GIT_COMMITTER_NAME: c.name, GIT_COMMITTER_EMAIL: c.email };
    if (author?.date) env['GIT_AUTHOR_DATE'] = author.date;
    if (committer?.date) env['GIT_COMMITTER_DATE'] = committer.date;
    const args = ['commit-tree', tree, ...(parents as string[]).flatMap((p) => ['-p', p]), '-m', message];
    const sha = (await host.gitIn(r, args, env)).trim();
    host.createdCommits.push({ sha, verified: author === undefined });
    return { status: 201, body: { sha, tree: { sha: tree }, message, parents: (parents as string[]).map((p) => ({ sha: p })), verification: { verified: author === undefined } } };
  }
  const cmp = /^\/compare\/([^.]+)\.\.\.(.+)$/.exec(rest);
  if (method === 'GET' && cmp) {
    const base = await resolve(cmp[1] ?? '');
    const head = await resolve(cmp[2] ?? '');
    if (!base || !head) return notFound;
    const mergeBase = (await host.gitIn(r, ['merge-base', base, head])).trim();
    const status = base === head ? 'identical' : mergeBase === base ? 'ahead' : mergeBase === head ? 'behind' : 'diverged';
    const shas = (await host.gitIn(r, ['rev-list', '--reverse', '--topo-order', `${mergeBase}..${head}`])).split('\n').filter(Boolean);
    const behind = (await host.gitIn(r, ['rev-list', '--count', `${mergeBase}..${base}`])).trim();
    const commits = [];
    for (const sha of shas) {
      const out = await host.gitIn(r, ['show', '-s', '--format=%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B', sha]);
      const [tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...msg] = out.split('\0');
      commits.push({
        sha,
        commit: { message: msg.join('\0').replace(/\n+$/, ''), tree: { sha: tree }, author: { name: an, email: ae, date: ad }, committer: { name: cn, email: ce, date: cd } },
        parents: parents.split(' ').filter(Boolean).map((p) => ({ sha: p })),
      });
    }
    return {
      status: 200,
      body: { status, ahead_by: shas.length, behind_by: Number(behind), total_commits: shas.length, merge_base_commit: { sha: mergeBase }, base_commit: { sha: base }, commits },
    };
  }
  return notFound;
}
