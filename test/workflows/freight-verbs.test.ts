/**
 * Kargo's verbs on the real project and promotion workflows (dev server, TemporalBackend, stub
 * steps): promote downstream queues and runs one promotion per downstream stage, all or none;
 * deleting freight is refused while a stage holds it or a promotion of it runs, and aborts its
 * queued promotions; a new alias is unique and finds the freight; refreshing a stage makes its
 * promotion check a waiting (Running) step at once instead of at its next retry.
 */
import type { Client } from '@temporalio/client';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { Stage } from '../../core/model.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { CallLog, Gate } from '../support/deferred.js';
import { saveHistory } from '../support/histories.js';
import { eventually } from '../support/poll.js';
import { aStage, aYamlUpdate, yamlOf } from '../support/manifests.js';
import {
  freightManifest,
  projectAndWarehouse,
  promotionEnded,
  refusal,
  startWorkflowHarness,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

/** Steps of stage `dev` wait while its gate is closed; steps of `slow` wait (Running, 1h) once per project, after the slow gate. */
const devGate = new Gate();
const slowGate = new Gate();
const slowCalls = new CallLog<RunStepInput>();
const slowCallsIn = (project: string): RunStepInput[] => slowCalls.calls.filter((c) => c.project === project);

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace: 'verbs',
    activities: {
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        if (call.stage === 'slow') {
          slowCalls.record(call);
          await slowGate.pass();
          if (slowCallsIn(call.project).length === 1) return { status: 'Running', retryAfter: '1h', message: 'waiting for the app to be healthy' };
        }
        if (call.stage === 'dev') await devGate.pass();
        return { status: 'Succeeded' };
      },
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

/** dev (direct) → qa, staging (from dev), gate (from dev, no steps); slow (direct); and `extra`. */
const pipeline = (project: string, extra: Stage[] = []): string => `${projectAndWarehouse(project)}---
${yamlOf(
  aStage('dev', { project, steps: [aYamlUpdate()] }),
  aStage('qa', { project, sources: { stages: ['dev'] }, steps: [aYamlUpdate()] }),
  aStage('staging', { project, sources: { stages: ['dev'] }, steps: [aYamlUpdate()] }),
  aStage('gate', { project, sources: { stages: ['dev'] }, steps: null }),
  aStage('slow', { project, steps: [aYamlUpdate()] }),
  ...extra,
)}`;

async function setUp(project: string, extra: Stage[] = []): Promise<void> {
  await backend.apply(
    [
      { name: 'p.yaml', content: pipeline(project, extra) },
      { name: 'f.yaml', content: `${freightManifest(project, '1.0.0', 'first')}---${freightManifest(project, '1.1.0', 'second')}` },
    ],
    { dryRun: false },
  );
}

async function promoted(project: string, stage: string, freight: string): Promise<void> {
  const p = await backend.promote(project, { stage, freight });
  expect((await promotionEnded(backend, project, p.name)).phase).toBe('Succeeded');
}

describe('Kargo verbs on the project workflow', () => {
  it('promotes downstream: all or none, one promotion per stage with steps, control-flow stages passed by', async () => {
    await setUp('down');
    expect(await refusal(backend.promoteDownstream('down', { stage: 'dev', freight: 'first' }))).toBe(
      'FailedPrecondition: downstream stage "gate": freight first is not available to stage "gate": it must first be verified in its upstream stage (not verified in "dev"), or approved for "gate"',
    );
    await promoted('down', 'dev', 'first');
    expect(await refusal(backend.promoteDownstream('down', { stage: 'dev', freight: 'first', authorizedStages: ['qa'] }))).toBe(
      'Conflict: the stages downstream of "dev" changed while the request was checked ("gate", "staging" now also downstream); send it again',
    );

    const result = await backend.promoteDownstream('down', { stage: 'dev', freight: 'first', actor: 'rita', authorizedStages: ['gate', 'qa', 'staging'] });

    expect(result.controlFlowStages).toEqual(['gate']);
    expect(result.promotions.map((p) => [p.stage, p.freightAlias, p.actor])).toEqual([
      ['qa', 'first', 'rita'],
      ['staging', 'first', 'rita'],
    ]);
    for (const p of result.promotions) expect((await promotionEnded(backend, 'down', p.name)).phase).toBe('Succeeded');
    // Both were started together: their start commands came from one workflow task.
    const history = await client.workflow.getHandle(projectWorkflowId('down')).fetchHistory();
    const ids = new Set(result.promotions.map((p) => p.workflowId));
    const starts = (history.events ?? []).map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).filter((a) => a && ids.has(a.workflowId ?? ''));
    expect(starts).toHaveLength(2);
    expect(new Set(starts.map((a) => String(a!.workflowTaskCompletedEventId)))).toHaveProperty('size', 1);
    await saveHistory(client, projectWorkflowId('down'), 'project', 'promotions-started-together');
    const state = await backend.getProject('down');
    expect(Object.values(state.freight).find((f) => f.alias === 'first')?.verifiedIn).toEqual(
      expect.objectContaining({ dev: expect.anything(), qa: expect.anything(), staging: expect.anything(), gate: expect.anything() }),
    );
    expect(await refusal(backend.promoteDownstream('down', { stage: 'qa', freight: 'first' }))).toBe(
      'NotFound: stage "qa" has no downstream stages that request freight from warehouse "app"',
    );
  });

  it('deletes freight no stage holds, refuses freight held or being promoted, and aborts its queued promotions', async () => {
    await setUp('del');
    await promoted('del', 'dev', 'first');
    expect(await refusal(backend.deleteFreight('del', 'first'))).toBe('FailedPrecondition: freight first is in use by stages ("dev"); promote other freight there first');

    devGate.close();
    try {
      const running = await backend.promote('del', { stage: 'dev', freight: 'second' });
      await eventually(async () => ((await backend.getPromotion('del', running.name)).phase === 'Running' ? true : undefined), 'the promotion to run');
      expect(await refusal(backend.deleteFreight('del', 'second'))).toBe(
        `FailedPrecondition: freight second is being promoted to stage "dev" (promotion ${running.name}); abort it or wait for it to end`,
      );
      await backend.apply([{ name: 'f.yaml', content: freightManifest('del', '1.2.0', 'third') }], { dryRun: false });
      const queued = await backend.promote('del', { stage: 'dev', freight: 'third' });

      const deleted = await backend.deleteFreight('del', 'third', 'carol');

      expect(deleted).toMatchObject({ alias: 'third', abortedPromotions: [queued.name] });
      const aborted = await backend.getPromotion('del', queued.name);
      expect([aborted.phase, aborted.message]).toEqual(['Aborted', 'freight third was deleted by carol']);
      expect(Object.values((await backend.getProject('del')).freight).map((f) => f.alias).sort()).toEqual(['first', 'second']);
    } finally {
      devGate.open();
    }
  });

  it('gives freight a new alias, unique in the project', async () => {
    await setUp('alias');
    expect(await backend.updateFreightAlias('alias', { freight: 'first', alias: 'frozen-fox', actor: 'adam' })).toMatchObject({ alias: 'frozen-fox', previousAlias: 'first' });
    expect(await refusal(backend.updateFreightAlias('alias', { freight: 'frozen-fox', alias: 'second' }))).toMatch(/^Conflict: alias "second" is already used by freight [0-9a-f]{40} in project "alias"$/);
    expect(await refusal(backend.updateFreightAlias('alias', { freight: 'first', alias: 'x' }))).toBe('NotFound: freight "first" not found in project "alias"');
    await promoted('alias', 'dev', 'frozen-fox');
  });

  it('refreshes a stage: its waiting step is checked now, and the stage records when', async () => {
    await setUp('refresh');
    expect(await refusal(backend.refreshStage('refresh', 'nope'))).toBe('NotFound: stage "nope" not found in project "refresh"');
    const p = await backend.promote('refresh', { stage: 'slow', freight: 'first' });
    await eventually(async () => ((await backend.getPromotion('refresh', p.name)).steps?.[0]?.message ? true : undefined), 'the step to report Running');

    const refresh = await backend.refreshStage('refresh', 'slow', 'dana');

    expect(refresh).toMatchObject({ stage: 'slow', autoPromotions: [], currentPromotion: { name: p.name, phase: 'Running' } });
    // Without the refresh the step would be checked again in an hour.
    expect((await promotionEnded(backend, 'refresh', p.name)).phase).toBe('Succeeded');
    expect(slowCallsIn('refresh')).toHaveLength(2);
    expect((await backend.getProject('refresh')).stages['slow']?.lastHandledRefresh).toBe(refresh.refreshedAt);
    await saveHistory(client, p.workflowId, 'promotion', 'refresh-wakes-running-step');
    await saveHistory(client, projectWorkflowId('refresh'), 'project', 'refresh-stage');
  });

  it('refreshes a stage while its step is being checked: the step is checked once more right after', async () => {
    await setUp('mid-check');
    slowGate.close();
    const p = await backend.promote('mid-check', { stage: 'slow', freight: 'first' });
    try {
      await eventually(async () => (slowCallsIn('mid-check').length === 1 ? true : undefined), 'the first check to start');

      expect(await backend.refreshStage('mid-check', 'slow')).toMatchObject({ currentPromotion: { name: p.name, phase: 'Running' } });
    } finally {
      slowGate.open();
    }

    expect((await promotionEnded(backend, 'mid-check', p.name)).phase).toBe('Succeeded');
    expect(slowCallsIn('mid-check')).toHaveLength(2);
    await saveHistory(client, p.workflowId, 'promotion', 'refresh-during-check');
  });

  it('refreshes a control-flow stage: freight that has soaked long enough upstream since the last event passes through it', async () => {
    await setUp('soak', [aStage('hold', { project: 'soak', sources: { stages: ['dev'], requiredSoakTime: '2s' }, steps: null })]);
    await promoted('soak', 'dev', 'first');
    const first = async () => Object.values((await backend.getProject('soak')).freight).find((f) => f.alias === 'first')!;
    expect((await first()).verifiedIn['hold']).toBeUndefined();
    // Nothing happens in the project after the soak ends: only a refresh makes the stage look again.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await first()).verifiedIn['hold']).toBeUndefined();

    await backend.refreshStage('soak', 'hold');

    expect((await first()).verifiedIn['hold']).toBeDefined();
  });
});
