/**
 * The web page follows the project's event stream instead of polling: in headless Chromium,
 * signed in with a token (which EventSource could not send, so the page reads the stream with
 * fetch), freight applied by someone else appears without a reload and without the page asking
 * for the freight list again; the stream request carries the token.
 */
import type { Page, Request } from 'playwright-core';
import { enforcedAccess } from '../../api/auth/index.js';
import { authConfig, bearer, TOKENS } from '../api/auth-fixtures.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse } from '../support/workflow-harness.js';

// The project the fixtures' viewer token may read.
const PROJECT = 'demo';
let stack: ShuntStack;
let browser: LaunchedChromium | undefined;
let page: Page;

async function apply(content: string): Promise<void> {
  const res = await fetch(`${stack.url}/api/v1/apply`, {
    method: 'POST',
    headers: { ...bearer(TOKENS.admin), 'content-type': 'application/json' },
    body: JSON.stringify({ files: [{ name: 'live.yaml', content }] }),
  });
  expect(res.status).toBe(200);
}

async function expectText(pattern: RegExp, selector: string, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await page.locator(selector).first().textContent().catch(() => '')) ?? '';
    if (pattern.test(last)) return;
    await page.waitForTimeout(200);
  }
  const body = (await page.locator('body').textContent().catch(() => '')) ?? '';
  throw new Error(`expected ${String(pattern)} in ${selector}, last saw: ${last.slice(0, 400)}; the page: ${body.replace(/\s+/g, ' ').slice(0, 600)}`);
}

beforeAll(async () => {
  stack = await startShuntStack({ namespace: 'web-live', access: enforcedAccess(authConfig()) });
  const stage = yamlOf(aStage('dev', { project: PROJECT, steps: [{ uses: 'git-clone' }] }));
  await apply([projectAndWarehouse(PROJECT), stage, freightManifest(PROJECT, '1.0.0', 'first-one')].join('\n---\n'));
  browser = await launchChromium();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the web page’s live updates', () => {
  it('shows freight made elsewhere without polling, over a stream that carries the token', async () => {
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await page.goto(`${stack.url}/?project=${PROJECT}`);
    await page.getByLabel('Bearer token').fill(TOKENS.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(/first-one/, '#freight tbody');
    await page.waitForTimeout(1000); // the stream is opened once the page has loaded
    const streams = requests.filter((r) => r.url().endsWith(`/api/v1/projects/${PROJECT}/stream`));
    expect(streams.length).toBeGreaterThan(0);
    expect(await streams[0]!.headerValue('authorization')).toBe(`Bearer ${TOKENS.viewer}`);
    // Polling took 2 s; the stream is read every 500 ms. Wait past a poll, then count the list reads.
    await page.waitForTimeout(3000);
    const listReads = (): number => requests.filter((r) => r.url().endsWith(`/api/v1/projects/${PROJECT}/freight`)).length;
    const before = listReads();

    await apply(freightManifest(PROJECT, '2.0.0', 'second-one'));
    await expectText(/second-one/, '#freight tbody');
    expect(listReads()).toBe(before);
    await expectText(/^Live$/, '#connection');
  });

  it('keeps following through an api restart: says it is reconnecting, then resumes with the last event id', async () => {
    const resumed = page.waitForRequest((r) => r.url().endsWith(`/api/v1/projects/${PROJECT}/stream`) && r.headers()['last-event-id'] !== undefined);
    await stack.restartApi(async () => {
      await expectText(/Reconnecting/, '#connection');
    });
    const request = await resumed;
    expect(request.headers()['last-event-id']).toMatch(/^.+-\d+$/);
    await expectText(/^Live$/, '#connection');
    await apply(freightManifest(PROJECT, '4.0.0', 'fourth-one'));
    await expectText(/fourth-one/, '#freight tbody');
  });
});
