/**
 * helm-update-chart against private chart repositories, with the credentials of Secrets labelled
 * `kargo.akuity.io/cred-type: helm` (matched by repoURL): a classic repository (index.yaml and
 * chart archives) behind HTTP basic auth on a loopback server, and an OCI registry (Debian's
 * docker-registry behind htpasswd). Wrong or missing credentials fail clearly, naming the
 * repository and never showing a credential.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { helmBinary } from '../../activities/adapters/helm.js';
import { runTool } from '../../activities/adapters/tools.js';
import { helmUpdateChart } from '../../activities/steps/helm-update-chart.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { TestHttpServer, type Reply } from '../support/http-server.js';
import { startRegistry, type TestRegistry } from '../support/oci-registry.js';
import { createHarness, errorOf, FIXTURES, type Harness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const USER = 'chart-reader';
const PASSWORD = 'pw-3f9a1c7e5b2d8';
const WRONG = 'wrong-7e1b9c3a5d';
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Packages the fixture chart `dep` at each version into `dir`. */
async function packageDep(dir: string, versions: string[]): Promise<void> {
  for (const v of versions) {
    const src = path.join(dir, `src-${v}`);
    fs.cpSync(path.join(FIXTURES, 'helm/dep'), src, { recursive: true });
    fs.writeFileSync(path.join(src, 'Chart.yaml'), fs.readFileSync(path.join(src, 'Chart.yaml'), 'utf8').replace('VERSION', v));
    const res = await runTool(helmBinary(), ['package', src, '--destination', dir], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
    expect(res.code).toBe(0);
  }
}

/** A classic chart repository that answers only requests with the right basic auth (else 401). */
async function privateChartRepo(versions: string[]): Promise<TestHttpServer> {
  const dir = await tempDir(disposer, 'chart-repo-');
  const server = new TestHttpServer();
  const url = await server.start();
  disposer.add(() => server.stop());
  await packageDep(dir, versions);
  const idx = await runTool(helmBinary(), ['repo', 'index', dir, '--url', url], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
  expect(idx.code).toBe(0);
  server.handler = (req): Reply => {
    if (req.headers.authorization !== basic(USER, PASSWORD)) return { status: 401, headers: { 'www-authenticate': 'Basic realm="charts"' } };
    const file = path.join(dir, path.basename(req.url));
    if (!fs.existsSync(file)) return { status: 404 };
    return { status: 200, body: fs.readFileSync(file), headers: { 'content-type': 'application/octet-stream' } };
  };
  return server;
}

/** A helm Secret for `repoURL` in a credentials folder. */
async function helmSecret(repoURL: string, password: string): Promise<FileCredentialStore> {
  const dir = await tempDir(disposer, 'creds-');
  await fs.promises.writeFile(
    path.join(dir, 'helm.yaml'),
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: charts\n  namespace: guestbook\n  labels: {kargo.akuity.io/cred-type: helm}\nstringData:\n  repoURL: ${repoURL}\n  username: ${USER}\n  password: ${password}\n`,
  );
  return new FileCredentialStore(dir);
}

function chartIn(h: Harness, repoURL: string): void {
  const dst = h.workspace.resolve('chart');
  fs.cpSync(path.join(FIXTURES, 'helm/app'), dst, { recursive: true });
  const file = path.join(dst, 'Chart.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('REPO_URL', repoURL));
}

const lockedVersion = (h: Harness): string | undefined =>
  (parse(fs.readFileSync(h.workspace.resolve('chart/Chart.lock'), 'utf8')) as { dependencies: { version: string }[] }).dependencies[0]?.version;

function expectNoCredential(message: string): void {
  for (const secret of [PASSWORD, WRONG, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), Buffer.from(`${USER}:${WRONG}`).toString('base64')]) {
    expect(message).not.toContain(secret);
  }
}

describe('helm-update-chart with a private classic chart repository (HTTP basic auth)', () => {
  it('uses the helm Secret matched by repoURL: index.yaml and the chart archive are fetched with it', async () => {
    const repo = await privateChartRepo(['1.0.0', '1.1.0']);
    const h = await createHarness(disposer, { credentials: await helmSecret(repo.url, PASSWORD) });
    chartIn(h, repo.url);
    const res = await h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '1.1.0' }] });
    expect(res).toEqual({ status: 'Succeeded', output: { commitMessage: 'Updated chart dependencies for chart\n\n- dep: 1.1.0' } });
    expect(lockedVersion(h)).toBe('1.1.0');
    expect(fs.readdirSync(h.workspace.resolve('chart/charts'))).toEqual(['dep-1.1.0.tgz']);
    const fetched = repo.requests.filter((r) => r.headers.authorization === basic(USER, PASSWORD)).map((r) => r.url);
    expect(fetched).toEqual(expect.arrayContaining(['/index.yaml', '/dep-1.1.0.tgz']));
    // The credentials were only ever in the throw-away helm home: nothing is left in the workspace.
    expect(JSON.stringify(fs.readdirSync(h.workspace.root, { recursive: true }))).not.toContain('repositories.yaml');
  });

  it('wrong credentials: a clear error naming the repository, without the credential', async () => {
    const repo = await privateChartRepo(['1.0.0']);
    const h = await createHarness(disposer, { credentials: await helmSecret(repo.url, WRONG) });
    chartIn(h, repo.url);
    const err = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '1.0.0' }] }));
    expect(err).toMatchObject({
      code: 'StepFailed',
      message: `chart repository ${repo.url} rejected the credentials of its helm Secret (kargo.akuity.io/cred-type: helm): check its username and password`,
    });
    expectNoCredential(err.message);
    // They were sent (and refused), so the server saw the wrong ones.
    expect(repo.requests.some((r) => r.headers.authorization === basic(USER, WRONG))).toBe(true);
  });

  it('no Secret for the repository: a clear error saying which Secret to add', async () => {
    const repo = await privateChartRepo(['1.0.0']);
    const h = await createHarness(disposer, { credentials: await helmSecret('https://charts.example.com', PASSWORD) });
    chartIn(h, repo.url);
    const err = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '1.0.0' }] }));
    expect(err).toMatchObject({
      code: 'StepFailed',
      message: `chart repository ${repo.url} requires credentials and none were found: add a Secret labelled kargo.akuity.io/cred-type: helm whose repoURL is ${repo.url}`,
    });
    expect(repo.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('credentials are never sent over plain http to a host that is not loopback', async () => {
    const h = await createHarness(disposer, { credentials: await helmSecret('http://charts.example.com', PASSWORD) });
    chartIn(h, 'http://charts.example.com');
    const err = await errorOf(h.run(helmUpdateChart, { path: 'chart' }));
    expect(err).toMatchObject({
      code: 'StepFailed',
      message: 'chart repository http://charts.example.com has credentials, which are never sent over plain http: use an https:// repository URL',
    });
  });
});

describe('helm-update-chart with a private OCI chart registry (htpasswd)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: USER, password: PASSWORD } });
    // Push dep 1.0.0 and 1.1.0 to oci://<host>/charts, logged in through helm's registry config.
    const dir = await tempDir(disposer, 'oci-charts-');
    await packageDep(dir, ['1.0.0', '1.1.0']);
    const config = path.join(dir, 'helm-config');
    fs.mkdirSync(path.join(config, 'registry'), { recursive: true });
    fs.writeFileSync(
      path.join(config, 'registry', 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }),
    );
    for (const v of ['1.0.0', '1.1.0']) {
      const res = await runTool(helmBinary(), ['push', path.join(dir, `dep-${v}.tgz`), `oci://${registry.host}/charts`, '--plain-http'], {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: dir, HELM_CONFIG_HOME: config, HELM_CACHE_HOME: path.join(dir, 'cache'), HELM_DATA_HOME: path.join(dir, 'data') },
      });
      expect(res).toMatchObject({ code: 0 });
    }
  }, 60_000);
  afterAll(async () => {
    await registry?.dispose();
    await disposer.dispose();
  });

  it('logs in to the registry with the helm Secret of oci://<host>/<path>/<chart> (Kargo’s key)', async () => {
    const repoURL = `oci://${registry.host}/charts`;
    const h = await createHarness(disposer, { credentials: await helmSecret(`${repoURL}/dep`, PASSWORD) });
    chartIn(h, repoURL);
    const res = await h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repoURL, name: 'dep', version: '1.1.0' }] });
    expect(res).toMatchObject({ status: 'Succeeded' });
    expect(lockedVersion(h)).toBe('1.1.0');
    expect(fs.readdirSync(h.workspace.resolve('chart/charts'))).toEqual(['dep-1.1.0.tgz']);
  });

  it('also finds a Secret keyed by the repository URL without the chart name', async () => {
    const repoURL = `oci://${registry.host}/charts`;
    const h = await createHarness(disposer, { credentials: await helmSecret(repoURL, PASSWORD) });
    chartIn(h, repoURL);
    expect(await h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repoURL, name: 'dep', version: '1.0.0' }] })).toMatchObject({
      status: 'Succeeded',
    });
    expect(lockedVersion(h)).toBe('1.0.0');
  });

  it('wrong credentials: a clear error naming the registry repository, without the credential', async () => {
    const repoURL = `oci://${registry.host}/charts`;
    const h = await createHarness(disposer, { credentials: await helmSecret(`${repoURL}/dep`, WRONG) });
    chartIn(h, repoURL);
    const err = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repoURL, name: 'dep', version: '1.1.0' }] }));
    expect(err).toMatchObject({
      code: 'StepFailed',
      message: `chart repository ${repoURL} rejected the credentials of its helm Secret (kargo.akuity.io/cred-type: helm): check its username and password`,
    });
    expectNoCredential(err.message);
  });

  it('no Secret: a clear error saying which Secret to add', async () => {
    const repoURL = `oci://${registry.host}/charts`;
    const h = await createHarness(disposer, { credentials: new FileCredentialStore(await tempDir(disposer, 'no-creds-')) });
    chartIn(h, repoURL);
    const err = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repoURL, name: 'dep', version: '1.1.0' }] }));
    expect(err).toMatchObject({
      code: 'StepFailed',
      message: `chart repository ${repoURL} requires credentials and none were found: add a Secret labelled kargo.akuity.io/cred-type: helm whose repoURL is ${repoURL}/dep`,
    });
  });
});
