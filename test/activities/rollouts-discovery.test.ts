/**
 * Whether the worker's cluster runs Argo Rollouts, asked through API discovery of the fake API
 * server: with Rollouts, with Argo CD only (no AnalysisRun resource), with neither; and what
 * creating an AnalysisRun in a cluster without Rollouts says.
 */
import { createAnalysisRun } from '../../activities/adapters/kubernetes/analysis-run.js';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { servesAnalysisRuns } from '../../activities/adapters/kubernetes/rollouts-discovery.js';
import { createVerificationActivities } from '../../activities/verification/index.js';
import { FakeKubeServer, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

const clusters: FakeCluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.stop()));
});
async function cluster(rollouts: boolean): Promise<FakeCluster> {
  const c = await startFakeCluster({ rollouts });
  clusters.push(c);
  return c;
}

describe('analysisBackend', () => {
  it('is Argo Rollouts when the cluster serves AnalysisRuns', async () => {
    const c = await cluster(true);
    expect(await servesAnalysisRuns(c.clients)).toBe(true);
    await expect(createVerificationActivities({ cluster: c.clients }).analysisBackend()).resolves.toEqual({ runner: 'argo-rollouts' });
    expect(c.server.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /apis/argoproj.io/v1alpha1');
  });

  it('is Shunt, because of no-rollouts, in a cluster with Argo CD but no AnalysisRun resource', async () => {
    const c = await cluster(false);
    await expect(createVerificationActivities({ cluster: c.clients }).analysisBackend()).resolves.toEqual({ runner: 'shunt', reason: 'no-rollouts' });
  });

  it('is Shunt, because of no-rollouts, in a cluster that serves no argoproj.io group at all (404)', async () => {
    const server = await new FakeKubeServer({ unserved: ['applications', 'analysisruns', 'analysistemplates'] }).start();
    try {
      expect(await servesAnalysisRuns(createKubeClients({ mode: 'explicit', server: server.url }))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('is Shunt, because of no-cluster, when the worker has no Kubernetes connection', async () => {
    await expect(createVerificationActivities({}).analysisBackend()).resolves.toEqual({ runner: 'shunt', reason: 'no-cluster' });
  });

  it('fails, not retried, naming the refused credentials, when the API server refuses the worker', async () => {
    const c = await cluster(true);
    const clients = createKubeClients({ mode: 'explicit', server: c.server.url, token: 'wrong' });
    await expect(createVerificationActivities({ cluster: clients }).analysisBackend()).rejects.toMatchObject({
      type: 'FailedPrecondition',
      nonRetryable: true,
      message: expect.stringContaining('asking the API server whether it serves AnalysisRuns (argoproj.io/v1alpha1)'),
    });
  });
});

describe('createAnalysisRun in a cluster without Argo Rollouts', () => {
  it('says Argo Rollouts is not installed (the 404 is for the resource, not the namespace)', async () => {
    const c = await cluster(false);
    await expect(
      createAnalysisRun(c.clients, {
        namespace: 'demo',
        name: 'dev.01.abc',
        templates: [{ metadata: { name: 't' }, spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://x' } } }] } }],
        args: [],
      }),
    ).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: `creating AnalysisRun "dev.01.abc" in namespace "demo": the Kubernetes API server ${c.server.url} has no AnalysisRun resource (argoproj.io/v1alpha1): Argo Rollouts is not installed in the cluster`,
    });
  });
});
