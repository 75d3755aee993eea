/**
 * kustomize-build (kubectl kustomize), helm-template and helm-update-chart (helm, built into
 * .tools/bin by scripts/install-tools.mjs) against real charts, a real chart repository served
 * over loopback HTTP, and real Kustomizations. A missing binary fails these tests; it never skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { helmBinary } from '../../activities/adapters/helm.js';
import { runTool } from '../../activities/adapters/tools.js';
import { helmTemplate } from '../../activities/steps/helm-template.js';
import { helmUpdateChart } from '../../activities/steps/helm-update-chart.js';
import { kustomizeBuild, MISSING_KUSTOMIZE } from '../../activities/steps/kustomize-build.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { TestHttpServer } from '../support/http-server.js';
import { createHarness, errorOf, FIXTURES, type Harness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

function copyFixture(h: Harness, from: string, to: string, replace: Record<string, string> = {}): void {
  const dst = h.workspace.resolve(to);
  fs.cpSync(path.join(FIXTURES, from), dst, { recursive: true });
  for (const file of fs.readdirSync(dst, { recursive: true }) as string[]) {
    const abs = path.join(dst, file);
    if (!fs.statSync(abs).isFile()) continue;
    let text = fs.readFileSync(abs, 'utf8');
    for (const [k, v] of Object.entries(replace)) text = text.split(k).join(v);
    fs.writeFileSync(abs, text);
  }
}

describe('kustomize-build', () => {
  it('renders an overlay into one file', async () => {
    const h = await createHarness(disposer);
    copyFixture(h, 'kustomize-build', 'src');
    await h.run(kustomizeBuild, { path: 'src/overlay', outPath: 'out/dev.yaml' });
    const docs = parseAllDocuments(fs.readFileSync(h.workspace.resolve('out/dev.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
    expect(docs.map((d) => `${d['kind']}/${d['metadata'].namespace}/${d['metadata'].name}`).sort()).toEqual([
      'Deployment/dev/guestbook',
      'Service/dev/guestbook',
    ]);
    const deployment = docs.find((d) => d['kind'] === 'Deployment')!;
    expect(deployment['spec'].template.spec.containers[0].image).toBe('ghcr.io/example/guestbook:1.2.3');
  });

  it('renders one file per resource, named the Kargo way or the kustomize way', async () => {
    const h = await createHarness(disposer);
    copyFixture(h, 'kustomize-build', 'src');
    await h.run(kustomizeBuild, { path: 'src/overlay', outPath: 'out/kargo' });
    expect(fs.readdirSync(h.workspace.resolve('out/kargo')).sort()).toEqual(['dev-deployment-guestbook.yaml', 'dev-service-guestbook.yaml']);
    await h.run(kustomizeBuild, { path: 'src/overlay', outPath: 'out/kustomize', outputFormat: 'kustomize' });
    expect(fs.readdirSync(h.workspace.resolve('out/kustomize')).sort()).toEqual(['apps_v1_deployment_guestbook.yaml', '~g_v1_service_guestbook.yaml']);
  });

  it('fails clearly for a broken Kustomization, a missing directory, and no kubectl/kustomize', async () => {
    const h = await createHarness(disposer);
    fs.mkdirSync(h.workspace.resolve('bad'));
    fs.writeFileSync(h.workspace.resolve('bad/kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    const broken = await errorOf(h.run(kustomizeBuild, { path: 'bad', outPath: 'o.yaml' }));
    expect(broken.code).toBe('StepFailed');
    expect(broken.message).toMatch(/^kustomize build of "bad" failed: .*missing\.yaml/s);
    expect(broken.message).not.toContain(h.workspace.root);
    expect((await errorOf(h.run(kustomizeBuild, { path: 'nope', outPath: 'o.yaml' }))).message).toBe('path "nope" is not a directory');
    expect((await errorOf(h.run(kustomizeBuild, { path: '../x', outPath: 'o.yaml' }))).code).toBe('PathEscape');
    fs.mkdirSync(h.workspace.resolve('escape'));
    fs.writeFileSync(h.workspace.resolve('escape/kustomization.yaml'), 'resources:\n  - ../../../../../../etc\n');
    const escape = await errorOf(h.run(kustomizeBuild, { path: 'escape', outPath: 'o.yaml' }));
    expect(escape).toMatchObject({ code: 'PathEscape', message: 'escape/kustomization.yaml refers to "../../../../../../etc", which lies outside the promotion workspace' });

    const savedPath = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const missing = await errorOf(h.run(kustomizeBuild, { path: 'bad', outPath: 'o.yaml' }));
      expect(missing.message).toBe(MISSING_KUSTOMIZE);
    } finally {
      process.env['PATH'] = savedPath;
    }
  });
});

/** A chart repository (index.yaml + packaged `dep` charts) served over loopback HTTP. */
async function chartRepo(versions: string[]): Promise<TestHttpServer> {
  const helm = helmBinary();
  const dir = await tempDir(disposer, 'chart-repo-');
  const server = new TestHttpServer();
  const url = await server.start();
  disposer.add(() => server.stop());
  for (const v of versions) {
    const src = path.join(dir, `src-${v}`);
    fs.cpSync(path.join(FIXTURES, 'helm/dep'), src, { recursive: true });
    fs.writeFileSync(path.join(src, 'Chart.yaml'), fs.readFileSync(path.join(src, 'Chart.yaml'), 'utf8').replace('VERSION', v));
    const res = await runTool(helm, ['package', src, '--destination', dir], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
    expect(res.stderr).toBe('');
  }
  const idx = await runTool(helm, ['repo', 'index', dir, '--url', url], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir } });
  expect(idx.code).toBe(0);
  server.handler = (req) => {
    const file = path.join(dir, path.basename(req.url));
    if (!fs.existsSync(file)) return { status: 404 };
    return { status: 200, body: fs.readFileSync(file), headers: { 'content-type': 'application/octet-stream' } };
  };
  return server;
}

