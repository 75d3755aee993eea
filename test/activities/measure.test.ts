/**
 * One measurement of a web or prometheus metric against a real HTTP server of the test's own
 * (test/support/metrics-server.ts): what each provider asks, and what it makes of the answer.
 */
import { measure } from '../../activities/verification/measure.js';
import type { AnalysisMetric } from '../../core/model.js';
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js';

let server: MetricsServer;
beforeAll(async () => {
  server = await startMetricsServer();
});
afterAll(async () => server.close());

const web = (path: string, over: Partial<AnalysisMetric> = {}, extra: Record<string, unknown> = {}): AnalysisMetric => ({
  name: 'web',
  provider: { web: { url: `${server.url}${path}`, ...extra } },
  ...over,
});
const prom = (query: string, over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
  name: 'prom',
  provider: { prometheus: { address: server.url, query } },
  ...over,
});

describe('web provider', () => {
  it('picks the value by jsonPath and checks the success condition', async () => {
    server.setJson('/status', 200, { data: { ok: true, version: '1.2.3' } });
    const ok = await measure(web('/status', { successCondition: 'result == true' }, { jsonPath: '{$.data.ok}' }));
    expect(ok).toMatchObject({ phase: 'Successful', value: 'true' });
    const bad = await measure(web('/status', { successCondition: 'result == "2.0.0"' }, { jsonPath: '{$.data.version}' }));
    expect(bad).toMatchObject({ phase: 'Failed', value: '"1.2.3"' });
  });

  it('sends the method, headers and body the metric gives', async () => {
    server.setJson('/echo', 200, { fine: 1 });
    await measure(web('/echo', {}, { method: 'POST', headers: [{ key: 'X-Check', value: 'yes' }], body: '{"q":1}' }));
    const seen = server.requests.at(-1)!;
    expect(seen.line).toBe('POST /echo');
    expect(seen.headers['x-check']).toBe('yes');
    expect(seen.body).toBe('{"q":1}');
  });

  it.each<[string, () => AnalysisMetric, RegExp]>([
    ['a non-2xx answer', () => (server.setJson('/down', 503, { down: true }), web('/down')), /^received non 2xx response code: 503$/],
    ['an answer that is not JSON', () => (server.setJson('/text', 200, 'plain words'), web('/text')), /is not JSON$/],
    ['a path that is not in the answer', () => (server.setJson('/s', 200, { a: 1 }), web('/s', {}, { jsonPath: '{$.b}' })), /"b" not found/],
    ['an unreachable endpoint', () => ({ name: 'x', provider: { web: { url: 'http://127.0.0.1:9/none', timeoutSeconds: 2 } } }), /fetch failed|ECONNREFUSED/],
    ['a provider Shunt cannot run itself', () => ({ name: 'x', provider: { job: { spec: {} } } }), /^provider "job" can only run through Argo Rollouts in a cluster/],
  ])('makes %s an Error measurement', async (_, arrange, message) => {
    const m = await measure(arrange());
    expect(m.phase).toBe('Error');
    expect(m.message).toMatch(message);
  });
});

describe('prometheus provider', () => {
  it('queries /api/v1/query and hands the vector to the condition as numbers', async () => {
    server.setQuery('sum(rate(ok[5m]))/sum(rate(all[5m]))', [0.99]);
    const m = await measure(prom('sum(rate(ok[5m]))/sum(rate(all[5m]))', { successCondition: 'result[0] >= 0.95' }));
    expect(m).toMatchObject({ phase: 'Successful', value: '[0.99]' });
    expect(server.requests.at(-1)!.line).toBe('GET /api/v1/query?query=sum%28rate%28ok%5B5m%5D%29%29%2Fsum%28rate%28all%5B5m%5D%29%29');
  });

  it('fails a value under the threshold and is inconclusive between the conditions', async () => {
    server.setQuery('errors', [12]);
    expect((await measure(prom('errors', { successCondition: 'result[0] < 5' }))).phase).toBe('Failed');
    expect((await measure(prom('errors', { successCondition: 'result[0] < 5', failureCondition: 'result[0] > 50' }))).phase).toBe('Inconclusive');
  });

  it('makes an error answer, and a condition on an empty vector, Error measurements', async () => {
    server.setQuery('broken(', 'parse error at char 8');
    expect(await measure(prom('broken('))).toMatchObject({ phase: 'Error', message: 'Prometheus answered with an error: parse error at char 8' });
    server.setQuery('nothing', []);
    expect((await measure(prom('nothing', { successCondition: 'result[0] > 1' }))).phase).toBe('Error');
  });
});
