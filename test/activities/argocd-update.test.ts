/**
 * argocd-update against the fake Kubernetes API server and its Argo CD-like controller, through
 * the real @kubernetes/client-node.
 */
import type { StepContext } from '../../activities/steps/step.js';
import { argocdUpdate } from '../../activities/steps/argocd-update.js';
import { KubernetesArgoCDClient } from '../../activities/adapters/kubernetes/argocd-applications.js';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { Disposer } from '../support/git-repos.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { createHarness, PROMOTION, type Harness } from './harness.js';

const disposer = new Disposer();
let cluster: FakeCluster;
let h: Harness;
let argocd: KubernetesArgoCDClient;

const REPO = 'https://github.com/example/gitops.git';
const REV = '0123456789abcdef0123456789abcdef01234567';

function ctx(extra: Partial<StepContext> = {}): Partial<StepContext> {
  return { argocd, argocdWaitMs: 30_000, ...extra };
}

function app(name: string) {
  const a = cluster.server.get('applications', 'argocd', name);
  if (!a) throw new Error(`no app ${name}`);
  return a as unknown as {
    metadata: { annotations?: Record<string, string>; resourceVersion: string };
    spec: { source: Record<string, unknown> };
    status: Record<string, any>;
    operation?: unknown;
  };
}

beforeEach(async () => {
  cluster = await startFakeCluster();
  argocd = new KubernetesArgoCDClient(cluster.clients);
  h = await createHarness(disposer);
});

afterEach(async () => {
  await cluster.stop();
  await disposer.dispose();
});