describe('helm-update-chart', () => {
  it('sets a dependency version in Chart.yaml (comments kept) and updates Chart.lock and charts/', async () => {
    const repo = await chartRepo(['1.0.0', '1.1.0']);
    const h = await createHarness(disposer);
    copyFixture(h, 'helm/app', 'chart', { REPO_URL: repo.url });
    const res = await h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '1.1.0' }] });
    expect(res).toEqual({ status: 'Succeeded', output: { commitMessage: 'Updated chart dependencies for chart\n\n- dep: 1.1.0' } });
    const chartYaml = fs.readFileSync(h.workspace.resolve('chart/Chart.yaml'), 'utf8');
    expect(chartYaml).toBe(
      `apiVersion: v2\nname: app\nversion: 0.1.0\n# the charts this app needs\ndependencies:\n  - name: dep\n    repository: ${repo.url} # the test's chart repository\n    version: 1.1.0\n`,
    );
    const lock = parse(fs.readFileSync(h.workspace.resolve('chart/Chart.lock'), 'utf8')) as { dependencies: { version: string }[] };
    expect(lock.dependencies[0]?.version).toBe('1.1.0');
    expect(fs.readdirSync(h.workspace.resolve('chart/charts'))).toEqual(['dep-1.1.0.tgz']);

    // A re-run changes nothing, not even the lock file's generated time.
    const before = fs.readFileSync(h.workspace.resolve('chart/Chart.lock'), 'utf8');
    await h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '1.1.0' }] });
    expect(fs.readFileSync(h.workspace.resolve('chart/Chart.lock'), 'utf8')).toBe(before);
  });

  it('fails clearly for a dependency the chart does not declare and for an unknown version', async () => {
    const repo = await chartRepo(['1.0.0']);
    const h = await createHarness(disposer);
    copyFixture(h, 'helm/app', 'chart', { REPO_URL: repo.url });
    const undeclared = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'other', version: '1.0.0' }] }));
    expect(undeclared.message).toBe(`chart/Chart.yaml declares no dependency "other" from "${repo.url}"`);
    const unknown = await errorOf(h.run(helmUpdateChart, { path: 'chart', charts: [{ repository: repo.url, name: 'dep', version: '9.9.9' }] }));
    expect(unknown.code).toBe('StepFailed');
    expect(unknown.message).toMatch(/^helm dependency update of "chart" failed: /);
  });
});

