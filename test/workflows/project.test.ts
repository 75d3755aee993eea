/**
 * projectWorkflow on the real dev server, through the api's TemporalBackend, with the real
 * promotion workflow and stub step activities: validation before any change, availability
 * gates, serial per-stage queues, and state carried through continue-as-new.
 */
import type { Client } from '@temporalio/client';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { DomainError } from '../../core/errors.js';
import { projectWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { Gate } from '../support/deferred.js';
import { saveHistory } from '../support/histories.js';
import { eventually } from '../support/poll.js';
import { aClusterPromotionTask, aProjectConfig, aStage, aYamlUpdate, request, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'project';
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

/** Steps wait while the gate is closed, so tests can see queued promotions. */
const gate = new Gate();
const stepCalls: RunStepInput[] = [];

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        stepCalls.push(call);
        await gate.pass();
        return { status: 'Succeeded', output: { stage: call.stage } };
      },
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const pipeline = (project: string): string => `${projectAndWarehouse(project)}---
${yamlOf(
  aStage('dev', { project, steps: [{ uses: 'yaml-update', config: { path: 'values.yaml', updates: [{ key: 'image.tag', value: '${{ freight.images[0].tag }}' }] } }] }),
  aStage('test', { project, sources: { stages: ['dev'] }, steps: [aYamlUpdate()] }),
)}`;

const freight = (project: string, tag: string): string => freightManifest(project, tag);

async function expectDomainError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  expect((err as DomainError).message).toMatch(message);
}

async function finished(project: string, name: string): Promise<string> {
  return (await promotionEnded(backend, project, name)).phase;
}

