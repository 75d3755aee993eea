import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { GitHttpServer } from '../support/git-server.js';
import { createOrigin, Disposer, originHead, originLog, tempDir } from '../support/git-repos.js';
import { createHarness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const PASSWORD = 'pa55-w0rd-t0ken';

async function serve(auth?: { username: string; password: string }) {
  const root = await tempDir(disposer, 'shunt-http-');
  const origin = await createOrigin(disposer, { root, name: 'gitops' });
  const server = new GitHttpServer(auth ? { root, auth } : { root });
  await server.start();
  disposer.add(() => server.stop());
  return { origin, server, url: server.url('gitops') };
}

async function credentialFile(repoURL: string, password: string): Promise<FileCredentialStore> {
  const dir = await tempDir(disposer, 'shunt-creds-');
  const file = path.join(dir, 'git.yaml');
  await fs.promises.writeFile(
    file,
    `apiVersion: v1
kind: Secret
metadata:
  name: gitops-repo
  namespace: guestbook
  labels:
    kargo.akuity.io/cred-type: git
stringData:
  repoURL: ${repoURL}
  username: promoter
  password: ${password}
`,
  );
  return new FileCredentialStore(file);
}

describe('git over http', () => {
  it('clones, commits and pushes with credentials from a Secret file, never putting them in URLs or config', async () => {
    const { origin, server, url } = await serve({ username: 'promoter', password: PASSWORD });
    const credentials = await credentialFile(url, PASSWORD);
    const h = await createHarness(disposer, { credentials });

    await h.run(gitClone, { repoURL: url, checkout: [{ path: 'src', branch: 'main' }] });
    await fs.promises.writeFile(h.workspace.resolve('src/new.txt'), 'hello\n');
    await h.run(gitCommit, { path: 'src', message: 'over http' });
    const pushed = await h.run(gitPush, { path: 'src' });

    expect(await originLog(origin)).toEqual(['over http', 'seed']);
    expect(pushed.output?.['commit']).toBe(await originHead(origin));
    expect(server.requests.some((r) => r.url.includes('git-receive-pack') && r.status === 200)).toBe(true);
    // Nothing on disk holds the password.
    const mirror = h.git.mirrorDir(url);
    for (const f of [path.join(mirror, 'config'), path.join(mirror, 'FETCH_HEAD')]) {
      expect(fs.readFileSync(f, 'utf8')).not.toContain(PASSWORD);
    }
    const wtConfigs = fs.readdirSync(path.join(mirror, 'worktrees'));
    for (const id of wtConfigs) {
      expect(fs.readFileSync(path.join(mirror, 'worktrees', id, 'config.worktree'), 'utf8')).not.toContain(PASSWORD);
    }
  });

  it('fails with a clear, retryable error without the password when credentials are wrong', async () => {
    const { url, server } = await serve({ username: 'promoter', password: PASSWORD });
    const wrong = 'wr0ng-s3cret-value';
    const credentials = await credentialFile(url, wrong);
    const h = await createHarness(disposer, { credentials });

    const err = (await h.run(gitClone, { repoURL: url, checkout: [{ path: 'src', branch: 'main' }] }).catch((e) => e)) as {
      code: string;
      message: string;
    };

    expect(err.code).toBe('Unavailable');
    expect(err.message).toContain('the configured credentials were rejected');
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(Buffer.from(`promoter:${wrong}`).toString('base64'));
    expect(server.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('fails clearly when the server wants credentials and none are configured', async () => {
    const { url } = await serve({ username: 'promoter', password: PASSWORD });
    const h = await createHarness(disposer);
    await expect(h.run(gitClone, { repoURL: url, checkout: [{ path: 'src', branch: 'main' }] })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('no credentials are configured'),
    });
  });

  it('works without auth too, and reuses the mirror (fetch, not clone) for a second workspace', async () => {
    const { url, server } = await serve();
    const h1 = await createHarness(disposer, { workspaceKey: 'one' });
    await h1.run(gitClone, { repoURL: url, branch: 'main' });
    const h2 = await createHarness(disposer, { workspaceKey: 'two', dataDir: h1.dataDir, git: h1.git });
    await h2.run(gitClone, { repoURL: url, branch: 'main' });
    expect(h1.git.stats).toMatchObject({ mirrorsCreated: 1, mirrorFetches: 1 });
    expect(server.requests.filter((r) => r.url.includes('git-upload-pack') && r.method === 'POST').length).toBeGreaterThan(0);
  });
});
