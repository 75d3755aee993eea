/**
 * Verification in cluster mode on the real dev server: the worker reaches a Kubernetes cluster
 * (our own API server speaking the real wire format, with an Argo Rollouts-like controller), so
 * the stage's AnalysisTemplates run as a real AnalysisRun there; its phase decides the
 * verification, and aborting the verification deletes the run.
 */
import type { Client } from '@temporalio/client';
import type { RunStepOutcome } from '../../activities/run-step.js';
import { analysisRunActivities } from '../../activities/analysis-runs.js';
import { createVerificationActivities } from '../../activities/verification/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { ExpressionVariable, VerificationSpec } from '../../core/model.js';
import type { VerificationRecord } from '../../core/project/state.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { saveHistory } from '../support/histories.js';
import { aFreight, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'verification-cluster';
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;
let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async (): Promise<RunStepOutcome> => ({ status: 'Succeeded' }),
      ...createVerificationActivities({ cluster: cluster.clients }),
      ...analysisRunActivities(cluster.clients),
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
  await cluster?.stop();
});

interface PipelineOptions {
  /** The template's args, as YAML flow (default `[{name: suite}]`). */
  templateArgs?: string;
  /** A ClusterAnalysisTemplate of this name instead of the project's AnalysisTemplate job-check. */
  clusterTemplate?: string;
  /** Over the stage's verification: job-check with suite=smoke. */
  verification?: Partial<VerificationSpec>;
  vars?: ExpressionVariable[];
}

const pipeline = (project: string, opts: PipelineOptions = {}): string => `${yamlOf(aProject(project), aWarehouse(WAREHOUSE, { project }))}---
apiVersion: argoproj.io/v1alpha1
kind: ${opts.clusterTemplate ? `ClusterAnalysisTemplate\nmetadata: {name: ${opts.clusterTemplate}}` : `AnalysisTemplate\nmetadata: {name: job-check, namespace: ${project}}`}
spec:
  args: ${opts.templateArgs ?? '[{name: suite}]'}
  metrics:
    - name: smoke
      provider:
        job:
          spec:
            template:
              spec:
                containers: [{name: t, image: "example/tests", args: ["{{args.suite}}"]}]
                restartPolicy: Never
---
${yamlOf(
  aStage('dev', {
    project,
    steps: [{ uses: 'yaml-update', config: { path: 'v.yaml', updates: [{ key: 'a', value: 'b' }] } }],
    verification: { analysisTemplates: [{ name: 'job-check' }], args: [{ name: 'suite', value: 'smoke' }], ...opts.verification },
    ...(opts.vars ? { spec: { vars: opts.vars } } : {}),
  }),
  aFreight({ project, alias: 'one', digest: null }),
)}`;

async function verificationOf(project: string, done: boolean): Promise<VerificationRecord> {
  return eventually(async () => {
    const s = (await backend.getProject(project)).stages['dev'];
    if (done) return s?.currentVerification ? undefined : s?.freightHistory[0]?.verificationHistory?.[0];
    return s?.currentVerification?.phase === 'Running' ? s.currentVerification : undefined;
  }, `the verification of dev (${done ? 'done' : 'running'})`);
}

