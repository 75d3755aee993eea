/**
 * Issue 19, "Events and notifications", end to end on the real dev server: a ProjectConfig
 * subscribes a Slack incoming webhook and two generic webhooks to lifecycle events; the webhook
 * URLs come from generic Secrets. Real local HTTP servers stand in for them: one speaks Slack's
 * documented wire format (POST JSON with `text` and/or `blocks`, answer 200 `ok`, 400
 * `invalid_payload` otherwise), one answers 500 then 200, one always 400 `no_service`. A
 * promotion that fails is then heard of on Slack; the 500-then-200 endpoint gets the event
 * again after one retry and is done; the always-400 endpoint is tried once and ends in one dead
 * letter (and a NotificationFailed event). `shunt get events --watch` shows the promotion's
 * events as they happen, and no webhook URL is in any workflow history.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aCredentialSecret, aProjectConfig, aStage, asKubeSecret, yamlOf } from '../support/manifests.js';
import { run as runCli } from '../../cli/index.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { historyText, saveHistory } from '../support/histories.js';
import { notificationWorkflowId, projectWorkflowId } from '../../workflows/definitions.js';
import { TestHttpServer, type SeenRequest } from '../support/http-server.js';
import { eventually } from '../support/poll.js';
import { scenario } from '../support/scenario.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const PROJECT = 'demo';
/** Slack's webhook path is its credential: it must never leave the worker. */
const SLACK_PATH = '/services/T0SHUNT/B0EVENTS/sl4ckT0kenXyZ123';
const FLAKY_PATH = '/hooks/flaky-t0ken-9f8e7d';
const BROKEN_PATH = '/hooks/broken-t0ken-1a2b3c';

let stack: ShuntStack;
const disposer = new Disposer();
const slack = new TestHttpServer();
const flaky = new TestHttpServer();
const broken = new TestHttpServer();
const { given, when, then, api } = scenario(() => stack.url);

/** Slack's incoming webhook: JSON with text or blocks gets 200 "ok", anything else 400 "invalid_payload". */
function slackAnswer(req: SeenRequest): { status: number; body: string } {
  if (req.method !== 'POST' || req.url !== SLACK_PATH || !String(req.headers['content-type']).startsWith('application/json')) return { status: 404, body: 'no_service' };
  try {
    const payload = JSON.parse(req.body) as { text?: unknown; blocks?: unknown };
    if (typeof payload.text === 'string' || Array.isArray(payload.blocks)) return { status: 200, body: 'ok' };
  } catch {
    /* answered below */
  }
  return { status: 400, body: 'invalid_payload' };
}

beforeAll(async () => {
  await Promise.all([slack.start(), flaky.start(), broken.start()]);
  slack.handler = slackAnswer;
  let flakyCalls = 0;
  flaky.handler = () => (++flakyCalls === 1 ? { status: 500, body: 'try again' } : { status: 200, body: 'accepted' });
  broken.handler = () => ({ status: 400, body: 'no_service' });

  const dir = await tempDir(disposer, 'shunt-notify-');
  const credentialsPath = join(dir, 'credentials.yaml');
  await writeFile(
    credentialsPath,
    yamlOf(
      asKubeSecret(aCredentialSecret('slack', 'generic', { webhookURL: `${slack.url}${SLACK_PATH}` }, PROJECT)),
      asKubeSecret(aCredentialSecret('flaky', 'generic', { url: `${flaky.url}${FLAKY_PATH}` }, PROJECT)),
      asKubeSecret(aCredentialSecret('broken', 'generic', { url: `${broken.url}${BROKEN_PATH}` }, PROJECT)),
      asKubeSecret(aCredentialSecret('flaky-headers', 'generic', { 'x-sink-token': 'h3ader-t0ken' }, PROJECT)),
    ),
  );
  stack = await startShuntStack({ namespace: 'notifications', credentialsPath });
});

/** The notification workflows the test made, for the replay corpus (npm run histories:capture). */
const delivered: { workflowId: string; scenario: string }[] = [];

afterAll(async () => {
  if (stack) {
    await saveHistory(stack.client, projectWorkflowId(PROJECT), 'project', 'lifecycle-events-e2e');
    for (const d of delivered) await saveHistory(stack.client, d.workflowId, 'notification', d.scenario);
  }
  await stack?.stop();
  await Promise.all([slack.stop(), flaky.stop(), broken.stop()]);
  await disposer.dispose();
});

