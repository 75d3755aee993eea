/**
 * argocd-wait against the fake API server: it watches (no polling) until the app is synced to the
 * revision and healthy, fails on Degraded or an error condition, and reports Running when the
 * run's wait is over.
 */
import { KubernetesArgoCDClient } from '../../activities/adapters/kubernetes/argocd-applications.js';
import { argocdWait } from '../../activities/steps/argocd-wait.js';
import type { StepContext } from '../../activities/steps/step.js';
import { Disposer } from '../support/git-repos.js';
import { eventually } from '../support/poll.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { createHarness, type Harness } from './harness.js';

const disposer = new Disposer();
let cluster: FakeCluster;
let h: Harness;
let argocd: KubernetesArgoCDClient;
const REV = 'feedfacefeedfacefeedfacefeedfacefeedface';

const ctx = (extra: Partial<StepContext> = {}): Partial<StepContext> => ({ argocd, argocdWaitMs: 30_000, ...extra });

/** Asks the fake Argo CD for a sync, as Argo CD's auto-sync would after a push. */
function requestSync(name: string, revision: string): void {
  const app = cluster.server.get('applications', 'argocd', name)!;
  app['operation'] = { initiatedBy: { username: 'auto-sync', automated: true }, sync: { revision } };
  cluster.server.store.write('applications', 'argocd', app);
}

const watching = (): Promise<true> =>
  eventually(async () => (cluster.server.watchRequests('applications').length > 0 ? true : undefined), 'the step to watch the app', 20_000);

beforeEach(async () => {
  cluster = await startFakeCluster();
  argocd = new KubernetesArgoCDClient(cluster.clients);
  h = await createHarness(disposer);
});

afterEach(async () => {
  await cluster.stop();
  await disposer.dispose();
});

describe('argocd-wait', () => {
  it('waits, watching, until the app is synced to the revision and Healthy', async () => {
    cluster.server.apply(anApplication({ name: 'web', authorizedStage: null }));
    const waiting = h.run(argocdWait, { apps: [{ name: 'web', revision: REV }] }, ctx());
    // The step is watching before anything happens; then Argo CD syncs.
    await watching();
    requestSync('web', REV);
    await expect(waiting).resolves.toEqual({ status: 'Succeeded', output: { apps: [{ name: 'web', namespace: 'argocd' }] } });
    expect(cluster.server.watchRequests('applications').length).toBeGreaterThanOrEqual(1);
    const gets = cluster.server.requests.filter((r) => r.method === 'GET' && r.query['watch'] !== 'true');
    // One lookup of the app and one list per watch: no polling loop.
    expect(gets.length).toBeLessThanOrEqual(1 + cluster.server.watchRequests('applications').length);
  });

  it('does not accept a sync to another revision', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    requestSync('web', 'other');
    const result = await h.run(argocdWait, { apps: [{ name: 'web', revision: REV }] }, ctx({ argocdWaitMs: 1_500 }));
    expect(result).toMatchObject({ status: 'Running', message: expect.stringContaining(`waiting for ${REV}`) });
  });

  it('fails with Argo CD’s message when the app is Degraded', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    cluster.argocd.behave('argocd', 'web', { degrade: 'Back-off restarting failed container' });
    requestSync('web', REV);
    await expect(h.run(argocdWait, { apps: [{ name: 'web' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message: 'Argo CD Application "web" in namespace "argocd" is Degraded: Back-off restarting failed container',
    });
  });

  it('succeeds on Degraded when waitFor lists degraded', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    cluster.argocd.behave('argocd', 'web', { degrade: 'expected' });
    requestSync('web', REV);
    await expect(h.run(argocdWait, { apps: [{ name: 'web', waitFor: ['degraded', 'sync', 'operation'] }] }, ctx())).resolves.toMatchObject({
      status: 'Succeeded',
    });
  });

  it('fails on a ComparisonError condition with its message', async () => {
    const app = anApplication({ name: 'web' });
    (app['status'] as Record<string, unknown>)['conditions'] = [{ type: 'ComparisonError', message: 'repository not found' }];
    cluster.server.apply(app);
    await expect(h.run(argocdWait, { apps: [{ name: 'web' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message: 'Argo CD Application "web" in namespace "argocd" has a ComparisonError condition: repository not found',
    });
  });

  it('reports Running with what it waits for when the wait is over', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    cluster.argocd.behave('argocd', 'web', { hang: true });
    requestSync('web', REV);
    const result = await h.run(argocdWait, { apps: [{ name: 'web' }] }, ctx({ argocdWaitMs: 500 }));
    expect(result).toMatchObject({ status: 'Running', retryAfter: '1s', message: expect.stringContaining('an operation is in progress') });
  });

  it('a missing app: StepFailed naming it', async () => {
    await expect(h.run(argocdWait, { apps: [{ name: 'nope' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message: 'Argo CD Application "nope" not found in namespace "argocd"',
    });
  });

  it('an app deleted while waited for: StepFailed', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    const waiting = h.run(argocdWait, { apps: [{ name: 'web' }] }, ctx());
    await watching();
    cluster.server.store.delete('applications', 'argocd', 'web');
    await expect(waiting).rejects.toMatchObject({ code: 'StepFailed', message: 'Argo CD Application "web" not found in namespace "argocd"' });
  });

  it.each([
    [{ apps: [{ name: 'web', waitFor: ['healthy'] }] }, 'waitFor'],
    [{ apps: [{ name: 'web', waitFor: [] }] }, 'waitFor'],
    [{ apps: [{ namespace: 'argocd' }] }, 'exactly one of name or selector is required'],
  ])('a bad config %j: a schema error at %s', (config, where) => {
    const parsed = argocdWait.config.safeParse(config);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(where);
  });
});
