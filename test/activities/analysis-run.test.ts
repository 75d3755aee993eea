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
import { EmptyCredentialStore, type CredentialStore, type ProjectCredentials } from '../../activities/adapters/credentials.js';
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
    // The fake controller sets Running shortly after creation: let it stay there, and write the
    // results after that (written before, they were overwritten when the machine was slow).
    cluster.rollouts.defaultOutcome = { phase: 'Running' };
    await createAnalysisRun(cluster.clients, request('counted'));
    await phase('counted', 'Running');
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

  /** One project's store: a Secret and a ConfigMap of project guestbook, nothing for other projects. */
  class GuestbookStore implements ProjectCredentials {
    asked: string[] = [];
    forProject(project: string): CredentialStore {
      this.asked.push(project);
      if (project !== 'guestbook') return new EmptyCredentialStore();
      return Object.assign(new EmptyCredentialStore(), {
        secret: async (name: string): Promise<Record<string, string>> => (name === 'smoke-token' ? { token: 's3cr3t-token' } : {}),
        configMap: async (name: string): Promise<Record<string, string>> => (name === 'settings' ? { threshold: '250' } : {}),
      });
    }
  }

  const freight = {
    id: 'c0ffee',
    items: {
      'Warehouse/guestbook': {
        name: 'f1',
        alias: 'frozen-fox',
        origin: { kind: 'Warehouse' as const, name: 'guestbook' },
        commits: [{ repoURL: 'https://github.com/example/guestbook.git', id: 'abc123' }],
        images: [{ repoURL: 'ghcr.io/example/guestbook', tag: '1.4.0' }],
        charts: [],
      },
    },
  };

  it("puts analysisRunMetadata's labels and annotations on the run, Kargo's stage label over them", async () => {
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: new EmptyCredentialStore(), kube: cluster.clients });
    await acts.createAnalysisRun({
      ...request('meta-1'),
      labels: { team: 'web', 'kargo.akuity.io/stage': 'dev' },
      annotations: { 'example.com/owner': 'alice' },
    });
    const run = cluster.server.get('analysisruns', 'guestbook', 'meta-1')!;
    expect(run['metadata']).toMatchObject({ labels: { team: 'web', 'kargo.akuity.io/stage': 'dev' }, annotations: { 'example.com/owner': 'alice' } });
  });

  it('evaluates ${{ }} in the args in the activity, with ctx, the stage vars, the freight and the project data', async () => {
    const store = new GuestbookStore();
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: store, kube: cluster.clients });
    await acts.createAnalysisRun({
      ...request('expr-1'),
      templates: [template('smoke', 'http-ok', [{ name: 'service' }, { name: 'commit' }, { name: 'token' }, { name: 'threshold' }, { name: 'tag' }])],
      args: [
        { name: 'service', value: '${{ ctx.project }}-${{ ctx.stage }}' },
        { name: 'commit', value: '${{ commitFrom("https://github.com/example/guestbook").ID }}' },
        { name: 'token', value: "${{ secret('smoke-token').token }}" },
        { name: 'threshold', value: "${{ quote(configMap('settings').threshold) }}" },
        { name: 'tag', value: '${{ vars.prefix }}${{ imageFrom("ghcr.io/example/guestbook").Tag }}' },
      ],
      argEnv: { project: 'guestbook', stage: 'dev', vars: [{ name: 'prefix', value: 'v' }], freight, requestedOrigins: ['guestbook'] },
    });
    const spec = cluster.server.get('analysisruns', 'guestbook', 'expr-1')!['spec'] as { args: unknown[] };
    expect(spec.args).toEqual([
      { name: 'service', value: 'guestbook-dev' },
      { name: 'commit', value: 'abc123' },
      { name: 'token', value: 's3cr3t-token' },
      { name: 'threshold', value: '250' },
      { name: 'tag', value: 'v1.4.0' },
    ]);
    expect(new Set(store.asked)).toEqual(new Set(['guestbook']));
  });

  it('an arg expression that is not a string: InvalidExpression, not retried, naming the arg; nothing is created', async () => {
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: new EmptyCredentialStore(), kube: cluster.clients });
    await expect(
      acts.createAnalysisRun({
        ...request('expr-bad'),
        args: [{ name: 'service', value: '${{ 40 + 2 }}' }],
        argEnv: { project: 'guestbook', stage: 'dev' },
      }),
    ).rejects.toMatchObject({
      type: 'InvalidExpression',
      nonRetryable: true,
      message: 'verification args[0] "service": the value is not a string but int; use quote(…) to make it one',
    });
    expect(cluster.server.get('analysisruns', 'guestbook', 'expr-bad')).toBeUndefined();
  });

  it('a failing arg expression that read a Secret: the error never shows the secret value', async () => {
    const acts = createActivities({ dataDir: await tempDir(disposer), workerQueue: 'q', credentials: new GuestbookStore(), kube: cluster.clients });
    const failure = await acts
      .createAnalysisRun({
        ...request('expr-secret'),
        args: [{ name: 'service', value: "${{ secret('smoke-token').token + 1 }}" }],
        argEnv: { project: 'guestbook', stage: 'dev' },
      })
      .then(
        () => undefined,
        (err: unknown) => err as Error,
      );
    expect(failure?.message).toContain('verification args[0] "service"');
    expect(failure?.message).not.toContain('s3cr3t-token');
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
