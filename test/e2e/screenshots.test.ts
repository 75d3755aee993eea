/**
 * The page's screenshots for the docs (`npm run screenshots` writes them to docs/screenshots;
 * otherwise to test-output/screenshots): a real stack with the three-stage example, freight
 * promoted through dev and staging, staging verified by two metrics against a real HTTP server,
 * then each main view in headless Chromium at 1280 px, and the page at a phone's 375 px.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import YAML from 'yaml';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');
const out = resolve(root, process.env['SHUNT_SCREENSHOTS_DIR'] ?? join('test-output', 'screenshots'));
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

let stack: ShuntStack;
let metrics: MetricsServer;
let work: string;
let browser: LaunchedChromium | undefined;
let page: Page;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.url}/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls the api until `done` holds for what `read` returns. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function promote(stage: string, freight: string): Promise<void> {
  const p = await api('POST', '/projects/demo/promotions', { stage, freight });
  await until(() => api('GET', `/projects/demo/promotions/${p.metadata.name}`), (x) => ['Succeeded', 'Failed', 'Errored'].includes(x.status.phase), `${p.metadata.name}`);
}

const freightTagged = async (tag: string): Promise<{ metadata: { name: string } }> =>
  (await api('GET', '/projects/demo/freight')).items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === tag);

beforeAll(async () => {
  await mkdir(out, { recursive: true });
  metrics = await startMetricsServer();
  metrics.setJson('/health', 200, { ok: true });
  metrics.setQuery('sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))', [0.997]);
  stack = await startShuntStack({ namespace: 'screenshots', temporalUiUrl: 'http://127.0.0.1:8233' });
  work = await mkdtemp(join(tmpdir(), 'shunt-screenshots-'));
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')], { env: gitEnv });
  const docs = YAML.parseAllDocuments((await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${join(work, 'demo', 'gitops.git')}`));
  docs.find((d) => d.getIn(['kind']) === 'Stage' && d.getIn(['metadata', 'name']) === 'staging')!.setIn(['spec', 'verification'], { analysisTemplates: [{ name: 'smoke' }] });
  const template = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: AnalysisTemplate',
    'metadata: {name: smoke, namespace: demo}',
    'spec:',
    '  metrics:',
    '    - name: healthy',
    '      successCondition: result == true',
    `      provider: {web: {url: "${metrics.url}/health", jsonPath: "{$.ok}"}}`,
    '    - name: success-rate',
    '      successCondition: result[0] >= 0.99',
    '      failureCondition: result[0] < 0.95',
    `      provider: {prometheus: {address: "${metrics.url}", query: 'sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'}}`,
  ].join('\n');
  await api('POST', '/apply', { files: [{ name: 'pipeline.yaml', content: `${template}\n---\n${docs.map((d) => d.toString()).join('---\n')}` }] });
  await api('POST', '/apply', { files: [{ name: 'f1.yaml', content: await readFile(join(example, 'freight-1.0.0.yaml'), 'utf8') }] });
  const first = await freightTagged('1.0.0');
  await promote('dev', first.metadata.name);
  await promote('staging', first.metadata.name);
  await until(() => api('GET', '/projects/demo/stages/staging'), (s) => s.status.conditions?.some((c: { type: string; status: string }) => c.type === 'Verified' && c.status === 'True'), 'staging verified');
  await api('POST', '/apply', { files: [{ name: 'f2.yaml', content: await readFile(join(example, 'freight-1.1.0.yaml'), 'utf8') }] });
  await promote('dev', (await freightTagged('1.1.0')).metadata.name);
  browser = await launchChromium();
  page = browser.page;
  await page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await metrics?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function shoot(selector: string, file: string): Promise<void> {
  const section = page.locator(selector);
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: join(out, file) });
}

describe('screenshots of the page', () => {
  it('shows the pipeline, the freight timeline, verification, a promotion with its diff, the audit trail, and a phone', async () => {
    await page.goto(`${stack.url}/?project=demo`);
    await page.locator('#connection', { hasText: 'Live' }).waitFor();
    await page.getByTestId('verified-staging').filter({ hasText: /^yes/ }).waitFor();
    await shoot('#pipeline-section', 'pipeline.png');
    await shoot('#freight-section', 'freight-timeline.png');
    await page.locator('#verification-section table.metrics').waitFor();
    await shoot('#verification-section', 'verification.png');

    await page.locator('#history-stage').selectOption('staging');
    await page.locator('#history').getByRole('button', { name: /^Details of / }).first().click();
    const dialog = page.getByRole('dialog');
    // The changes come from the worker's mirror after the dialog opens: shoot once they are shown.
    await dialog.getByRole('heading', { name: 'Commits' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(out, 'promotion-detail.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.locator('#audit-action').selectOption('promote');
    await shoot('#audit-section', 'audit.png');

    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await page.locator('#connection', { hasText: 'Live' }).waitFor();
    await page.screenshot({ path: join(out, 'phone.png') });
    const written = ['pipeline', 'freight-timeline', 'verification', 'promotion-detail', 'audit', 'phone'].map((n) => join(out, `${n}.png`));
    for (const file of written) expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
  });
});
