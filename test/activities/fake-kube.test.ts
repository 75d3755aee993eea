/**
 * The test API server itself, driven by the real @kubernetes/client-node: what it answers must be
 * what a real API server answers, or the other tests prove nothing.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { kubeStatusOf } from '../../activities/adapters/kubernetes/errors.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';

let cluster: FakeCluster;
const APP = { group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications' };

beforeEach(async () => {
  cluster = await startFakeCluster();
  cluster.argocd.stop(); // only the API server here
});
afterEach(() => cluster.stop());

async function statusOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return kubeStatusOf(err);
  }
  throw new Error('expected a failure');
}

describe('fake Kubernetes API server', () => {
  it('gets, lists by label and answers a missing object with a NotFound Status', async () => {
    cluster.server.apply(anApplication({ name: 'a', labels: { team: 'web' } }));
    cluster.server.apply(anApplication({ name: 'b', labels: { team: 'db' } }));
    const a = await cluster.clients.custom.getNamespacedCustomObject({ ...APP, name: 'a' });
    expect(a).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', resourceVersion: expect.any(String) } });
    const list = await cluster.clients.custom.listNamespacedCustomObject({ ...APP, labelSelector: 'team=web' });
    expect(list).toMatchObject({ kind: 'ApplicationList', metadata: { resourceVersion: expect.any(String) } });
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a']);
    expect(await statusOf(cluster.clients.custom.getNamespacedCustomObject({ ...APP, name: 'zz' }))).toEqual({
      code: 404,
      reason: 'NotFound',
      message: 'applications.argoproj.io "zz" not found',
    });
  });

  it('applies merge patch and JSON patch to custom resources and refuses strategic merge patch with 415', async () => {
    cluster.server.apply(anApplication({ name: 'a' }));
    await cluster.clients.custom.patchNamespacedCustomObject(
      { ...APP, name: 'a', body: { metadata: { labels: { x: '1' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cluster.clients.custom.patchNamespacedCustomObject(
      { ...APP, name: 'a', body: [{ op: 'replace', path: '/spec/source/targetRevision', value: 'v2' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const a = cluster.server.get('applications', 'argocd', 'a')!;
    expect(a.metadata.labels).toEqual({ x: '1' });
    expect((a['spec'] as { source: { targetRevision: string } }).source.targetRevision).toBe('v2');
    const refused = await statusOf(
      cluster.clients.custom.patchNamespacedCustomObject(
        { ...APP, name: 'a', body: { metadata: { labels: { y: '2' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(refused).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('applies strategic merge patch to Secrets, a built-in kind', async () => {
    cluster.server.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'p' }, data: { a: 'YQ==' } });
    await cluster.clients.core.patchNamespacedSecret(
      { name: 's', namespace: 'p', body: { data: { b: 'Yg==' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(cluster.server.get('secrets', 'p', 's')!['data']).toEqual({ a: 'YQ==', b: 'Yg==' });
  });

  it('refuses a put with a stale resourceVersion (409 Conflict) and one without any on a custom resource (422)', async () => {
    const first = cluster.server.apply(anApplication({ name: 'a' }));
    cluster.server.apply({ ...anApplication({ name: 'a' }), metadata: { ...first.metadata, labels: { moved: 'on' } } });
    const stale = await statusOf(cluster.clients.custom.replaceNamespacedCustomObject({ ...APP, name: 'a', body: first }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict', message: expect.stringContaining('the object has been modified') });
    const { resourceVersion: _rv, ...meta } = first.metadata;
    const missing = await statusOf(cluster.clients.custom.replaceNamespacedCustomObject({ ...APP, name: 'a', body: { ...first, metadata: meta } }));
    expect(missing).toMatchObject({ code: 422, reason: 'Invalid', message: expect.stringContaining('must be specified for an update') });
  });

  it('answers a second create with 409 AlreadyExists, and a wrong token with 401', async () => {
    const body = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name: 'r' }, spec: { metrics: [] } };
    const runs = { ...APP, namespace: 'p', plural: 'analysisruns' };
    await cluster.clients.custom.createNamespacedCustomObject({ ...runs, body });
    expect(await statusOf(cluster.clients.custom.createNamespacedCustomObject({ ...runs, body }))).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    const { createKubeClients } = await import('../../activities/adapters/kubernetes/client.js');
    const wrong = createKubeClients({ mode: 'explicit', server: cluster.server.url, token: 'wrong' });
    expect(await statusOf(wrong.custom.getNamespacedCustomObject({ ...APP, name: 'a' }))).toMatchObject({ code: 401 });
  });

  it('streams watch events from a resourceVersion, filtered by name', async () => {
    const a = cluster.server.apply(anApplication({ name: 'a' }));
    cluster.server.apply(anApplication({ name: 'b' }));
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void cluster.clients.watch
        .watch(
          '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
          { fieldSelector: 'metadata.name=a', resourceVersion: a.metadata.resourceVersion },
          (type, obj: { metadata: { name: string; labels?: Record<string, string> } }) => {
            seen.push(`${type} ${obj.metadata.name} ${obj.metadata.labels?.['n'] ?? ''}`);
            if (seen.length === 2) resolve();
          },
          () => undefined,
        )
        .then((c) => done.then(() => c.abort()));
    });
    for (const n of ['1', '2']) {
      const cur = cluster.server.get('applications', 'argocd', 'a')!;
      cur.metadata.labels = { n };
      cluster.server.store.write('applications', 'argocd', cur);
      cluster.server.apply(anApplication({ name: 'b', labels: { n } }));
    }
    await done;
    expect(seen).toEqual(['MODIFIED a 1', 'MODIFIED a 2']);
  });
});