describe('argocd-update', () => {
  it('updates the source, syncs the promoted revision and succeeds once Argo CD reports Synced and Healthy', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    const config = {
      apps: [
        {
          name: 'guestbook-dev',
          sources: [
            {
              repoURL: 'https://github.com/example/gitops',
              desiredRevision: REV,
              updateTargetRevision: true,
              kustomize: { images: [{ repoURL: 'ghcr.io/example/guestbook', tag: '1.2.3' }] },
              helm: { images: [{ key: 'image.tag', value: '1.2.3' }] },
            },
          ],
        },
      ],
    };

    const result = await h.run(argocdUpdate, config, ctx());

    expect(result).toEqual({ status: 'Succeeded', output: { apps: [{ name: 'guestbook-dev', namespace: 'argocd' }] } });
    const a = app('guestbook-dev');
    expect(a.spec.source).toMatchObject({
      repoURL: REPO,
      targetRevision: REV,
      kustomize: { images: ['ghcr.io/example/guestbook:1.2.3'] },
      helm: { parameters: [{ name: 'image.tag', value: '1.2.3' }] },
    });
    expect(a.status['operationState']).toMatchObject({ phase: 'Succeeded', syncResult: { revision: REV } });
    expect(a.status['sync']).toMatchObject({ status: 'Synced', revision: REV });
    expect(a.status['health']).toEqual({ status: 'Healthy' });
    expect(cluster.argocd.operations).toHaveLength(1);
    expect(cluster.argocd.operations[0]!.operation).toMatchObject({
      initiatedBy: { username: 'shunt', automated: true },
      info: expect.arrayContaining([{ name: 'kargo.akuity.io/promotion', value: PROMOTION }]),
      sync: { revision: REV },
    });
    // The wait was a watch from the listed resourceVersion, not polling.
    const watches = cluster.server.watchRequests('applications');
    expect(watches.length).toBeGreaterThanOrEqual(1);
    expect(watches[0]!.query).toMatchObject({ watch: 'true', fieldSelector: 'metadata.name=guestbook-dev' });
    expect(watches[0]!.query['resourceVersion']).toMatch(/^\d+$/);

    // Run again (a retried activity): the finished sync is recognised, none is started.
    const again = await h.run(argocdUpdate, config, ctx());
    expect(again.status).toBe('Succeeded');
    expect(cluster.argocd.operations).toHaveLength(1);
  });

  it('syncs a multi-source app with one revision per source (Argo CD ignores a shorter list)', async () => {
    const config2 = 'https://github.com/example/config.git';
    cluster.server.apply(
      anApplication({
        name: 'guestbook-multi',
        sources: [
          { repoURL: REPO, path: 'env/dev', targetRevision: 'main' },
          { repoURL: config2, path: 'settings', targetRevision: 'v2' },
        ],
      }),
    );
    const result = await h.run(argocdUpdate, { apps: [{ name: 'guestbook-multi', sources: [{ repoURL: REPO, desiredRevision: REV }] }] }, ctx());
    expect(result.status).toBe('Succeeded');
    expect(cluster.argocd.operations[0]!.operation['sync']).toEqual({ revisions: [REV, 'v2'] });
    expect(app('guestbook-multi').status['operationState']).toMatchObject({ phase: 'Succeeded', syncResult: { revisions: [REV, 'v2'] } });
  });

  it('fails with Argo CD’s own message when the sync operation fails', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    cluster.argocd.behave('argocd', 'guestbook-dev', {
      fail: 'one or more objects failed to apply, reason: Deployment.apps "guestbook" is invalid',
    });
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message:
        'Argo CD Application "guestbook-dev" in namespace "argocd": sync operation Failed: one or more objects failed to apply, reason: Deployment.apps "guestbook" is invalid',
    });
  });

  it('fails when the app goes Degraded after the sync, with Argo CD’s health message', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    cluster.argocd.behave('argocd', 'guestbook-dev', { degrade: 'Deployment "guestbook" exceeded its progress deadline' });
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message:
        'Argo CD Application "guestbook-dev" in namespace "argocd" is Degraded after the sync: Deployment "guestbook" exceeded its progress deadline',
    });
  });

  it.each([
    ['no annotation', null, 'kargo.akuity.io/authorized-stage', 'it has no kargo.akuity.io/authorized-stage annotation'],
    ['another stage', 'guestbook:prod', 'kargo.akuity.io/authorized-stage', 'names "guestbook:prod"'],
    ['another project', 'other:dev', 'shunt.dev/authorized-stage', 'names "other:dev"'],
    ['a glob', 'guestbook:*', 'kargo.akuity.io/authorized-stage', 'uses a glob'],
  ])('refuses an Application authorized for %s and changes nothing', async (_case, stage, key, message) => {
    const before = cluster.server.apply(anApplication({ name: 'guestbook-dev', authorizedStage: stage, annotationKey: key }));
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining(message),
    });
    expect(app('guestbook-dev').metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(cluster.argocd.operations).toHaveLength(0);
  });

  it('accepts shunt.dev/authorized-stage and a comma-separated list', async () => {
    cluster.server.apply(
      anApplication({ name: 'guestbook-dev', authorizedStage: 'guestbook:qa, guestbook:dev', annotationKey: 'shunt.dev/authorized-stage' }),
    );
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).resolves.toMatchObject({ status: 'Succeeded' });
  });

  it('redoes its write on a fresh read when it meets a concurrent change (409)', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    cluster.server.interfereWithUpdates('applications', 'argocd', 'guestbook-dev', 2);
    const result = await h.run(
      argocdUpdate,
      { apps: [{ name: 'guestbook-dev', sources: [{ repoURL: REPO, desiredRevision: REV, updateTargetRevision: true }] }] },
      ctx(),
    );
    expect(result.status).toBe('Succeeded');
    const puts = cluster.server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/applications/guestbook-dev'));
    expect(puts).toHaveLength(3);
    const a = app('guestbook-dev');
    expect(a.metadata.annotations?.['fake-kube/concurrent-writer']).toBe('1');
    expect(a.spec.source['targetRevision']).toBe(REV);
    expect(cluster.argocd.operations).toHaveLength(1);
  });

  it('reports Running with what it waits for when the sync does not finish within the run’s wait', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    cluster.argocd.behave('argocd', 'guestbook-dev', { hang: true });
    const result = await h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx({ argocdWaitMs: 500 }));
    expect(result).toMatchObject({ status: 'Running', retryAfter: '1s' });
    expect(result.message).toMatch(/guestbook-dev.*(sync operation Running|sync requested)/);
    // The next round follows the same operation instead of starting another.
    const next = await h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx({ argocdWaitMs: 200 }));
    expect(next.status).toBe('Running');
    expect(cluster.argocd.operations).toHaveLength(1);
  });

  it('waits for an operation someone else started before starting its own', async () => {
    const seeded = anApplication({ name: 'guestbook-dev' });
    (seeded['status'] as Record<string, unknown>)['operationState'] = {
      phase: 'Running',
      operation: { initiatedBy: { username: 'alice' }, sync: {} },
      startedAt: new Date().toISOString(),
    };
    cluster.server.apply(seeded);
    const result = await h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx({ argocdWaitMs: 300 }));
    expect(result).toMatchObject({ status: 'Running' });
    expect(result.message).toContain('initiated by alice');
    expect(cluster.argocd.operations).toHaveLength(0);
  });

  it('selects Applications by label and updates them all', async () => {
    cluster.server.apply(anApplication({ name: 'a', labels: { team: 'web' } }));
    cluster.server.apply(anApplication({ name: 'b', labels: { team: 'web' } }));
    cluster.server.apply(anApplication({ name: 'c', labels: { team: 'db' } }));
    const result = await h.run(argocdUpdate, { apps: [{ selector: { matchLabels: { team: 'web' } } }] }, ctx());
    expect(result.output).toEqual({ apps: [{ name: 'a', namespace: 'argocd' }, { name: 'b', namespace: 'argocd' }] });
    expect(cluster.argocd.operations.map((o) => o.name).sort()).toEqual(['a', 'b']);
  });

  it('selects Applications by matchExpressions (In, NotIn, Exists, DoesNotExist), ANDed with matchLabels', async () => {
    cluster.server.apply(anApplication({ name: 'a', labels: { team: 'web', tier: 'front' } }));
    cluster.server.apply(anApplication({ name: 'b', labels: { team: 'web', tier: 'back', legacy: 'yes' } }));
    cluster.server.apply(anApplication({ name: 'c', labels: { team: 'web', tier: 'db' } }));
    cluster.server.apply(anApplication({ name: 'd', labels: { team: 'ops', tier: 'front' } }));
    cluster.server.apply(anApplication({ name: 'e', labels: { tier: 'front' } }));
    const selector = {
      matchLabels: { team: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'back'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    const result = await h.run(argocdUpdate, { apps: [{ selector }] }, ctx());
    expect(result.output).toEqual({ apps: [{ name: 'a', namespace: 'argocd' }] });
    const others = { matchExpressions: [{ key: 'team', operator: 'Exists' }, { key: 'tier', operator: 'NotIn', values: ['front', 'back'] }] };
    const second = await h.run(argocdUpdate, { apps: [{ selector: others }] }, ctx());
    expect(second.output).toEqual({ apps: [{ name: 'c', namespace: 'argocd' }] });
    expect(cluster.argocd.operations.map((o) => o.name).sort()).toEqual(['a', 'c']);
  });

  it('fails naming the selector when no Application matches it', async () => {
    cluster.server.apply(anApplication({ name: 'a', labels: { tier: 'front' } }));
    await expect(
      h.run(argocdUpdate, { apps: [{ selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] } }] }, ctx()),
    ).rejects.toMatchObject({
      code: 'StepFailed',
      message: 'no Argo CD Application in namespace "argocd" matches the selector tier notin (front)',
    });
    expect(cluster.argocd.operations).toHaveLength(0);
  });

  it('changes no app when one source update matches no source of one of them', async () => {
    cluster.server.apply(anApplication({ name: 'a' }));
    cluster.server.apply(anApplication({ name: 'b', repoURL: 'https://github.com/example/other.git' }));
    await expect(
      h.run(argocdUpdate, { apps: [{ name: 'a', sources: [{ repoURL: REPO }] }, { name: 'b', sources: [{ repoURL: REPO }] }] }, ctx()),
    ).rejects.toMatchObject({
      code: 'StepFailed',
      message: `no source of Argo CD Application "b" in namespace "argocd" matched the update for repoURL ${REPO}`,
    });
    expect(cluster.argocd.operations).toHaveLength(0);
  });

  describe('bad input', () => {
    it('a missing Application: StepFailed naming it and its namespace', async () => {
      await expect(h.run(argocdUpdate, { apps: [{ name: 'nope', namespace: 'apps' }] }, ctx())).rejects.toMatchObject({
        code: 'StepFailed',
        message: 'Argo CD Application "nope" not found in namespace "apps"',
      });
    });

    it('an unreachable API server: the step runs again (Running), naming the server, not an error', async () => {
      const url = cluster.server.url;
      await cluster.stop();
      const unreachable = new KubernetesArgoCDClient(createKubeClients({ mode: 'explicit', server: url, token: 't' }));
      await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx({ argocd: unreachable }))).resolves.toMatchObject({
        status: 'Running',
        message: expect.stringMatching(new RegExp(`the Kubernetes API server ${url.replace(/[.:/]/g, '\\$&')} cannot be reached \\(ECONNREFUSED\\); trying again`)),
      });
      cluster = await startFakeCluster(); // afterEach stops it
    });

    it('a refused token: FailedPrecondition saying the credentials were refused', async () => {
      const wrong = new KubernetesArgoCDClient(createKubeClients({ mode: 'explicit', server: cluster.server.url, token: 'wrong' }));
      await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx({ argocd: wrong }))).rejects.toMatchObject({
        code: 'FailedPrecondition',
        message: expect.stringContaining('(HTTP 401 Unauthorized) (the Kubernetes credentials were refused'),
      });
    });

    it('no Argo CD connection on the worker: FailedPrecondition saying how to configure one', async () => {
      await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] })).rejects.toMatchObject({
        code: 'FailedPrecondition',
        message: expect.stringContaining('set KUBECONFIG, or set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN'),
      });
    });

    it.each([
      [{ apps: [] }, 'apps'],
      [{ apps: [{ name: 'a', selector: { matchLabels: {} } }] }, 'exactly one of name or selector is required'],
      [{ apps: [{}] }, 'exactly one of name or selector is required'],
      [{ apps: [{ name: 'a', sources: [{ repoURL: REPO, updateTargetRevision: true }] }] }, 'updateTargetRevision needs desiredRevision'],
      [{ apps: [{ name: 'a', sources: [{ repoURL: REPO, kustomize: { images: [{ repoURL: 'x' }] } }] }] }, 'tag or digest is required'],
      [{ apps: [{ name: 'a', bogus: 1 }] }, 'bogus'],
      [{ apps: [{ selector: {} }] }, 'selector must have at least one match criterion (matchLabels or matchExpressions)'],
      [{ apps: [{ selector: { matchLabels: {}, matchExpressions: [] } }] }, 'selector must have at least one match criterion'],
      [{ apps: [{ selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } }] }, 'for operator In, values must not be empty'],
      [{ apps: [{ selector: { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] } }] }, 'for operator Exists, values must be empty'],
      [{ apps: [{ selector: { matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] } }] }, 'operator'],
      [{ apps: [{ selector: { matchExpressions: [{ key: 'bad key', operator: 'Exists' }] } }] }, 'invalid label key'],
    ])('a bad config %j: a schema error mentioning %s', (config, problem) => {
      const parsed = argocdUpdate.config.safeParse(config);
      expect(parsed.success).toBe(false);
      expect(JSON.stringify(parsed.error?.issues)).toContain(problem);
    });
  });
});