it('notifies a failed promotion on Slack and webhooks, retries a 500, dead-letters a 400, and streams the events', async () => {
  await given.aProject(PROJECT, {
    docs: [
      aStage('dev', { steps: [{ uses: 'fail', config: { message: 'the canary said no' } }] }),
      aProjectConfig({
        notifications: [
          { name: 'team-slack', events: ['PromotionFailed', 'PromotionErrored'], slack: { webhookSecretRef: { name: 'slack' } } },
          { name: 'flaky-sink', events: ['PromotionCreated'], webhook: { urlSecretRef: { name: 'flaky' }, headersSecretRef: { name: 'flaky-headers' } }, retry: { maxAttempts: 3, initialInterval: '1s' } },
          { name: 'broken-sink', events: ['PromotionFailed'], webhook: { urlSecretRef: { name: 'broken' } }, retry: { maxAttempts: 3, initialInterval: '1s' } },
        ],
      } as never),
    ],
  });
  const freight = await given.freight(PROJECT, '1.0.0');

  // Watch the events before anything happens.
  const out: string[] = [];
  const err: string[] = [];
  const abort = new AbortController();
  const watching = runCli(['get', 'events', '--project', PROJECT, '--watch', '--server', stack.url], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), signal: abort.signal, env: {} });

  const promotion = await when.promoted(PROJECT, 'dev', freight.alias);
  expect((await then.promotionEnds(PROJECT, promotion)).status.phase).toBe('Failed');

  // Slack heard of it once, in its own format.
  await eventually(async () => (slack.requests.length >= 1 ? true : undefined), 'Slack to be notified');
  const [toSlack] = slack.requests;
  const payload = JSON.parse(toSlack!.body) as { text: string; blocks: unknown[] };
  expect(payload.text).toContain('PromotionFailed in project demo');
  expect(payload.text).toContain('the canary said no');
  expect(payload.blocks.length).toBeGreaterThan(0);

  // The 500-then-200 endpoint: the same event twice (one retry), with the headers from its Secret, then done.
  await eventually(async () => (flaky.requests.length >= 2 ? true : undefined), 'the flaky endpoint to be retried');
  const bodies = flaky.requests.map((r) => JSON.parse(r.body) as { kind: string; reason: string; id: number; involvedObject: { name: string } });
  expect(bodies.map((b) => [b.kind, b.reason, b.involvedObject.name])).toEqual([
    ['Event', 'PromotionCreated', promotion],
    ['Event', 'PromotionCreated', promotion],
  ]);
  expect(bodies[0]!.id).toBe(bodies[1]!.id);
  delivered.push({ workflowId: notificationWorkflowId(PROJECT, bodies[0]!.id, 'flaky-sink'), scenario: 'retried-once-e2e' });
  expect(flaky.requests[1]!.headers['x-sink-token']).toBe('h3ader-t0ken');

  // The always-400 endpoint: one attempt, one dead letter, one NotificationFailed event.
  const letters = await eventually(async () => {
    const res = await api.request<{ items: { subscription: string; attempts: number; error: string; endpoint: string }[] }>('GET', `/api/v1/projects/${PROJECT}/notifications/dead-letters`);
    return res.body.items.length ? res.body.items : undefined;
  }, 'a dead letter');
  expect(letters).toEqual([expect.objectContaining({ subscription: 'broken-sink', attempts: 1, endpoint: 'webhook (secret "broken")' })]);
  expect(letters[0]!.error).toContain('answered 400 "no_service"');
  expect(broken.requests).toHaveLength(1);
  const events = (await api.request<{ items: { id: number; reason: string; message: string }[] }>('GET', `/api/v1/projects/${PROJECT}/events`)).body.items;
  expect(events.map((e) => e.reason)).toEqual(['NotificationFailed', 'PromotionFailed', 'PromotionCreated']);
  delivered.push({ workflowId: notificationWorkflowId(PROJECT, events[1]!.id, 'broken-sink'), scenario: 'dead-letter-e2e' });

  // The watch showed them live, as kubectl get events does.
  await eventually(async () => (/NotificationFailed/.test(out.join('')) ? true : undefined), 'the watch to show the dead letter');
  abort.abort();
  expect(await watching).toBe(0);
  expect(err.join('')).toBe('');
  const lines = out.join('').split('\n');
  expect(lines[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE/);
  expect(lines.some((l) => /Normal +PromotionCreated +promotion\//.test(l) && l.includes(promotion))).toBe(true);
  expect(lines.some((l) => /Warning +PromotionFailed +promotion\//.test(l) && l.includes('the canary said no'))).toBe(true);

  // No webhook URL or header value in any workflow history of the project.
  const secrets = [SLACK_PATH, FLAKY_PATH, BROKEN_PATH, 'h3ader-t0ken'];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH "notification:${PROJECT}:" OR WorkflowId = "project:${PROJECT}"` })) {
    const history = historyText(await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
    for (const secret of secrets) expect({ workflow: wf.workflowId, leaks: history.includes(secret) }).toEqual({ workflow: wf.workflowId, leaks: false });
  }
});
