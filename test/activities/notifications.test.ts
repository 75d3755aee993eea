/**
 * `deliverNotification` (activities/notifications.ts) against a real loopback server: what each
 * answer becomes (2xx delivered; 4xx final; 429 retried after its Retry-After; 5xx retried),
 * the webhook's body and headers from Secrets, and messages that name the Secret, never the URL.
 */
import type { ApplicationFailure } from '@temporalio/common';
import { createNotificationActivities, retryAfter } from '../../activities/notifications.js';
import type { LifecycleEvent, NotificationDelivery, NotificationTarget } from '../../core/events/types.js';
import { TestHttpServer } from '../support/http-server.js';
import { SecretStore } from '../support/secret-store.js';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const TOKEN_PATH = '/services/T0/B0/s3cretT0ken';
let server: TestHttpServer;
beforeEach(async () => {
  server = new TestHttpServer();
  await server.start();
});
afterEach(() => server.stop());

const event: LifecycleEvent = {
  id: 3,
  time: '2026-01-01T00:00:00.000Z',
  type: 'Warning',
  reason: 'PromotionFailed',
  message: 'Promotion Failed: boom',
  involvedObject: { kind: 'Promotion', name: 'dev.p1' },
  annotations: { 'event.kargo.akuity.io/project': 'demo', 'event.kargo.akuity.io/stage-name': 'dev' },
};

function deliver(target: NotificationTarget, secrets: Record<string, Record<string, string>> = {}) {
  const store = new SecretStore({ slack: { webhookURL: `${server.url}${TOKEN_PATH}` }, sink: { url: `${server.url}${TOKEN_PATH}` }, ...secrets });
  const activities = createNotificationActivities({ credentials: { forProject: () => store }, timeoutMs: 5000 });
  const delivery: NotificationDelivery = { project: 'demo', subscription: 's', target, retry: { maxAttempts: 3, initialInterval: '1s', maxInterval: '1m' }, event };
  return activities.deliverNotification(delivery);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    return err as ApplicationFailure;
  }
  throw new Error('expected the delivery to fail');
}

const slack: NotificationTarget = { slack: { webhookSecretRef: { name: 'slack' } } };
const sink: NotificationTarget = { webhook: { urlSecretRef: { name: 'sink' }, headersSecretRef: { name: 'sink-headers' } } };

describe('deliverNotification', () => {
  it("posts Slack's JSON to the URL from the Secret; 200 ok is delivered", async () => {
    server.handler = () => ({ status: 200, body: 'ok' });
    expect(await deliver(slack)).toEqual({ attempt: 1, status: 200 });
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(req!.body)).toMatchObject({ text: expect.stringContaining('PromotionFailed in project demo'), blocks: expect.any(Array) });
  });

  it('posts the event as /events lists it to a webhook, with the headers from its Secret', async () => {
    server.handler = () => ({ status: 202 });
    await deliver(sink, { 'sink-headers': { authorization: 'Bearer h3ader' } });
    const [req] = server.requests;
    expect(req?.headers['authorization']).toBe('Bearer h3ader');
    expect(JSON.parse(req!.body)).toMatchObject({ kind: 'Event', id: 3, reason: 'PromotionFailed', involvedObject: { kind: 'Promotion', name: 'dev.p1', namespace: 'demo' } });
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])("a %s (Slack's %s) is final, and the message names the Secret, not the URL", async (status, body) => {
    server.handler = () => ({ status, body });
    const failure = await failureOf(deliver(slack));
    expect(failure).toMatchObject({ type: 'NotificationRejected', nonRetryable: true, details: [{ attempt: 1 }] });
    expect(failure.message).toBe(`Slack (secret "slack"): answered ${status} "${body}"`);
  });

  it('a 429 is retried after its Retry-After', async () => {
    server.handler = () => ({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const failure = await failureOf(deliver(slack));
    expect(failure).toMatchObject({ type: 'NotificationFailed', nonRetryable: false });
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('a 5xx is retried with the backoff', async () => {
    server.handler = () => ({ status: 503, body: 'down' });
    const failure = await failureOf(deliver(sink));
    expect(failure).toMatchObject({ type: 'NotificationFailed', nonRetryable: false, message: 'webhook (secret "sink"): answered 503 "down"' });
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('a Secret without its key is retried (it may be fixed meanwhile), saying which key', async () => {
    const failure = await failureOf(deliver({ slack: { webhookSecretRef: { name: 'empty', key: 'hook' } } }, { empty: {} }));
    expect(failure).toMatchObject({ nonRetryable: false, message: 'Slack (secret "empty"): secret "empty" has no "hook" key' });
  });

  it('a Slack webhook that cannot be reached is retried, and the message never quotes its URL, in whatever spelling', async () => {
    const closed = await closedPort();
    for (const webhookURL of [`HTTP://127.0.0.1:${closed}/services/T0/B0/s3cretT0ken?x=1`, `http://127.0.0.1:${closed}/services/T0/B0/s3cretT0ken\n`]) {
      const failure = await failureOf(deliver(slack, { slack: { webhookURL } }));
      expect(failure).toMatchObject({ type: 'NotificationFailed', nonRetryable: false });
      expect(failure.message).toMatch(/^Slack \(secret "slack"\): request to the webhook URL failed: /);
      expect(failure.message).not.toContain('s3cretT0ken');
      expect(failure.message).not.toContain('/services/');
    }
  });

  it('a URL the egress policy refuses is final', async () => {
    const failure = await failureOf(deliver({ webhook: { url: 'http://169.254.169.254/latest' } }));
    expect(failure).toMatchObject({ type: 'NotificationRejected', nonRetryable: true });
    expect(failure.message).toMatch(/^webhook http:\/\/169\.254\.169\.254\/latest: /);
  });

  it('reads Retry-After as seconds or an HTTP date, within 1 s and 10 min', () => {
    expect(retryAfter('30')).toBe(30);
    expect(retryAfter('0')).toBe(1);
    expect(retryAfter('86400')).toBe(600);
    expect(retryAfter(new Date(Date.now() + 120_000).toUTCString())).toBeGreaterThan(100);
    expect(retryAfter('soon')).toBeUndefined();
    expect(retryAfter(undefined)).toBeUndefined();
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