describe('helm-template', () => {
  it('renders into one file with values files, --set and namespace', async () => {
    const h = await createHarness(disposer);
    copyFixture(h, 'helm/app', 'chart', { REPO_URL: 'https://unused.example' });
    fs.rmSync(h.workspace.resolve('chart/Chart.yaml'));
    fs.writeFileSync(h.workspace.resolve('chart/Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    fs.writeFileSync(h.workspace.resolve('dev-values.yaml'), 'replicas: 3\n');
    await h.run(helmTemplate, {
      path: 'chart',
      outPath: 'out/app.yaml',
      releaseName: 'guestbook',
      namespace: 'dev',
      valuesFiles: ['dev-values.yaml', 'missing.yaml'],
      ignoreMissingValueFiles: true,
      setValues: [
        { key: 'image', value: 'ghcr.io/example/guestbook:2.0.0' },
        { key: 'greeting', value: 'a,b', literal: true },
      ],
    });
    const docs = parseAllDocuments(fs.readFileSync(h.workspace.resolve('out/app.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
    const deployment = docs.find((d) => d['kind'] === 'Deployment')!;
    expect(deployment['metadata']).toEqual({ name: 'guestbook', namespace: 'dev' });
    expect(deployment['spec'].replicas).toBe(3);
    expect(deployment['spec'].template.spec.containers[0].image).toBe('ghcr.io/example/guestbook:2.0.0');
    expect(docs.find((d) => d['kind'] === 'ConfigMap')!['data']).toEqual({ greeting: 'a,b' });
  });

  it("writes helm's directory layout, or one file per resource with flat", async () => {
    const h = await createHarness(disposer);
    copyFixture(h, 'helm/app', 'chart');
    fs.writeFileSync(h.workspace.resolve('chart/Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    await h.run(helmTemplate, { path: 'chart', outPath: 'out/helm', releaseName: 'gb' });
    expect(fs.readdirSync(h.workspace.resolve('out/helm/app/templates')).sort()).toEqual(['configmap.yaml', 'deployment.yaml']);
    await h.run(helmTemplate, { path: 'chart', outPath: 'out/flat', releaseName: 'gb', outLayout: 'flat', namespace: 'ns' });
    expect(fs.readdirSync(h.workspace.resolve('out/flat')).sort()).toEqual(['configmap-gb-config.yaml', 'ns-deployment-gb.yaml']);
  });

  it('fails clearly for a directory that is not a chart, a missing values file and a template error', async () => {
    const h = await createHarness(disposer);
    fs.mkdirSync(h.workspace.resolve('plain'));
    expect((await errorOf(h.run(helmTemplate, { path: 'plain', outPath: 'o.yaml', releaseName: 'r' }))).message).toBe(
      'path "plain" is not a Helm chart (no Chart.yaml)',
    );
    copyFixture(h, 'helm/app', 'chart');
    fs.writeFileSync(h.workspace.resolve('chart/Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 0.1.0\n');
    expect((await errorOf(h.run(helmTemplate, { path: 'chart', outPath: 'o.yaml', releaseName: 'r', valuesFiles: ['nope.yaml'] }))).message).toBe(
      'values file "nope.yaml" does not exist (set ignoreMissingValueFiles to skip it)',
    );
    fs.writeFileSync(h.workspace.resolve('chart/templates/bad.yaml'), '{{ .Values.x.y.z }}\n');
    const broken = await errorOf(h.run(helmTemplate, { path: 'chart', outPath: 'o.yaml', releaseName: 'r' }));
    expect(broken.message).toMatch(/^helm template of "chart" failed: /);
    expect(broken.message).not.toContain(h.workspace.root);
  });
});
