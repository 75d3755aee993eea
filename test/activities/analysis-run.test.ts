/**
 * The AnalysisRun functions verification uses in cluster mode, against the fake API server and
 * its Argo Rollouts-like controller.
 */
import {
  buildAnalysisRun,
  createAnalysisRun,
  deleteAnalysisRun,
  readAnalysisRunPhase,
  type AnalysisRunRequest,
} from '../../activities/adapters/kubernetes/analysis-run.js';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { EmptyCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities } from '../../activities/index.js';
import { eventually } from '../support/poll.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await startFakeCluster();
});
afterEach(() => cluster.stop());

const template = (name: string, metric: string, args: Array<Record<string, unknown>>) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name, namespace: 'guestbook' },
  spec: { args, metrics: [{ name: metric, provider: { web: { url: 'http://x/{{args.service}}' } }, successCondition: 'result == true' }] },
});

const request = (name: string): AnalysisRunRequest => ({
  namespace: 'guestbook',
  name,
  templates: [template('smoke', 'http-ok', [{ name: 'service' }]), template('latency', 'p95', [{ name: 'service' }, { name: 'threshold', value: '200' }])],
  args: [{ name: 'service', value: 'guestbook-dev' }],
  labels: { 'kargo.akuity.io/stage': 'dev' },
});

const phase = (name: string, want: string) =>
  eventually(async () => {
    const p = await readAnalysisRunPhase(cluster.clients, 'guestbook', name);
    return p.phase === want ? p : undefined;
  }, `AnalysisRun ${name} to be ${want}`, 20_000);

describe('AnalysisRuns', () => {
  it('reads the metrics’ results as Argo Rollouts writes them (status.metricResults)', async () => {
    await createAnalysisRun(cluster.clients, request('counted'));
    const run = cluster.server.store.get('analysisruns', 'guestbook', 'counted')!;
    run['status'] = {
      phase: 'Successful',
      metricResults: [
        {
          name: 'http-ok',
          phase: 'Successful',
          count: 2,
          successful: 2,
          measurements: [
            { phase: 'Successful', value: 'true', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' },
            { phase: 'Successful', value: 'true', startedAt: '2026-01-01T00:00:05Z', finishedAt: '2026-01-01T00:00:06Z' },
          ],
        },
      ],
    };
    cluster.server.store.write('analysisruns', 'guestbook', run);
    expect(await readAnalysisRunPhase(cluster.clients, 'guestbook', 'counted')).toEqual({
      phase: 'Successful',
      metrics: [
        {
          name: 'http-ok',
          phase: 'Successful',
          count: 2,
          successful: 2,
          failed: 0,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
          measurements: [
            { phase: 'Successful', value: 'true', finishedAt: '2026-01-01T00:00:01Z' },
            { phase: 'Successful', value: 'true', finishedAt: '2026-01-01T00:00:06Z' },
          ],
        },
      ],
    });
  });

  it('builds the run from the templates: metrics together, args merged with the given values', () => {
    expect(buildAnalysisRun(request('r1'))).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'r1', namespace: 'guestbook', labels: { 'kargo.akuity.io/stage': 'dev' } },
      spec: {
        metrics: [expect.objectContaining({ name: 'http-ok' }), expect.objectContaining({ name: 'p95' })],
        args: [
          { name: 'service', value: 'guestbook-dev' },
          { name: 'threshold', value: '200' },
        ],
      },
    });
  });

  it('creates a run, follows it to Successful as Argo Rollouts reports it, and creating again is fine', async () => {
    await createAnalysisRun(cluster.clients, request('r1'));
    await createAnalysisRun(cluster.clients, request('r1'));
    await expect(phase('r1', 'Successful')).resolves.toEqual({ phase: 'Successful' });
    await deleteAnalysisRun(cluster.clients, 'guestbook', 'r1');
    await deleteAnalysisRun(cluster.clients, 'guestbook', 'r1');
    expect(cluster.server.get('analysisruns', 'guestbook', 'r1')).toBeUndefined();
  });

  it.each([
    ['Failed', 'Metric "http-ok" assessed Failed due to failed (1) > failureLimit (0)'],
    ['Error', 'Metric "p95" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)'],
    ['Inconclusive', 'Metric "p95" assessed Inconclusive'],
  ])('reports %s with Rollouts’ message', async (p, message) => {
    cluster.rollouts.decide('guestbook', 'r2', { phase: p as 'Failed', message });
    await createAnalysisRun(cluster.clients, request('r2'));
    await expect(phase('r2', p)).resolves.toEqual({ phase: p, message });
  });

  it('reads Running while Rollouts has not decided', async () => {
    cluster.rollouts.defaultOutcome = { phase: 'Running' };
    await createAnalysisRun(cluster.clients, request('r3'));
    await expect(phase('r3', 'Running')).resolves.toEqual({ phase: 'Running' });
  });

  describe('bad input', () => {
    it('an argument no template declares: BadRequest naming it', () => {
      expect(() => buildAnalysisRun({ ...request('x'), args: [{ name: 'nope', value: '1' }] })).toThrow(
        'verification argument "nope" is not declared by any of the AnalysisTemplates',
      );
    });
    it('an argument left without a value: BadRequest naming it', () => {
      expect(() => buildAnalysisRun({ ...request('x'), args: [] })).toThrow('AnalysisTemplate argument "service" has no value');
    });
    it('a template without metrics: BadRequest naming it', () => {
      expect(() => buildAnalysisRun({ ...request('x'), templates: [{ metadata: { name: 'empty' }, spec: {} }] })).toThrow(
        'AnalysisTemplate empty has no spec.metrics',
      );
    });
    it('reading a run that does not exist: NotFound', async () => {
      await expect(readAnalysisRunPhase(cluster.clients, 'guestbook', 'ghost')).rejects.toMatchObject({
        code: 'NotFound',
        message: 'AnalysisRun "ghost" in namespace "guestbook" not found',
      });
    });
    it('an unreachable API server: Unavailable', async () => {
      const url = cluster.server.url;
      await cluster.stop();
      const clients = createKubeClients({ mode: 'explicit', server: url, token: 't' });
      await expect(createAnalysisRun(clients, request('x'))).rejects.toMatchObject({
        code: 'Unavailable',
        message: `creating AnalysisRun "x" in namespace "guestbook": the Kubernetes API server ${url} cannot be reached (ECONNREFUSED)`,
      });
      cluster = await startFakeCluster(); // afterEach stops it
    });
  });
});

describe('AnalysisRun activities', () => {
  const disposer = new Disposer();
  afterEach(() => disposer.dispose());

  it('create, read and delete through the worker’s activities', async () => {
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: new EmptyCredentialStore(), kube: cluster.clients });
    await acts.createAnalysisRun(request('act-1'));
    await expect(phase('act-1', 'Successful')).resolves.toEqual({ phase: 'Successful' });
    await expect(acts.readAnalysisRunPhase({ namespace: 'guestbook', name: 'act-1' })).resolves.toEqual({ phase: 'Successful' });
    await acts.deleteAnalysisRun({ namespace: 'guestbook', name: 'act-1' });
    expect(cluster.server.get('analysisruns', 'guestbook', 'act-1')).toBeUndefined();
  });

  it('a worker without a cluster: a FailedPrecondition failure, not retried, saying how to connect one', async () => {
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: new EmptyCredentialStore() });
    await expect(acts.createAnalysisRun(request('x'))).rejects.toMatchObject({
      type: 'FailedPrecondition',
      nonRetryable: true,
      message: expect.stringContaining('this worker has no Kubernetes connection: run it in the cluster or set KUBECONFIG'),
    });
  });
});