describe('projectWorkflow', () => {
  it('applies a pipeline, then refuses an invalid change without changing anything', async () => {
    await backend.apply([{ name: 'p.yaml', content: pipeline('alpha') }], { dryRun: false });
    const bad = yamlOf(aStage('test', { project: 'alpha', requests: [request('nowhere', { direct: true })], steps: [{ uses: 'git-clone', config: { repoURL: 'x' } }] }));
    await expectDomainError(backend.apply([{ name: 'bad.yaml', content: bad }], { dryRun: false }), 'InvalidManifest', /nowhere/);
    const state = await backend.getProject('alpha');
    expect(state.specs.stages.test?.spec.requestedFreight[0]?.sources.stages).toEqual(['dev']);
  });

  it('refuses namespaced resources of a project that does not exist', async () => {
    await expectDomainError(
      backend.apply([{ name: 'f.yaml', content: freight('ghost', '1.0.0') }], { dryRun: false }),
      'InvalidManifest',
      /project "ghost" does not exist/,
    );
  });

  it('answers a dry run without applying', async () => {
    const result = await backend.apply([{ name: 'f.yaml', content: freight('alpha', '9.9.9') }], { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.results[0]).toMatchObject({ kind: 'Freight', action: 'created' });
    expect(Object.values((await backend.getProject('alpha')).freight).map((f) => f.images[0]?.tag)).not.toContain('9.9.9');
  });

  it('refuses promotions the stage may not take, with reasons', async () => {
    await backend.apply([{ name: 'f.yaml', content: freight('alpha', '1.0.0') }], { dryRun: false });
    const [f] = Object.values((await backend.getProject('alpha')).freight);
    await expectDomainError(backend.promote('alpha', { stage: 'test', freight: f!.alias }), 'FailedPrecondition', /must first be verified in its upstream stage \(not verified in "dev"\)/);
    await expectDomainError(backend.promote('alpha', { stage: 'nope', freight: f!.alias }), 'NotFound', /stage "nope" not found/);
    await expectDomainError(backend.promote('alpha', { stage: 'dev', freight: 'no-such-freight' }), 'NotFound', /freight "no-such-freight" not found/);
  });

  it('runs promotions to one stage one at a time, in order', async () => {
    await backend.apply([{ name: 'f.yaml', content: freight('alpha', '1.1.0') }], { dryRun: false });
    const all = Object.values((await backend.getProject('alpha')).freight);
    gate.close();
    const first = await backend.promote('alpha', { stage: 'dev', freight: all[0]!.name, actor: 'ann' });
    const second = await backend.promote('alpha', { stage: 'dev', freight: all[1]!.name, actor: 'bob' });
    await eventually(async () => ((await backend.getPromotion('alpha', first.name)).phase === 'Running' ? true : undefined), 'first running');
    const state = await backend.getProject('alpha');
    expect(state.stages.dev?.currentPromotion).toBe(first.name);
    expect(state.stages.dev?.queue).toEqual([second.name]);
    expect((await backend.getPromotion('alpha', second.name)).phase).toBe('Pending');
    gate.open();
    expect(await finished('alpha', first.name)).toBe('Succeeded');
    expect(await finished('alpha', second.name)).toBe('Succeeded');
    const after = await backend.getProject('alpha');
    expect(after.stages.dev?.freightHistory.map((h) => h.collection.items['Warehouse/app']?.name)).toEqual([all[1]!.name, all[0]!.name]);
    expect(after.freight[all[1]!.name]?.verifiedIn.dev).toBeDefined();
    expect(after.freight[all[0]!.name]?.currentlyIn.dev).toBeUndefined();
    expect(after.freight[all[1]!.name]?.currentlyIn.dev).toBeDefined();
    // Now the newer freight is verified in dev, so test may take it.
    const toTest = await backend.promote('alpha', { stage: 'test', freight: all[1]!.name });
    expect(await finished('alpha', toTest.name)).toBe('Succeeded');
  });

  it('keeps its state through continue-as-new', async () => {
    const handle = await client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId('beta'),
      taskQueue: TASK_QUEUE,
      args: [{ project: 'beta', continueAsNewAfterEvents: 20 }],
    });
    await backend.apply([{ name: 'p.yaml', content: pipeline('beta') }], { dryRun: false });
    for (const tag of ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5']) {
      await backend.apply([{ name: 'f.yaml', content: freight('beta', tag) }], { dryRun: false });
    }
    const state = await backend.getProject('beta');
    expect(Object.keys(state.freight)).toHaveLength(6);
    const promotion = await backend.promote('beta', { stage: 'dev', freight: Object.values(state.freight)[0]!.name });
    expect(await finished('beta', promotion.name)).toBe('Succeeded');
    const described = await client.workflow.getHandle(projectWorkflowId('beta')).describe();
    expect(described.runId).not.toBe(handle.firstExecutionRunId);
    await saveHistory(client, projectWorkflowId('beta'), 'project', 'after-continue-as-new');
  });

  it('accepts every promote request sent while it continues as new, the burst that bench/many-stages sends', async () => {
    // A workflow task ending a run fails on the server when new updates came in meanwhile; the
    // updates it carried were never accepted and the api sends them again to the new run.
    const stages = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    const handle = await client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId('burst'),
      taskQueue: TASK_QUEUE,
      args: [{ project: 'burst', continueAsNewAfterEvents: 40 }],
    });
    const stageYaml = yamlOf(...stages.map((name) => aStage(name, { project: 'burst', steps: [aYamlUpdate()] })));
    await backend.apply([{ name: 'p.yaml', content: `${projectAndWarehouse('burst')}---\n${stageYaml}` }], { dryRun: false });
    await backend.apply([{ name: 'f.yaml', content: freight('burst', '3.0.0') }], { dryRun: false });
    const [f] = Object.values((await backend.getProject('burst')).freight);
    const sent = [];
    for (let round = 0; round < 5; round++) sent.push(...stages.map((stage) => backend.promote('burst', { stage, freight: f!.name })));
    const answers = await Promise.allSettled(sent);
    expect(answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason))).toEqual([]);
    const promotions = answers.map((a) => (a as PromiseFulfilledResult<{ name: string }>).value.name);
    expect(new Set(promotions).size).toBe(40);
    for (const name of promotions) expect(await finished('burst', name)).toBe('Succeeded');
    const described = await client.workflow.getHandle(projectWorkflowId('burst')).describe();
    expect(described.runId).not.toBe(handle.firstExecutionRunId);
  });

  it('inflates a ClusterPromotionTask into the promotion, with its vars and task-scoped aliases', async () => {
    const clusterTask = yamlOf(
      aClusterPromotionTask('bump', {
        vars: [{ name: 'file' }, { name: 'key', value: 'image.tag' }],
        steps: [{ uses: 'yaml-update', as: 'edit', config: { path: '${{ vars.file }}', updates: [{ key: '${{ vars.key }}', value: 'x' }] } }],
      }),
      aProjectConfig({ promotionPolicies: [{ stageSelector: { name: 'dev' }, autoPromotionEnabled: false }] }, 'delta'),
      aStage('qa', { project: 'delta', steps: [{ task: { name: 'bump', kind: 'ClusterPromotionTask' }, as: 'bumper', vars: [{ name: 'file', value: 'values.yaml' }] }] }),
    );
    const applied = await backend.apply(
      [
        { name: 'p.yaml', content: pipeline('delta') },
        { name: 'task.yaml', content: clusterTask },
        { name: 'f.yaml', content: freight('delta', '2.0.0') },
      ],
      { dryRun: false },
    );
    expect(applied.results).toEqual(
      expect.arrayContaining([
        { kind: 'ClusterPromotionTask', name: 'bump', action: 'created' },
        expect.objectContaining({ project: 'delta', kind: 'ProjectConfig', name: 'delta', action: 'created' }),
      ]),
    );
    const [f] = Object.values((await backend.getProject('delta')).freight);
    const promotion = await backend.promote('delta', { stage: 'qa', freight: f!.alias });
    expect(await finished('delta', promotion.name)).toBe('Succeeded');
    const call = stepCalls.find((c) => c.project === 'delta' && c.stage === 'qa');
    expect(call?.step).toMatchObject({ alias: 'bumper::edit', uses: 'yaml-update', taskAlias: 'bumper' });
    expect(call?.step.vars).toEqual([
      { name: 'key', value: 'image.tag' },
      { name: 'file', value: 'values.yaml' },
    ]);
  });

  it('deletes a project: its workflow ends and it is no longer listed', async () => {
    await backend.apply([{ name: 'p.yaml', content: pipeline('gamma') }], { dryRun: false });
    await saveHistory(client, projectWorkflowId('alpha'), 'project', 'apply-and-promote');
    await backend.deleteProject('gamma');
    expect((await backend.listProjects()).map((p) => p.name)).not.toContain('gamma');
    await expectDomainError(backend.getProject('gamma'), 'NotFound', /project "gamma" not found/);
    const described = await client.workflow.getHandle(projectWorkflowId('gamma')).describe();
    expect(described.status.name).toBe('COMPLETED');
  });
});
