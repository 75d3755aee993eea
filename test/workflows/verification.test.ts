/**
 * Stage verification on the real dev server, through the api's TemporalBackend: the real project,
 * promotion and verification workflows, the real measurement activity against an HTTP server of
 * the test's own (web and Prometheus wire format), stub promotion steps. Freight becomes verified
 * in a stage only when its verification succeeds; the pipeline fans out and back in (All).
 */
import type { Client } from '@temporalio/client';
import type { RunStepOutcome } from '../../activities/run-step.js';
import { createVerificationActivities } from '../../activities/verification/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { DomainError } from '../../core/errors.js';
import type { FreightSources } from '../../core/model.js';
import type { PromotionRecord, VerificationRecord } from '../../core/project/state.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { saveHistory } from '../support/histories.js';
import { startMetricsServer, type MetricsServer } from '../support/metrics-server.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { aStage, aYamlUpdate, yamlOf, type StageOptions } from '../support/manifests.js';
import {
  freightManifest,
  projectAndWarehouse,
  promotionEnded,
  refusal,
  startWorkflowHarness,
  tagAlias,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

const namespace = 'verification';
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;
let metrics: MetricsServer;

beforeAll(async () => {
  metrics = await startMetricsServer();
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async (): Promise<RunStepOutcome> => ({ status: 'Succeeded' }),
      // The real verification activities, with no cluster: analysis runs natively.
      ...createVerificationActivities({}),
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
  await metrics?.close();
});


function head(project: string): string {
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
  args: [{name: service}]
  metrics:
    - name: rate
      count: 2
      interval: 1s
      successCondition: result[0] >= 0.95
      provider:
        prometheus: {address: "${metrics.url}", query: "rate{service=\\"{{args.service}}\\"}"}
`;
}

/** A stage with one yaml-update step, as a document to append to head(). */
function stage(project: string, name: string, sources: FreightSources, opts: Pick<StageOptions, 'verification' | 'spec'> = {}): string {
  return `---\n${yamlOf(aStage(name, { project, sources, steps: [aYamlUpdate()], ...opts }))}`;
}

const freightDoc = (project: string, tag: string): string => freightManifest(project, tag, tagAlias(tag));

async function apply(content: string): Promise<void> {
  await backend.apply([{ name: 'p.yaml', content }], { dryRun: false });
}

async function promoted(project: string, stageName: string, freight: string): Promise<PromotionRecord> {
  const p = await backend.promote(project, { stage: stageName, freight });
  return promotionEnded(backend, project, p.name);
}

/** The stage's last finished verification once none is running. */
async function verificationDone(project: string, stageName: string): Promise<VerificationRecord> {
  return eventually(async () => {
    const state = await backend.getProject(project);
    const s = state.stages[stageName];
    if (!s || s.currentVerification) return undefined;
    return s.freightHistory[0]?.verificationHistory?.[0];
  }, `the verification of ${stageName} to end`);
}

/**
 * Verification `id` of the stage, once it has ended. Not "the stage verifies nothing": when it
 * ends, the stage's queued promotion may run and start the next verification between two reads.
 */
async function verificationEnded(project: string, stageName: string, id: string): Promise<VerificationRecord> {
  return eventually(async () => {
    const state = await backend.getProject(project);
    const record = state.stages[stageName]?.freightHistory.flatMap((h) => h.verificationHistory ?? []).find((v) => v.id === id);
    return record && record.phase !== 'Pending' && record.phase !== 'Running' ? record : undefined;
  }, `verification ${id} of ${stageName} to end`);
}

async function verifiedIn(project: string, alias: string): Promise<string[]> {
  const state = await backend.getProject(project);
  return Object.keys(Object.values(state.freight).find((f) => f.alias === alias)!.verifiedIn).sort();
}

describe('verification with AnalysisTemplates', () => {
  it('verifies freight in a stage when its web and prometheus analysis succeed; only then may the next stage take it', async () => {
    const project = uniqueName('ver');
    metrics.setJson('/dev/health', 200, { ok: true });
    metrics.setQuery('rate{service="app-dev"}', [0.99]);
    await apply(
      head(project) +
        stage(project, 'dev', { direct: true }, {
          verification: {
            analysisTemplates: [{ name: 'health' }, { name: 'success-rate' }],
            args: [
              { name: 'path', value: '/dev/health' },
              { name: 'service', value: 'app-dev' },
            ],
          },
        }) +
        stage(project, 'test', { stages: ['dev'] }),
    );
    await apply(freightDoc(project, '1.0.0'));

    expect((await promoted(project, 'dev', 'v1-0-0')).phase).toBe('Succeeded');
    const verification = await verificationDone(project, 'dev');

    expect(verification.phase).toBe('Successful');
    expect(verification.metrics?.map((m) => [m.name, m.phase, m.count])).toEqual([
      ['healthy', 'Successful', 1],
      ['rate', 'Successful', 2],
    ]);
    expect(await verifiedIn(project, 'v1-0-0')).toEqual(['dev']);
    expect((await promoted(project, 'test', 'v1-0-0')).phase).toBe('Succeeded');
    await saveHistory(client, verification.workflowId, 'verification', 'web-and-prometheus-successful');
  });

  it('evaluates ${{ }} in the args natively (ctx, stage vars, the freight); a data function errs the verification, saying why', async () => {
    const project = uniqueName('ver');
    metrics.setJson('/dev/1.0.0/health', 200, { ok: true });
    metrics.setQuery('rate{service="app-dev"}', [0.99]);
    await apply(
      head(project) +
        stage(project, 'dev', { direct: true }, {
          verification: {
            analysisTemplates: [{ name: 'health' }, { name: 'success-rate' }],
            args: [
              { name: 'path', value: '/${{ ctx.stage }}/${{ imageFrom(vars.repo).Tag }}/health' },
              { name: 'service', value: '${{ vars.service }}' },
            ],
          },
          spec: {
            vars: [
              { name: 'repo', value: 'ghcr.io/example/app' },
              { name: 'service', value: 'app-${{ ctx.stage }}' },
            ],
          },
        }) +
        stage(project, 'test', { direct: true }, { verification: { analysisTemplates: [{ name: 'health' }], args: [{ name: 'path', value: "${{ secret('probe').path }}" }] } }),
    );
    await apply(freightDoc(project, '1.0.0'));

    expect((await promoted(project, 'dev', 'v1-0-0')).phase).toBe('Succeeded');
    const verification = await verificationDone(project, 'dev');
    expect(verification.phase).toBe('Successful');
    expect(metrics.requests.some((r) => r.line === 'GET /dev/1.0.0/health')).toBe(true);

    expect((await promoted(project, 'test', 'v1-0-0')).phase).toBe('Succeeded');
    expect(await verificationDone(project, 'test')).toMatchObject({
      phase: 'Error',
      message:
        'verification args: secret() can be used only when Argo Rollouts runs the analysis in a cluster: Shunt evaluates the args of a native analysis inside its workflow, whose history would keep what it reads',
    });
    await saveHistory(client, verification.workflowId, 'verification', 'native-arg-expressions');
  });

  it('leaves freight unverified when the analysis fails; `verify` re-runs it, and bad requests are refused', async () => {
    const project = uniqueName('ver');
    metrics.setJson('/flaky/health', 200, { ok: false });
    await apply(
      head(project) +
        stage(project, 'dev', { direct: true }, { verification: { analysisTemplates: [{ name: 'health' }], args: [{ name: 'path', value: '/flaky/health' }] } }) +
        stage(project, 'test', { stages: ['dev'] }),
    );
    await apply(freightDoc(project, '1.0.0'));

    await promoted(project, 'dev', 'v1-0-0');
    const failed = await verificationDone(project, 'dev');

    expect(failed.phase).toBe('Failed');
    expect(failed.message).toBe('metric "healthy" assessed Failed due to failed (1) > failureLimit (0)');
    expect(await verifiedIn(project, 'v1-0-0')).toEqual([]);
    expect(await refusal(backend.promote(project, { stage: 'test', freight: 'v1-0-0' }))).toMatch(
      /^FailedPrecondition: freight v1-0-0 is not available to stage "test": it must first be verified in its upstream stage \(not verified in "dev"\)/,
    );
    expect(await refusal(backend.verifyStage(project, 'nope'))).toBe(`NotFound: stage "nope" not found in project "${project}"`);
    expect(await refusal(backend.verifyStage(project, 'test'))).toBe('FailedPrecondition: stage "test" has no verification configured (spec.verification)');
    expect(await refusal(backend.abortVerification(project, 'dev'))).toBe('FailedPrecondition: stage "dev" has no verification running');

    metrics.setJson('/flaky/health', 200, { ok: true });
    const again = await backend.verifyStage(project, 'dev', 'gina');
    expect(again).toMatchObject({ phase: 'Pending', actor: 'gina', stage: 'dev' });
    await eventually(async () => ((await verificationDone(project, 'dev')).id === again.id ? true : undefined), 'the re-run to end');

    const state = await backend.getProject(project);
    expect(state.stages['dev']!.freightHistory[0]!.verificationHistory!.map((v) => v.phase)).toEqual(['Successful', 'Failed']);
    expect(await verifiedIn(project, 'v1-0-0')).toEqual(['dev']);
  });

  it('aborts a running verification; the freight stays unverified and the stage queue moves on', async () => {
    const project = uniqueName('ver');
    metrics.setJson('/slow/health', 200, { ok: true });
    await apply(
      head(project).replace('    - name: healthy\n', '    - name: healthy\n      interval: 1h\n      count: 3\n') +
        stage(project, 'dev', { direct: true }, { verification: { analysisTemplates: [{ name: 'health' }], args: [{ name: 'path', value: '/slow/health' }] } }),
    );
    await apply(freightDoc(project, '1.0.0'));
    await apply(freightDoc(project, '2.0.0'));
    await promoted(project, 'dev', 'v1-0-0');
    const runningVerification = await eventually(async () => {
      const v = (await backend.getProject(project)).stages['dev']!.currentVerification;
      return v?.phase === 'Running' && v.metrics?.[0]?.count === 1 ? v : undefined;
    }, 'the verification to measure once');
    const next = await backend.promote(project, { stage: 'dev', freight: 'v2-0-0' });
    expect(await refusal(backend.verifyStage(project, 'dev'))).toBe(
      `FailedPrecondition: verification ${runningVerification.id} of stage "dev" is still running; abort it first`,
    );
    expect((await backend.getPromotion(project, next.name)).phase).toBe('Pending');

    await backend.abortVerification(project, 'dev', 'hank');

    const aborted = await verificationEnded(project, 'dev', runningVerification.id);
    expect(aborted).toMatchObject({ id: runningVerification.id, phase: 'Aborted', message: 'aborted by hank' });
    expect(await verifiedIn(project, 'v1-0-0')).toEqual([]);
    await eventually(async () => ((await backend.getPromotion(project, next.name)).phase === 'Succeeded' ? true : undefined), 'the queued promotion to run');
    await backend.abortVerification(project, 'dev');
    await saveHistory(client, aborted.workflowId, 'verification', 'aborted');
  });
});

describe('a pipeline that fans out and back in, with both soak spellings', () => {
  it('lets prod take freight only once it is verified in both upstreams (All), soaked where required', async () => {
    const project = uniqueName('fan');
    await apply(
      head(project) +
        stage(project, 'dev', { direct: true }) +
        stage(project, 'qa-a', { stages: ['dev'] }) +
        stage(project, 'qa-b', { stages: ['dev'] }, { verification: { soak: { duration: '2s' } } }) +
        stage(project, 'prod', { stages: ['qa-a', 'qa-b'], availabilityStrategy: 'All', requiredSoakTime: '3s' }) +
        stage(project, 'hotfix', { stages: ['qa-a', 'qa-b'] }),
    );
    await apply(freightDoc(project, '1.0.0'));
    await promoted(project, 'dev', 'v1-0-0');
    await promoted(project, 'qa-a', 'v1-0-0');

    expect(await refusal(backend.promote(project, { stage: 'prod', freight: 'v1-0-0' }))).toMatch(
      /^FailedPrecondition: freight v1-0-0 is not available to stage "prod": it must first be verified in every upstream stage \(.*not verified in "qa-b"\)/,
    );
    // OneOf (the default): one verified upstream is enough.
    expect((await promoted(project, 'hotfix', 'v1-0-0')).phase).toBe('Succeeded');

    await promoted(project, 'qa-b', 'v1-0-0');
    // The verification is asked for when the promotion ends and starts a moment later.
    const soaking = (await backend.getProject(project)).stages['qa-b']!.currentVerification;
    expect(['Pending', 'Running']).toContain(soaking?.phase);
    expect(await verifiedIn(project, 'v1-0-0')).not.toContain('qa-b');
    const soaked = await verificationDone(project, 'qa-b');
    expect(soaked).toMatchObject({ phase: 'Successful', message: 'soaked for 2s' });
    await saveHistory(client, soaked.workflowId, 'verification', 'soak-2s');
    expect(await verifiedIn(project, 'v1-0-0')).toEqual(['dev', 'hotfix', 'qa-a', 'qa-b']);

    const admitted = await eventually(
      async () => backend.promote(project, { stage: 'prod', freight: 'v1-0-0' }).catch((e: DomainError) => {
        expect(e.message).toMatch(/soaked \d+s of the required 3s in "qa-b"/);
        return undefined;
      }),
      'prod to admit the freight after the required soak',
    );
    expect(admitted.stage).toBe('prod');
    await saveHistory(client, projectWorkflowId(project), 'project', 'fan-out-fan-in-with-verification');
  });
});
