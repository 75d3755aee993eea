import type { AnalysisMetric } from '../../../core/model.js';
import { analysisPlan, MEASURED_BY_SHUNT, providerOf, withNote, type AnalysisBackend } from '../../../core/verification/backend.js';

const web: AnalysisMetric = { name: 'healthy', provider: { web: { url: 'http://app/health' } } };
const prom: AnalysisMetric = { name: 'rate', provider: { prometheus: { address: 'http://prom', query: 'up' } } };
const job: AnalysisMetric = { name: 'smoke', provider: { job: { spec: {} } } };
const datadog: AnalysisMetric = { name: 'errors', provider: { datadog: { query: 'x' } } };

const rollouts: AnalysisBackend = { runner: 'argo-rollouts' };
const noRollouts: AnalysisBackend = { runner: 'shunt', reason: 'no-rollouts' };
const noCluster: AnalysisBackend = { runner: 'shunt', reason: 'no-cluster' };

describe('analysisPlan: who measures a verification', () => {
  it('leaves every provider to Argo Rollouts when the cluster has it', () => {
    expect(analysisPlan(rollouts, [web, job, datadog])).toEqual({ kind: 'cluster' });
  });

  it('measures web and prometheus itself in a cluster without Argo Rollouts, with a note saying so', () => {
    expect(analysisPlan(noRollouts, [web, prom])).toEqual({ kind: 'native', note: MEASURED_BY_SHUNT });
    expect(MEASURED_BY_SHUNT).toBe(
      'measured by Shunt: Argo Rollouts is not installed in the cluster (its API server has no AnalysisRun resource in argoproj.io/v1alpha1)',
    );
  });

  it('measures web and prometheus itself without a note when the worker has no cluster (the documented default)', () => {
    expect(analysisPlan(noCluster, [web, prom])).toEqual({ kind: 'native' });
  });

  it.each<[string, AnalysisBackend, AnalysisMetric[], string]>([
    [
      'one job metric, cluster without Argo Rollouts',
      noRollouts,
      [web, job],
      'metric "smoke" (provider job) needs Argo Rollouts, and Argo Rollouts is not installed in the cluster (its API server has no AnalysisRun resource in argoproj.io/v1alpha1): install Argo Rollouts there, or measure with the web or prometheus provider, which Shunt runs itself',
    ],
    [
      'two metrics, no cluster',
      noCluster,
      [job, prom, datadog],
      'metrics "smoke" (provider job), "errors" (provider datadog) need Argo Rollouts, and this worker has no Kubernetes connection (set KUBECONFIG, or run the worker in the cluster): install Argo Rollouts there, or measure with the web or prometheus provider, which Shunt runs itself',
    ],
    [
      'a metric without a provider',
      noRollouts,
      [{ name: 'bare', provider: {} }],
      expect.stringMatching(/^metric "bare" \(provider none\) needs Argo Rollouts, and Argo Rollouts is not installed/) as unknown as string,
    ],
  ])('refuses what only Argo Rollouts measures: %s', (_case, backend, metrics, message) => {
    expect(analysisPlan(backend, metrics)).toEqual({ kind: 'refused', message });
  });

  it('names a metric’s provider by its one key', () => {
    expect([web, prom, job].map(providerOf)).toEqual(['web', 'prometheus', 'job']);
  });
});

describe('withNote', () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    [undefined, undefined, undefined],
    ['soaked for 1h', undefined, 'soaked for 1h'],
    [undefined, 'measured by Shunt', 'measured by Shunt'],
    ['soaked for 1h', 'measured by Shunt', 'soaked for 1h; measured by Shunt'],
  ])('%s + %s → %s', (message, note, expected) => {
    expect(withNote(message, note)).toBe(expected);
  });
});
