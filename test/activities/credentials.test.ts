import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  FileCredentialStore,
} from '../../activities/adapters/credentials.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secret(name: string, type: string | undefined, data: Record<string, string>, encoded = false): string {
  const labels = type ? `  labels:\n    kargo.akuity.io/cred-type: ${type}\n` : '';
  const field = encoded ? 'data' : 'stringData';
  const body = Object.entries(data)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(encoded ? b64(v) : v)}`)
    .join('\n');
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: guestbook\n${labels}${field}:\n${body}\n`;
}

describe('FileCredentialStore', () => {
  it('matches git credentials by normalized URL, from base64 data', async () => {
    const dir = await tempDir(disposer);
    const file = path.join(dir, 'secrets.yaml');
    await fs.promises.writeFile(
      file,
      secret('repo', 'git', { repoURL: 'https://GitHub.com/Org/Repo.git', username: 'bot', password: 'tok' }, true),
    );
    const store = new FileCredentialStore(file).forProject('guestbook');

    expect(await store.git('https://user@github.com/org/repo/')).toEqual({ username: 'bot', password: 'tok' });
    expect(await store.git('https://github.com/org/other')).toBeUndefined();
    expect(await store.image('https://github.com/org/repo')).toBeUndefined();
  });

  it('reads a folder, sorts by name, tries exact matches before regexes', async () => {
    const dir = await tempDir(disposer);
    await fs.promises.writeFile(
      path.join(dir, 'a.yaml'),
      secret('a-regex', 'git', { repoURL: '^https://github\\.com/org/.*$', repoURLIsRegex: 'true', password: 'regex' }),
    );
    await fs.promises.writeFile(
      path.join(dir, 'b.yaml'),
      [
        secret('z-exact', 'git', { repoURL: 'https://github.com/org/repo', password: 'exact' }),
        secret('b-regex', 'git', { repoURL: 'github\\.com/org/', repoURLIsRegex: 'true', password: 'regex-b' }),
      ].join('---\n'),
    );
    await fs.promises.writeFile(path.join(dir, 'ignored.txt'), 'not yaml: [');
    const store = new FileCredentialStore(dir).forProject('guestbook');

    expect(await store.git('https://github.com/org/repo.git')).toEqual({ password: 'exact' });
    expect(await store.git('https://github.com/org/another')).toEqual({ password: 'regex' });
  });

  it('matches image and helm credentials with their own normalization', async () => {
    const dir = await tempDir(disposer);
    await fs.promises.writeFile(
      path.join(dir, 's.yaml'),
      [
        secret('hub', 'image', { repoURL: 'docker.io/library/nginx', username: 'u', password: 'p' }),
        secret('chart', 'helm', { repoURL: 'oci://ghcr.io/org/charts/app', username: 'h', password: 'q' }),
      ].join('---\n'),
    );
    const store = new FileCredentialStore(dir).forProject('guestbook');
    expect(await store.image('nginx')).toEqual({ username: 'u', password: 'p' });
    expect(await store.helm('oci://GHCR.io/org/charts/app')).toEqual({ username: 'h', password: 'q' });
  });

  it('returns generic (and unlabelled) secrets by name, never repository credentials', async () => {
    const dir = await tempDir(disposer);
    await fs.promises.writeFile(
      path.join(dir, 's.yaml'),
      [
        secret('slack', 'generic', { token: 'xoxb' }),
        secret('plain', undefined, { key: 'v' }),
        secret('repo', 'git', { repoURL: 'https://x/y', password: 'p' }),
      ].join('---\n'),
    );
    const store = new FileCredentialStore(dir).forProject('guestbook');
    expect(await store.secret('slack')).toEqual({ token: 'xoxb' });
    expect(await store.secret('plain')).toEqual({ key: 'v' });
    expect(await store.secret('repo')).toEqual({});
    expect(await store.secret('missing')).toEqual({});
  });

  it('re-reads the files when they change', async () => {
    const dir = await tempDir(disposer);
    const file = path.join(dir, 's.yaml');
    await fs.promises.writeFile(file, secret('s', 'generic', { k: 'one' }));
    const store = new FileCredentialStore(dir).forProject('guestbook');
    expect(await store.secret('s')).toEqual({ k: 'one' });

    await fs.promises.writeFile(file, secret('s', 'generic', { k: 'two, longer' }));
    const later = new Date(Date.now() + 5000);
    await fs.promises.utimes(file, later, later);
    expect(await store.secret('s')).toEqual({ k: 'two, longer' });

    await fs.promises.writeFile(path.join(dir, 't.yaml'), secret('t', 'generic', { k: 'new file' }));
    expect(await store.secret('t')).toEqual({ k: 'new file' });
  });

  it('warns about broken documents without their content', async () => {
    const dir = await tempDir(disposer);
    await fs.promises.writeFile(path.join(dir, 'bad.yaml'), 'kind: Secret\nstringData: {password: "hunter2"\n');
    const warnings: string[] = [];
    const store = new FileCredentialStore(dir, { onWarning: (m) => warnings.push(m) }).forProject('guestbook');
    expect(await store.secret('x')).toEqual({});
    expect(warnings.join('\n')).toContain('bad.yaml');
    expect(warnings.join('\n')).not.toContain('hunter2');
  });
});

// URL normalization rules are core/freight/normalize.ts's, tested in test/unit/freight/normalize.test.ts.