describe('verification through a cluster AnalysisRun', () => {
  it('creates the AnalysisRun from the templates and args, and follows it to its phase', async () => {
    const project = uniqueName('kube');
    cluster.rollouts.defaultOutcome = { phase: 'Failed', message: 'metric "smoke" assessed Failed due to failed (1) > failureLimit (0)' };
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    await backend.promote(project, { stage: 'dev', freight: 'one' });

    const failed = await verificationOf(project, true);

    expect(failed).toMatchObject({ phase: 'Failed', message: 'metric "smoke" assessed Failed due to failed (1) > failureLimit (0)' });
    const run = cluster.server.store.get('analysisruns', project, failed.id)!;
    expect(run['metadata']).toMatchObject({ name: failed.id, labels: { 'kargo.akuity.io/stage': 'dev' } });
    expect(run['spec']).toMatchObject({ args: [{ name: 'suite', value: 'smoke' }], metrics: [{ name: 'smoke' }] });
    expect(Object.values((await backend.getProject(project)).freight)[0]!.verifiedIn).toEqual({});

    cluster.rollouts.defaultOutcome = { phase: 'Successful' };
    const again = await backend.verifyStage(project, 'dev');
    await eventually(async () => ((await verificationOf(project, true)).id === again.id ? true : undefined), 'the re-run');
    expect((await verificationOf(project, true)).phase).toBe('Successful');
    expect(Object.keys(Object.values((await backend.getProject(project)).freight)[0]!.verifiedIn)).toEqual(['dev']);
    await saveHistory(client, again.workflowId, 'verification', 'cluster-analysis-run');
  });

  it("labels and annotates the run with analysisRunMetadata and evaluates ${{ }} in the args (ctx, vars, the freight)", async () => {
    const project = uniqueName('kube');
    cluster.rollouts.defaultOutcome = { phase: 'Successful' };
    const manifests = pipeline(project, {
      templateArgs: '[{name: suite}, {name: tag}]',
      vars: [{ name: 'kind', value: 'smoke' }],
      verification: {
        analysisRunMetadata: { labels: { team: 'web' }, annotations: { 'example.com/owner': 'alice' } },
        args: [
          { name: 'suite', value: '${{ ctx.stage }}-${{ vars.kind }}' },
          { name: 'tag', value: '${{ imageFrom("ghcr.io/example/app").Tag }}' },
        ],
      },
    });
    await backend.apply([{ name: 'p.yaml', content: manifests }], { dryRun: false });
    await backend.promote(project, { stage: 'dev', freight: 'one' });

    const done = await verificationOf(project, true);

    expect(done.phase).toBe('Successful');
    const run = cluster.server.store.get('analysisruns', project, done.id)!;
    expect(run['metadata']).toMatchObject({ labels: { team: 'web', 'kargo.akuity.io/stage': 'dev' }, annotations: { 'example.com/owner': 'alice' } });
    expect((run['spec'] as { args: unknown[] }).args).toEqual([
      { name: 'suite', value: 'dev-smoke' },
      { name: 'tag', value: '1.0.0' },
    ]);
  });

  it('runs a ClusterAnalysisTemplate the stage references with kind: ClusterAnalysisTemplate', async () => {
    const project = uniqueName('kube');
    const template = uniqueName('cluster-check');
    cluster.rollouts.defaultOutcome = { phase: 'Successful' };
    const manifests = pipeline(project, { clusterTemplate: template, verification: { analysisTemplates: [{ name: template, kind: 'ClusterAnalysisTemplate' }] } });
    const applied = await backend.apply([{ name: 'p.yaml', content: manifests }], { dryRun: false });
    expect(applied.results).toContainEqual({ kind: 'ClusterAnalysisTemplate', name: template, action: 'created' });
    await backend.promote(project, { stage: 'dev', freight: 'one' });

    const done = await verificationOf(project, true);

    expect(done.phase).toBe('Successful');
    const run = cluster.server.store.get('analysisruns', project, done.id)!;
    expect(run['spec']).toMatchObject({ args: [{ name: 'suite', value: 'smoke' }], metrics: [{ name: 'smoke' }] });
  });

  it('deletes the AnalysisRun when the verification is aborted', async () => {
    const project = uniqueName('kube');
    cluster.rollouts.defaultOutcome = { phase: 'Running' };
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    await backend.promote(project, { stage: 'dev', freight: 'one' });
    const runningVerification = await verificationOf(project, false);
    await eventually(async () => cluster.server.store.get('analysisruns', project, runningVerification.id), 'the AnalysisRun to exist');

    await backend.abortVerification(project, 'dev', 'jo');

    expect(await verificationOf(project, true)).toMatchObject({ phase: 'Aborted', message: 'aborted by jo' });
    await eventually(async () => (cluster.server.store.get('analysisruns', project, runningVerification.id) ? undefined : true), 'the AnalysisRun to be deleted');
  });
});
