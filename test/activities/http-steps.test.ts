/** http, http-download, send-message, compose-output and fail against a real loopback server. */
import * as fs from 'node:fs';
import { composeOutput } from '../../activities/steps/compose-output.js';
import { fail } from '../../activities/steps/fail.js';
import { httpDownload } from '../../activities/steps/http-download.js';
import { httpStep } from '../../activities/steps/http.js';
import { sendMessage } from '../../activities/steps/send-message.js';
import { Disposer } from '../support/git-repos.js';
import { TestHttpServer } from '../support/http-server.js';
import { SecretStore } from '../support/secret-store.js';
import { createHarness, errorOf } from './harness.js';

const disposer = new Disposer();
let server: TestHttpServer;
beforeEach(async () => {
  server = new TestHttpServer();
  await server.start();
});
afterEach(async () => {
  await server.stop();
  await disposer.dispose();
});

describe('http', () => {
  it('sends method, headers, query and body; outputs come from the response', async () => {
    server.handler = () => ({ status: 201, headers: { 'x-request-id': 'r-1' }, body: { build: { id: 42, state: 'done' } } });
    const h = await createHarness(disposer);
    const res = await h.run(httpStep, {
      url: `${server.url}/api/builds`,
      method: 'post',
      headers: [{ name: 'Authorization', value: 'Bearer t0ken' }],
      queryParams: [{ name: 'q', value: 'a b' }],
      body: '{"ref":"main"}',
      outputs: [
        { name: 'id', fromExpression: 'response.body.build.id' },
        { name: 'status', fromExpression: 'response.status' },
        { name: 'rid', fromExpression: "response.header('X-Request-Id')" },
      ],
    });
    expect(res).toEqual({ status: 'Succeeded', output: { id: 42, status: 201, rid: 'r-1' } });
    expect(server.requests).toHaveLength(1);
    const seen = server.requests[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/builds?q=a+b');
    expect(seen.headers['authorization']).toBe('Bearer t0ken');
    expect(seen.body).toBe('{"ref":"main"}');
  });

  it('is Running while neither expression holds, then Succeeded', async () => {
    let state = 'pending';
    server.handler = () => ({ body: { state } });
    const h = await createHarness(disposer);
    const config = {
      url: `${server.url}/status`,
      successExpression: "response.body.state == 'ok'",
      failureExpression: "response.body.state == 'broken'",
      pollInterval: '15s',
    };
    const first = await h.run(httpStep, config);
    expect(first).toEqual({
      status: 'Running',
      retryAfter: '15s',
      message: `GET ${server.url}/status answered with status 200; waiting for the success expression`,
    });
    state = 'ok';
    expect(await h.run(httpStep, config)).toEqual({ status: 'Succeeded', output: {} });
  });

  it('fails for good when the failure expression holds, with the error expression as message', async () => {
    server.handler = () => ({ status: 200, body: { state: 'broken', reason: 'tests failed' } });
    const h = await createHarness(disposer);
    const err = await errorOf(
      h.run(httpStep, {
        url: `${server.url}/status?token=secret`,
        successExpression: "response.body.state == 'ok'",
        failureExpression: "response.body.state == 'broken'",
        errorExpression: 'response.body.reason',
      }),
    );
    expect(err.code).toBe('StepFailed');
    expect(err.message).toBe(`GET ${server.url}/status met the failure expression (status 200): tests failed`);
  });

  it('without expressions: 2xx succeeds, anything else is a retryable error', async () => {
    server.handler = () => ({ status: 503, body: 'busy' });
    const h = await createHarness(disposer);
    const err = await errorOf(h.run(httpStep, { url: `${server.url}/x` }));
    expect(err.code).toBeUndefined();
    expect(err.message).toBe(`GET ${server.url}/x answered with status 503`);
  });

  it('names the field and position of a bad expression, and refuses non-boolean conditions', async () => {
    server.handler = () => ({ body: { a: 1 } });
    const h = await createHarness(disposer);
    const bad = await errorOf(h.run(httpStep, { url: server.url, successExpression: 'response.status ==' }));
    expect(bad.code).toBe('InvalidExpression');
    expect(bad.message).toMatch(/^config\.successExpression: .* at position \d+ in `response\.status ==`$/);
    const nonBool = await errorOf(h.run(httpStep, { url: server.url, successExpression: 'response.status' }));
    expect(nonBool.message).toBe('config.successExpression: must evaluate to a boolean, got number');
  });

  it('refuses bad config: unknown fields, body and bodyFromFile together, a bad duration, an unsupported scheme', async () => {
    expect(() => httpStep.config.parse({ url: 'x', bogus: 1 })).toThrow();
    expect(() => httpStep.config.parse({ url: 'x', body: 'a', bodyFromFile: 'b' })).toThrow(/set at most one of body, bodyFromFile/);
    const timeoutIssues = (timeout: string): string[] | undefined => httpStep.config.safeParse({ url: 'x', timeout }).error?.issues.map((i) => i.message);
    expect(timeoutIssues('soon')).toEqual(['"soon" is not a positive duration: expected a number; use Go syntax such as 30s, 5m or 1h30m']);
    expect(timeoutIssues('0s')).toEqual(['"0s" is not a positive duration: it is zero; use Go syntax such as 30s, 5m or 1h30m']);
    expect(timeoutIssues('2d')).toEqual(['"2d" is not a positive duration: unknown unit "d"; use Go syntax such as 30s, 5m or 1h30m']);
    expect(timeoutIssues('90s')).toBeUndefined();
    const h = await createHarness(disposer);
    expect((await errorOf(h.run(httpStep, { url: 'ftp://example.com/x' }))).message).toBe(
      'URL scheme "ftp:" is not supported; use http or https',
    );
  });

  it('reads the body from a workspace file, refusing files outside it', async () => {
    server.handler = () => ({ status: 204 });
    const h = await createHarness(disposer);
    fs.writeFileSync(h.workspace.resolve('body.json'), '{"x":1}');
    await h.run(httpStep, { url: server.url, method: 'PUT', bodyFromFile: 'body.json' });
    expect(server.requests[0]?.body).toBe('{"x":1}');
    expect((await errorOf(h.run(httpStep, { url: server.url, bodyFromFile: '../../etc/passwd' }))).code).toBe('PathEscape');
  });
});

describe('http-download', () => {
  it('downloads into the workspace, replacing a file only with allowOverwrite', async () => {
    server.handler = (req) => ({ body: `content of ${req.url}` });
    const h = await createHarness(disposer);
    await h.run(httpDownload, { url: `${server.url}/chart.tgz`, outPath: 'dl/chart.tgz', queryParams: [{ name: 'v', value: '1' }] });
    expect(fs.readFileSync(h.workspace.resolve('dl/chart.tgz'), 'utf8')).toBe('content of /chart.tgz?v=1');
    const err = await errorOf(h.run(httpDownload, { url: `${server.url}/chart.tgz`, outPath: 'dl/chart.tgz' }));
    expect(err.message).toBe('file "dl/chart.tgz" already exists; set allowOverwrite: true to replace it');
    await h.run(httpDownload, { url: `${server.url}/other`, outPath: 'dl/chart.tgz', allowOverwrite: true });
    expect(fs.readFileSync(h.workspace.resolve('dl/chart.tgz'), 'utf8')).toBe('content of /other');
  });

  it('fails on 404 for good, and errors (retryably) on 500', async () => {
    const h = await createHarness(disposer);
    server.handler = () => ({ status: 404 });
    const notFound = await errorOf(h.run(httpDownload, { url: `${server.url}/x`, outPath: 'x' }));
    expect(notFound).toMatchObject({ code: 'StepFailed', message: `download of ${server.url}/x answered with status 404` });
    server.handler = () => ({ status: 500 });
    const broken = await errorOf(h.run(httpDownload, { url: `${server.url}/x`, outPath: 'x' }));
    expect(broken.code).toBeUndefined();
    expect(fs.existsSync(h.workspace.resolve('x'))).toBe(false);
  });
});

describe('send-message', () => {
  it('posts to a Slack incoming webhook whose URL comes from a secret', async () => {
    server.handler = () => ({ body: 'ok', headers: { 'content-type': 'text/plain' } });
    const h = await createHarness(disposer, { credentials: new SecretStore({ slack: { webhookURL: `${server.url}/services/T/B/X` } }) });
    const res = await h.run(sendMessage, { message: 'Promoted wonky-wombat to dev', slack: { secret: 'slack', channel: '#deploys' } });
    expect(res).toEqual({ status: 'Succeeded', output: { status: 200 } });
    expect(server.requests[0]?.url).toBe('/services/T/B/X');
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ text: 'Promoted wonky-wombat to dev', channel: '#deploys' });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('posts a generic JSON webhook, by default with the promotion details', async () => {
    server.handler = () => ({ status: 202 });
    const h = await createHarness(disposer);
    await h.run(sendMessage, { message: 'done', webhook: { url: `${server.url}/hook`, headers: [{ name: 'X-Token', value: 'abc' }] } }, {
      targetFreight: { name: 'f1', alias: 'wonky-wombat', origin: { kind: 'Warehouse', name: 'guestbook' } },
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      message: 'done',
      project: 'guestbook',
      stage: 'dev',
      promotion: h.ctx().promotion,
      freight: 'f1',
      freightAlias: 'wonky-wombat',
    });
    expect(server.requests[0]?.headers['x-token']).toBe('abc');
    await h.run(sendMessage, { webhook: { url: `${server.url}/hook`, body: { custom: [1, 2] } } });
    expect(JSON.parse(server.requests[1]!.body)).toEqual({ custom: [1, 2] });
  });

  it('fails for good on 4xx without showing the secret URL, and refuses bad config', async () => {
    server.handler = () => ({ status: 403, body: 'invalid_token', headers: { 'content-type': 'text/plain' } });
    const h = await createHarness(disposer, { credentials: new SecretStore({ slack: { webhookURL: `${server.url}/services/SECRET` } }) });
    const err = await errorOf(h.run(sendMessage, { message: 'x', slack: { secret: 'slack' } }));
    expect(err).toMatchObject({ code: 'StepFailed', message: 'Slack answered with status 403: invalid_token' });
    const missing = await errorOf(h.run(sendMessage, { message: 'x', slack: { secret: 'nope' } }));
    expect(missing.message).toBe('secret "nope" has no "webhookURL" key');
    expect(() => sendMessage.config.parse({ message: 'x' })).toThrow(/set exactly one of slack or webhook/);
    expect(() => sendMessage.config.parse({ message: 'x', slack: { webhookURL: 'a', secret: 'b' } })).toThrow(/exactly one of webhookURL or secret/);
    expect(() => sendMessage.config.parse({ slack: { webhookURL: 'a' } })).toThrow(/required for slack unless blocks are given/);
  });
});

describe('compose-output and fail', () => {
  it('compose-output returns its config as its output', async () => {
    const h = await createHarness(disposer);
    expect(await h.run(composeOutput, { prURL: 'https://x/1', count: 2, nested: { a: [1] } })).toEqual({
      status: 'Succeeded',
      output: { prURL: 'https://x/1', count: 2, nested: { a: [1] } },
    });
  });

  it('fail always fails with its message', async () => {
    const h = await createHarness(disposer);
    expect(await errorOf(h.run(fail, { message: 'freight is not approved for prod' }))).toMatchObject({
      code: 'StepFailed',
      message: 'freight is not approved for prod',
    });
    expect((await errorOf(h.run(fail, {}))).message).toBe('the fail step failed the promotion');
  });
});
