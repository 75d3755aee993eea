/**
 * The web page in headless Chromium (Debian's chromium, driven by playwright-core) against a
 * real stack that requires tokens: sign in, see the pipeline graph, promote freight by clicking
 * (each promotion a real commit pushed to a real git repository), find a button the role does
 * not allow disabled with the reason, and see every click in the audit trail; approve a
 * promotion that waits for approval, and see the api's verdict on what a stage may take (a soak
 * upstream). Screenshots go to test-output/.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import YAML from 'yaml';
import { enforcedAccess } from '../../api/auth/index.js';
import { authConfig, bearer, TOKENS } from '../api/auth-fixtures.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');
const shots = join(root, 'test-output', 'web');
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

let stack: ShuntStack;
let work: string;
let origin: string;
let browser: LaunchedChromium | undefined;
let page: Page;

async function api(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.url}/api/v1${path}`, {
    method,
    headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const commits = async (): Promise<number> => Number((await run('git', ['--git-dir', origin, 'rev-list', '--count', 'main'], { env: gitEnv })).stdout.trim());

async function signIn(token: string): Promise<void> {
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  await mkdir(shots, { recursive: true });
  stack = await startShuntStack({ namespace: 'web', access: enforcedAccess(authConfig()), temporalUiUrl: 'http://127.0.0.1:8233' });
  work = await mkdtemp(join(tmpdir(), 'shunt-web-'));
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')], { env: gitEnv });
  origin = join(work, 'demo', 'gitops.git');
  const pipeline = (await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${origin}`);
  await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'pipeline.yaml', content: pipeline }] });
  await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'freight.yaml', content: await readFile(join(example, 'freight-1.0.0.yaml'), 'utf8') }] });
  browser = await launchChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the web page', () => {
  let alias = '';

  it('asks for a token when the api requires one', async () => {
    await page.goto(`${stack.url}/`);
    await page.getByLabel('Bearer token').waitFor();
    await expectText(page.getByRole('alert'), /requires a bearer token/);
    await page.screenshot({ path: join(shots, '01-sign-in.png'), fullPage: true });
  });

  it('shows the pipeline as a graph, warehouse to stages, once signed in', async () => {
    await signIn(TOKENS.developer);
    await expectText(page.locator('#who'), /Signed in as dev-dana/);
    const columns = page.locator('#columns > .column');
    await expectCount(columns, 4);
    await expectText(columns.nth(0), /Warehouse app/);
    await expectText(columns.nth(1), /Stage dev/);
    await expectText(columns.nth(2), /Stage staging/);
    await expectText(columns.nth(3), /Stage prod/);
    expect(await page.locator('#edges path').count()).toBeGreaterThanOrEqual(3); // arrowhead + 3 edges
    const freight = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items[0];
    alias = freight.alias;
    await expectText(page.locator('#freight tbody'), new RegExp(alias));
  });

  it('promotes freight to dev and then staging by clicking, one commit each', async () => {
    const before = await commits();
    await page.getByRole('button', { name: 'Promote to dev' }).click();
    await expectText(page.getByTestId('current-dev'), new RegExp(alias), 120_000);
    await expectText(page.locator('#history'), /Succeeded/);
    await expectText(page.locator('#history'), /git-push/);
    expect(await commits()).toBe(before + 1);

    await page.getByRole('button', { name: 'Promote to staging' }).click();
    await expectText(page.getByTestId('current-staging'), new RegExp(alias), 120_000);
    expect(await commits()).toBe(before + 2);
    await page.screenshot({ path: join(shots, '02-promoted-to-staging.png'), fullPage: true });
  });

  it('disables what the role does not allow and says why: a developer cannot promote prod', async () => {
    const promoteProd = page.getByRole('button', { name: 'Promote to prod' });
    await promoteProd.waitFor();
    expect(await promoteProd.isDisabled()).toBe(true);
    const described = await promoteProd.getAttribute('aria-describedby');
    await expectText(page.locator(`#${described}`), /dev-dana .* may not promote to stage "prod" of project "demo": that needs the promoter role there/);
    const approveProd = page.getByRole('button', { name: `Approve ${alias} for prod` });
    expect(await approveProd.isDisabled()).toBe(true);
    await page.screenshot({ path: join(shots, '03-prod-refused-for-developer.png'), fullPage: true });
  });

  it('lets a release manager promote prod, and the audit trail names each click', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(TOKENS.releaseManager);
    await expectText(page.locator('#who'), /Signed in as rita-release/);
    const promoteProd = page.getByRole('button', { name: 'Promote to prod', disabled: false });
    await promoteProd.click();
    await expectText(page.getByTestId('current-prod'), new RegExp(alias), 120_000);
    await page.locator('#history-stage').selectOption('prod');
    await expectText(page.locator('#history'), /Succeeded · .* · by rita-release/);
    const link = page.getByRole('link', { name: 'run in Temporal' }).first();
    expect(await link.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:8233\/namespaces\/web\/workflows\/promotion:demo:prod\./);
    await page.screenshot({ path: join(shots, '04-promoted-to-prod.png'), fullPage: true });

    const events = (await api('GET', '/projects/demo/audit', TOKENS.viewer)).items as { actor: string; action: string; outcome: string; target: { stage?: string } }[];
    const promotions = events.filter((e) => e.action === 'promote').map((e) => [e.actor, e.target.stage, e.outcome]);
    expect(promotions).toEqual([
      ['rita-release', 'prod', 'succeeded'],
      ['dev-dana', 'staging', 'succeeded'],
      ['dev-dana', 'dev', 'succeeded'],
    ]);
    expect(events.filter((e) => e.action === 'apply').map((e) => e.actor)).toEqual(['adam-admin', 'adam-admin']);
  });

  it('offers retry for a failed promotion and approval of new freight, calling the approval and retry routes', async () => {
    // A newer freight, and a pipeline whose repository cannot be cloned.
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'f.yaml', content: await readFile(join(example, 'freight-1.1.0.yaml'), 'utf8') }] });
    const pipeline = (await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${join(work, 'missing.git')}`);
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'broken.yaml', content: pipeline }] });
    const newer = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === '1.1.0');

    await page.locator('#promote-dev').selectOption(newer.metadata.name);
    await page.getByRole('button', { name: 'Promote to dev' }).click();
    await page.locator('#history-stage').selectOption('dev');
    await expectText(page.locator('#history'), /Errored/, 90_000);
    await expectText(page.locator('#history'), /git-clone/);
    await page.screenshot({ path: join(shots, '05-failed-promotion.png'), fullPage: true });

    const failed = (await api('GET', '/projects/demo/promotions', TOKENS.viewer)).items.filter((p: { spec: { stage: string } }) => p.spec.stage === 'dev').pop();
    const retried = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/projects/demo/promotions/${failed.metadata.name}/retry`));
    await page.getByRole('button', { name: `Retry ${failed.metadata.name}` }).click();
    expect((await retried).headers()['authorization']).toBe(`Bearer ${TOKENS.releaseManager}`);

    const approved = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/projects/demo/freight/${newer.metadata.name}/approve`));
    await page.getByRole('button', { name: `Approve ${newer.alias} for prod` }).click();
    expect((await approved).postDataJSON()).toEqual({ stage: 'prod' });

    // Both clicks are in the audit trail, whatever the routes answered.
    const events = await eventuallyEvents((e) => e.some((x) => x.action === 'approve') && e.some((x) => x.action === 'retry'));
    expect(events.find((e) => e.action === 'retry')).toMatchObject({ actor: 'rita-release', target: { stage: 'dev', promotion: failed.metadata.name } });
    expect(events.find((e) => e.action === 'approve')).toMatchObject({ actor: 'rita-release', target: { stage: 'prod', freight: newer.metadata.name } });
  });

  it('shows why a verification failed, in the stage and in the freight table', async () => {
    // staging verifies with a provider only Argo Rollouts runs, and this worker has no cluster.
    const docs = YAML.parseAllDocuments((await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${join(work, 'missing.git')}`));
    const staging = docs.find((d) => d.getIn(['kind']) === 'Stage' && d.getIn(['metadata', 'name']) === 'staging')!;
    staging.setIn(['spec', 'verification'], { analysisTemplates: [{ name: 'smoke' }] });
    const template = 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: smoke, namespace: demo}\nspec:\n  metrics: [{name: smoke, provider: {job: {spec: {}}}}]\n';
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'verified.yaml', content: `${template}---\n${docs.map((d) => d.toString()).join('---\n')}` }] });
    await api('POST', '/projects/demo/stages/staging/verify', TOKENS.admin, {});

    const cause = /VerificationError: metric "smoke" \(provider job\) needs Argo Rollouts, and this worker has no Kubernetes connection/;
    await expectText(page.getByTestId('verified-staging'), cause, 90_000);
    await expectText(page.locator('#freight tbody'), /verification Error: metric "smoke" \(provider job\) needs Argo Rollouts/);
    await page.screenshot({ path: join(shots, '06-failed-verification.png'), fullPage: true });
  });

  it('is usable from the keyboard: the first Tab reaches the skip link, controls have labels', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.keyboard.press('Tab');
    // Evaluated in the page (strings: this file is compiled without the DOM types).
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to the pipeline');
    const unlabeled = await page.evaluate("[...document.querySelectorAll('select, input')].filter((el) => !el.labels?.length).map((el) => el.id)");
    expect(unlabeled).toEqual([]);
  });

  it('offers to approve a promotion the api says waits for approval (status.waitingForApproval), which then runs', async () => {
    // prod now requires approval (the stage annotation), with the working repository again.
    const docs = YAML.parseAllDocuments((await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${origin}`));
    const prod = docs.find((d) => d.getIn(['kind']) === 'Stage' && d.getIn(['metadata', 'name']) === 'prod')!;
    prod.setIn(['metadata', 'annotations'], { 'shunt.dev/require-approval': 'true' });
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'gated.yaml', content: docs.map((d) => d.toString()).join('---\n') }] });
    // The newer freight was approved for prod above: the api offers it there.
    const newer = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === '1.1.0');
    const offered = await api('GET', '/projects/demo/stages/prod', TOKENS.viewer);
    expect(offered.status.freightAvailability.find((e: { freight: string }) => e.freight === newer.metadata.name)).toMatchObject({ available: true, via: 'approval' });

    await page.locator('#promote-prod').selectOption(newer.metadata.name);
    await page.getByRole('button', { name: 'Promote to prod' }).click();
    const waiting = await eventuallyPromotion((p) => p.spec.stage === 'prod' && p.spec.freight === newer.metadata.name && p.status.waitingForApproval !== undefined);
    expect(waiting.status.waitingForApproval).toMatchObject({ gate: 'stage' });
    await page.getByRole('article', { name: 'Stage prod' }).getByRole('button', { name: `Approve ${waiting.metadata.name}` }).click();
    await expectText(page.getByTestId('current-prod'), new RegExp(newer.alias), 120_000);
    await page.screenshot({ path: join(shots, '07-approved-promotion.png'), fullPage: true });
  });

  it('shows the api\'s verdict where nothing can be promoted, and how long a soak upstream still runs', async () => {
    // canary takes freight from prod once it has soaked there for an hour.
    const docs = YAML.parseAllDocuments((await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${origin}`));
    const canary = docs.find((d) => d.getIn(['kind']) === 'Stage' && d.getIn(['metadata', 'name']) === 'prod')!.clone() as (typeof docs)[number];
    canary.setIn(['metadata', 'name'], 'canary');
    canary.setIn(['spec', 'requestedFreight', 0, 'sources'], { stages: ['prod'], requiredSoakTime: '1h' });
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'canary.yaml', content: canary.toString() }] });
    const newest = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items[0];

    const node = page.getByRole('article', { name: 'Stage canary' });
    await expectText(node, new RegExp(`Nothing to promote: freight ${newest.alias} is not available to stage "canary": .*soaked \\d+s of the required 3600s in "prod"`));
    await expectText(page.locator('#freight tbody'), /soaking for canary: (1h|59m) left/);
    await page.screenshot({ path: join(shots, '08-soaking.png'), fullPage: true });
  });
});

describe('the web page: what changed, what it passed, and a phone', () => {
  // The read models (changes, compare, audit) answer here: the page must render them, not "not available".

  it('opens a promotion in a dialog: steps, who approved, what it changed; focus stays inside and Escape closes it', async () => {
    await page.locator('#history-stage').selectOption('prod');
    const details = page.locator('#history').getByRole('button', { name: /^Details of / }).first();
    const name = ((await details.textContent()) ?? '').replace('Details of ', '');
    const changes = page.waitForRequest((r) => r.url().endsWith(`/api/v1/projects/demo/promotions/${name}/changes`));
    await details.click();
    const dialog = page.getByRole('dialog', { name: `Promotion ${name}` });
    await dialog.waitFor();
    await expectText(dialog, /Steps of/);
    await expectText(dialog, /Approvedstage by rita-release/);
    expect((await changes).headers()['authorization']).toBe(`Bearer ${TOKENS.releaseManager}`);
    await expectText(dialog, /What it changed(Commits|It pushed nothing)/);
    await page.screenshot({ path: join(shots, '09-promotion-detail.png'), fullPage: true });
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate("document.activeElement?.closest('dialog') !== null")).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.textContent')).toBe(`Details of ${name}`);
  });

  it('compares two stages and filters the audit trail by stage, action and outcome, asking the api', async () => {
    const compared = page.waitForRequest((r) => r.url().endsWith('/api/v1/projects/demo/stages/dev/compare?with=prod'));
    await page.locator('#compare-a').selectOption('dev');
    await page.locator('#compare-b').selectOption('prod');
    await compared;
    await expectText(page.locator('#compare'), /dev compared with prod/);

    const filtered = page.waitForRequest((r) => /\/api\/v1\/projects\/demo\/audit\?stage=prod&action=promote&outcome=denied&limit=100$/.test(r.url()));
    await page.locator('#audit-stage').selectOption('prod');
    await page.locator('#audit-action').selectOption('promote');
    await page.locator('#audit-outcome').selectOption('denied');
    await filtered;
    // The developer's refused click on prod is no button press (it was disabled): the denials are
    // requests. Whatever the list holds, every row is a denied promote of prod.
    // Until the filtered answer is drawn the table still shows the unfiltered rows: wait for it.
    await expectText(page.locator('#audit-section'), /Nothing matches|denied/);
    const deadline = Date.now() + 60_000;
    let outcomes = await page.locator('#audit tbody td.outcome').allTextContents();
    while (!outcomes.every((o) => o.startsWith('denied')) && Date.now() < deadline) {
      await page.waitForTimeout(200);
      outcomes = await page.locator('#audit tbody td.outcome').allTextContents();
    }
    expect(outcomes.filter((o) => !o.startsWith('denied'))).toEqual([]);
    await page.screenshot({ path: join(shots, '10-compare-and-audit.png'), fullPage: true });
  });

  it("promotes a stage's freight to every stage downstream of it", async () => {
    const asked = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/projects/demo/stages/dev/promotions/downstream'));
    await page.getByRole('button', { name: "Promote dev's freight downstream" }).click();
    const dev = await api('GET', '/projects/demo/stages/dev', TOKENS.viewer);
    expect((await asked).postDataJSON()).toEqual({ freight: Object.values(dev.status.freightHistory[0].items as Record<string, { name: string }>)[0]!.name });
    await expectText(page.getByRole('status'), /1 promotion\(s\) queued: staging/);
  });

  it('rejects a promotion waiting for approval: it is aborted', async () => {
    const older = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === '1.0.0');
    await page.locator('#promote-prod').selectOption(older.metadata.name);
    await page.getByRole('button', { name: 'Promote to prod' }).click();
    const waiting = await eventuallyPromotion((p) => p.spec.stage === 'prod' && p.spec.freight === older.metadata.name && p.status.waitingForApproval !== undefined);
    // Waiting for me lists it (the api decides who may approve it), with Reject.
    await page.locator('#waiting').getByRole('button', { name: `Reject ${waiting.metadata.name}` }).click();
    await page.locator('#history-stage').selectOption('prod');
    await expectText(page.getByRole('listitem', { name: `Promotion ${waiting.metadata.name}` }), /Aborted/, 60_000);
  });

  it('disables Approve with the api\'s reason when the stage wants someone other than the requester, and Waiting for me leaves it out', async () => {
    const docs = YAML.parseAllDocuments((await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${origin}`));
    const prod = docs.find((d) => d.getIn(['kind']) === 'Stage' && d.getIn(['metadata', 'name']) === 'prod')!;
    prod.setIn(['metadata', 'annotations'], { 'shunt.dev/require-approval': 'true', 'shunt.dev/approver-not-requester': 'true' });
    await api('POST', '/apply', TOKENS.admin, { files: [{ name: 'four-eyes.yaml', content: prod.toString() }] });
    const older = (await api('GET', '/projects/demo/freight', TOKENS.viewer)).items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === '1.0.0');
    await page.locator('#promote-prod').selectOption(older.metadata.name);
    await page.getByRole('button', { name: 'Promote to prod' }).click();
    const waiting = await eventuallyPromotion((p) => p.spec.stage === 'prod' && p.spec.freight === older.metadata.name && p.status.phase === 'Running' && p.status.waitingForApproval !== undefined);

    const node = page.getByRole('article', { name: 'Stage prod' });
    await expectText(node, /"rita-release" asked for this promotion and so cannot approve it: another person must/);
    expect(await node.getByRole('button', { name: `Approve ${waiting.metadata.name}` }).isDisabled()).toBe(true);
    await expectText(page.locator('#waiting'), /Nothing waits for you\./);

    await node.getByRole('button', { name: `Abort ${waiting.metadata.name}` }).click();
    await eventuallyPromotion((p) => p.metadata.name === waiting.metadata.name && p.status.phase === 'Aborted');
  });

  it('fits a phone: 375 px wide without sideways scrolling, the stages one under another', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await expectCount(page.locator('#columns > .column'), 5); // warehouse, dev, staging, prod, canary
    // What sticks out past the right edge, outside any box that scrolls sideways on its own.
    const overflowing = await page.evaluate(`[...document.querySelectorAll('body *')].filter((el) => {
      if (el.getBoundingClientRect().right <= 376) return false;
      for (let up = el.parentElement; up; up = up.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return false;
      return true;
    }).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')).slice(0, 10)`);
    expect(overflowing).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const first = await page.locator('#columns > .column').nth(0).boundingBox();
    const second = await page.locator('#columns > .column').nth(1).boundingBox();
    expect(second!.y).toBeGreaterThanOrEqual(first!.y + first!.height);
    await page.screenshot({ path: join(shots, '11-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

async function eventuallyEvents(
  done: (events: { action: string; actor: string; target: Record<string, string> }[]) => boolean,
): Promise<{ action: string; actor: string; target: Record<string, string> }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const events = (await api('GET', '/projects/demo/audit', TOKENS.viewer)).items;
    if (done(events) || Date.now() > deadline) return events;
    await page.waitForTimeout(200);
  }
}

type PromotionItem = { metadata: { name: string }; spec: { stage: string; freight: string }; status: { phase?: string; waitingForApproval?: { gate: string } } };

async function eventuallyPromotion(match: (p: PromotionItem) => boolean): Promise<PromotionItem> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = ((await api('GET', '/projects/demo/promotions', TOKENS.viewer)).items as PromotionItem[]).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no promotion matched in time');
    await page.waitForTimeout(200);
  }
}

/** Polls a locator's text until it matches (Playwright's own waiting, no fixed sleeps). */
async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent().catch(() => '')) ?? '';
    if (pattern.test(last)) return;
    await page.waitForTimeout(200);
  }
  throw new Error(`expected ${String(pattern)} in ${locator.toString()}, last saw: ${last.slice(0, 400)}`);
}

async function expectCount(locator: ReturnType<Page['locator']>, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} of ${locator.toString()}, saw ${await locator.count()}`);
    await page.waitForTimeout(200);
  }
}
