/**
 * Verification on the real dev server when the worker has a kubeconfig (for Argo CD) but the
 * cluster has no Argo Rollouts: the fake API server serves Applications and no AnalysisRun
 * resource. Web and prometheus metrics are then measured by Shunt itself, and the verification's
 * status says so; a provider only Argo Rollouts runs ends the verification in Error with the
 * cause at once; and a verification whose activity fails reports that cause, which the stage's
 * Verified condition and the freight's status carry.
 */
import type { Client } from '@temporalio/client';
import type { RunStepOutcome } from '../../activities/run-step.js';
import { EmptyCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities, type Activities } from '../../activities/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { renderFreight, renderStage } from '../../api/views.js';
import { lastVerificationIn } from '../../core/project/verification-status.js';
import type { VerificationRecord } from '../../core/project/state.js';
import { MEASURED_BY_SHUNT } from '../../core/verification/backend.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { saveHistory } from '../support/histories.js';
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'verification-no-rollouts';
const disposer = new Disposer();
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;
let metrics: MetricsServer;
/** Argo CD only: no AnalysisRun resource. */
let argoCDOnly: FakeCluster;
/** Argo CD and Argo Rollouts. */
let withRollouts: FakeCluster;
/** The cluster the worker's verification activities reach in the running test. */
let cluster: FakeCluster;

beforeAll(async () => {
  metrics = await startMetricsServer();
  argoCDOnly = await startFakeCluster({ rollouts: false });
  withRollouts = await startFakeCluster();
  cluster = argoCDOnly;
  // The worker's own activities (as worker/main.ts builds them), one set per cluster.
  const dataDir = await tempDir(disposer);
  const workerActivities = new Map(
    [argoCDOnly, withRollouts].map((c) => [c, createActivities({ dataDir, workerQueue: 'q', credentials: new EmptyCredentialStore(), kube: c.clients })]),
  );
  const acts = (): Activities => workerActivities.get(cluster)!;
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async (): Promise<RunStepOutcome> => ({ status: 'Succeeded' }),
      measureMetric: (input: Parameters<Activities['measureMetric']>[0]) => acts().measureMetric(input),
      analysisMode: () => acts().analysisMode(),
      analysisBackend: () => acts().analysisBackend(),
      createAnalysisRun: (input: Parameters<Activities['createAnalysisRun']>[0]) => acts().createAnalysisRun(input),
      readAnalysisRunPhase: (input: Parameters<Activities['readAnalysisRunPhase']>[0]) => acts().readAnalysisRunPhase(input),
      deleteAnalysisRun: (input: Parameters<Activities['deleteAnalysisRun']>[0]) => acts().deleteAnalysisRun(input),
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
  await argoCDOnly?.stop();
  await withRollouts?.stop();
  await metrics?.close();
  await disposer.dispose();
});

function pipeline(project: string, templates: string[]): string {
  return `${projectAndWarehouse(project)}---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: health, namespace: ${project}}
spec:
  args: [{name: path}]
  metrics:
    - name: healthy
      successCondition: result == true
      provider:
        web: {url: "${metrics.url}{{args.path}}", jsonPath: "{$.ok}"}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success-rate, namespace: ${project}}
spec:
  metrics:
    - name: rate
      successCondition: result[0] >= 0.95
      provider:
        prometheus: {address: "${metrics.url}", query: "rate{service=\\"${project}\\"}"}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: job-check, namespace: ${project}}
spec:
  args: [{name: path}]
  metrics:
    - name: smoke
      provider:
        job:
          spec:
            template:
              spec:
                containers: [{name: t, image: "example/tests"}]
                restartPolicy: Never
---
${yamlOf(
  aStage('dev', {
    project,
    steps: [{ uses: 'yaml-update', config: { path: 'v.yaml', updates: [{ key: 'a', value: 'b' }] } }],
    verification: { analysisTemplates: templates.map((name) => ({ name })), args: [{ name: 'path', value: `/${project}/health` }] },
  }),
)}---
${freightManifest(project, '1.0.0', 'one')}`;
}

async function promoteOne(project: string): Promise<void> {
  const p = await backend.promote(project, { stage: 'dev', freight: 'one' });
  expect((await promotionEnded(backend, project, p.name)).phase).toBe('Succeeded');
}

async function verificationDone(project: string): Promise<VerificationRecord> {
  return eventually(async () => {
    const s = (await backend.getProject(project)).stages['dev'];
    return s && !s.currentVerification ? s.freightHistory[0]?.verificationHistory?.[0] : undefined;
  }, `the verification of dev in ${project} to end`);
}

const analysisRunRequests = (c: FakeCluster): string[] =>
  c.server.requests.filter((r) => r.path.includes('/analysisruns')).map((r) => `${r.method} ${r.path}`);

