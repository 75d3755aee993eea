/**
 * The page signs in with the api's OpenID provider in real Chromium: the Sign-in button, the
 * provider's own login and consent pages (test/support/oidc-provider.ts), the redirect back
 * (code and state gone from the address), the user shown in #who. Roles come from the groups
 * claim through the access-control config: a developer gets 403 on approve. An expired access
 * token is renewed with the refresh token; sign-out forgets the tokens.
 */
import type { Page } from 'playwright-core';
import type { RunningApi } from '../api/support.js';
import { launchChromium, type LaunchedChromium } from '../support/chromium.js';
import type { OidcProviderServer } from '../support/oidc-provider.js';
import { startSignInApi, type SignInApi } from '../support/sign-in-api.js';

let stack: SignInApi;
let idp: OidcProviderServer;
let api: RunningApi;
let browser: LaunchedChromium | undefined;
let page: Page;

beforeAll(async () => {
  stack = await startSignInApi();
  ({ idp, api } = stack);
  browser = await launchChromium();
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
  await stack.close();
});

async function signIn(user: string, password: string): Promise<void> {
  await page.goto(`${api.url}/?project=demo`);
  await page.locator('#sign-in').click();
  await page.waitForURL(`${idp.issuer}/**`);
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${api.url}/**`);
}

describe('the page signs in with the OpenID provider', () => {
  it('goes through the provider login, comes back signed in, and signs out', async () => {
    await page.goto(`${api.url}/`);
    await page.locator('#sign-in').waitFor();
    await signIn('rita', 'rita-password');
    await page.locator('#who', { hasText: 'oidc:rita@example.com' }).waitFor();
    expect(await page.locator('#who').textContent()).toBe('Signed in as oidc:rita@example.com');
    // The code and state are gone from the address; the project asked for stays.
    expect(new URL(page.url()).search).toBe('?project=demo');
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(await page.locator('#error').textContent()).toBe('');

    // A tab restored after the access token expired: the refresh token renews it at load.
    const before = (await page.evaluate("JSON.parse(sessionStorage.getItem('shunt-sign-in'))")) as { accessToken: string; refreshToken: string };
    expect(before.refreshToken).toEqual(expect.any(String));
    await page.evaluate("sessionStorage.setItem('shunt-sign-in', JSON.stringify({ ...JSON.parse(sessionStorage.getItem('shunt-sign-in')), expiresAt: Date.now() - 1000 }))");
    const renewal = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/token') && r.status() === 200);
    await page.reload();
    await renewal;
    await page.locator('#who', { hasText: 'oidc:rita@example.com' }).waitFor();
    const after = (await page.evaluate("JSON.parse(sessionStorage.getItem('shunt-sign-in'))")) as { accessToken: string; expiresAt: number };
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now());

    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor();
    expect(await page.locator('#who').textContent()).toBe('');
    expect(await page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('shunt'))")).toEqual([]);
  });

  it('a developer is signed in too, but the api refuses their approve with 403', async () => {
    await browser!.context.clearCookies(); // a new session at the provider: log in as someone else
    await signIn('dana', 'dana-password');
    await page.locator('#who', { hasText: 'oidc:dana@example.com' }).waitFor();
    const approve = await page.evaluate(async () => {
      const { currentToken } = (await import('/sign-in.js' as string)) as { currentToken(): string };
      const res = await fetch('/api/v1/projects/demo/freight/tidy-otter/approve', {
        method: 'POST',
        headers: { authorization: `Bearer ${currentToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ stage: 'prod' }),
      });
      return { status: res.status, body: await res.text() };
    });
    expect(approve.status).toBe(403);
    expect(approve.body).toMatch(/oidc:dana@example\.com .*needs the approver role/);
  });

  it('says why when the provider login is cancelled', async () => {
    await browser!.context.clearCookies();
    await page.goto(`${api.url}/`);
    await page.locator('#sign-out').click(); // dana, from the test before
    await page.locator('#sign-in').waitFor();
    await page.locator('#sign-in').click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${api.url}/**`);
    await page.locator('#error', { hasText: 'the issuer refused the sign-in' }).waitFor();
    expect(await page.locator('#error').textContent()).toBe('the issuer refused the sign-in: access_denied (the user denied the sign-in)');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
  });
});