describe('a cluster with Argo CD but no Argo Rollouts', () => {
  it('measures web and prometheus metrics natively and says so in the verification’s status', async () => {
    cluster = argoCDOnly;
    const project = uniqueName('norollouts');
    metrics.setJson(`/${project}/health`, 200, { ok: true });
    metrics.setQuery(`rate{service="${project}"}`, [0.99]);
    await backend.apply([{ name: 'p.yaml', content: pipeline(project, ['health', 'success-rate']) }], { dryRun: false });
    await promoteOne(project);

    const done = await verificationDone(project);

    expect(done).toMatchObject({ phase: 'Successful', message: MEASURED_BY_SHUNT });
    expect(done.metrics?.map((m) => [m.name, m.phase, m.count])).toEqual([
      ['healthy', 'Successful', 1],
      ['rate', 'Successful', 1],
    ]);
    expect(analysisRunRequests(argoCDOnly)).toEqual([]);
    const state = await backend.getProject(project);
    expect(Object.keys(Object.values(state.freight)[0]!.verifiedIn)).toEqual(['dev']);
    expect(renderStage(state, state.specs.stages['dev']!, Date.now()).status.conditions).toEqual([
      expect.objectContaining({ type: 'Verified', status: 'True', reason: 'Verified', message: `Freight has been verified (${MEASURED_BY_SHUNT})` }),
    ]);
    await saveHistory(client, done.workflowId, 'verification', 'no-rollouts-native');
  });

  it('ends in Error at once, saying why, when a template needs a provider only Argo Rollouts runs', async () => {
    cluster = argoCDOnly;
    const project = uniqueName('norollouts');
    metrics.setJson(`/${project}/health`, 200, { ok: true });
    await backend.apply([{ name: 'p.yaml', content: pipeline(project, ['health', 'job-check']) }], { dryRun: false });
    await promoteOne(project);

    const done = await verificationDone(project);

    const cause =
      'metric "smoke" (provider job) needs Argo Rollouts, and Argo Rollouts is not installed in the cluster (its API server has no AnalysisRun resource in argoproj.io/v1alpha1): install Argo Rollouts there, or measure with the web or prometheus provider, which Shunt runs itself';
    expect(done).toMatchObject({ phase: 'Error', message: cause });
    expect(done.metrics?.map((m) => [m.name, m.phase, m.count])).toEqual([
      ['healthy', 'Error', 0],
      ['smoke', 'Error', 0],
    ]);
    expect(metrics.requests.some((r) => r.line.includes(project))).toBe(false);
    const state = await backend.getProject(project);
    const freight = Object.values(state.freight)[0]!;
    expect(freight.verifiedIn).toEqual({});
    expect(renderStage(state, state.specs.stages['dev']!, Date.now()).status.conditions).toEqual([
      expect.objectContaining({ type: 'Verified', status: 'False', reason: 'VerificationError', message: cause }),
    ]);
    expect(renderFreight(project, freight, lastVerificationIn(state, freight.name)).status.lastVerificationIn).toEqual({
      dev: expect.objectContaining({ id: done.id, phase: 'Error', message: cause }),
    });
    await saveHistory(client, done.workflowId, 'verification', 'no-rollouts-refused');
  });
});

describe('a verification whose activity fails', () => {
  it('reports the activity’s own cause instead of "ended without reporting: Activity task failed"', async () => {
    cluster = withRollouts;
    withRollouts.rollouts.defaultOutcome = { phase: 'Running' };
    const project = uniqueName('vfail');
    await backend.apply([{ name: 'p.yaml', content: pipeline(project, ['job-check']) }], { dryRun: false });
    await promoteOne(project);
    const running = await eventually(async () => {
      const v = (await backend.getProject(project)).stages['dev']?.currentVerification;
      return v && withRollouts.server.get('analysisruns', project, v.id) ? v : undefined;
    }, 'the AnalysisRun to exist');

    // Someone deletes the AnalysisRun under the running verification.
    withRollouts.server.store.delete('analysisruns', project, running.id);
    const done = await verificationDone(project);

    const cause = `activity readAnalysisRunPhase failed: AnalysisRun "${running.id}" in namespace "${project}" not found`;
    expect(done).toMatchObject({ id: running.id, phase: 'Error', message: cause });
    const state = await backend.getProject(project);
    expect(renderStage(state, state.specs.stages['dev']!, Date.now()).status.conditions).toEqual([
      expect.objectContaining({ status: 'False', reason: 'VerificationError', message: cause }),
    ]);
    await saveHistory(client, done.workflowId, 'verification', 'activity-failure-reported');
  });
});
