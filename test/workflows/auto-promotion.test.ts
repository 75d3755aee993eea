/**
 * Auto-promotion on the real dev server, through the api's TemporalBackend, with the real
 * project and promotion workflows and stub steps: freight flows by itself where the
 * ProjectConfig allows, one promotion at a time per stage, a newer freight replacing an older
 * one still queued, a person's rollback holding the origin, a failed auto-promotion not retried,
 * and a required soak upstream waking the project by a durable timer.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { ProjectState, PromotionRecord } from '../../core/project/state.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { Gates } from '../support/deferred.js';
import { saveHistory } from '../support/histories.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { aProjectConfig, aStage, aYamlUpdate, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'autopromotion';
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

/** Promotions into dev wait at their tag's gate while it is closed. */
const devGates = new Gates();
/** Promotions of these tags fail. */
const failing = new Set<string>();

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        const tag = call.targetFreight.alias;
        if (call.stage === 'dev') await devGates.of(tag).pass();
        if (failing.has(tag)) throw ApplicationFailure.create({ type: 'StepFailed', message: `no ${tag} today`, nonRetryable: true });
        return { status: 'Succeeded' };
      },
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

function pipeline(project: string): string {
  return `${projectAndWarehouse(project)}---
${yamlOf(
  aProjectConfig(
    {
      promotionPolicies: [
        { stageSelector: { name: 'prod' }, autoPromotionEnabled: false },
        { stageSelector: { name: 'glob:*' }, autoPromotionEnabled: true },
      ],
    },
    project,
  ),
  aStage('dev', { project, steps: [aYamlUpdate()] }),
  aStage('test', { project, sources: { stages: ['dev'], requiredSoakTime: '2s', autoPromotionOptions: { selectionPolicy: 'MatchUpstream' } }, steps: [aYamlUpdate()] }),
  aStage('prod', { project, sources: { stages: ['test'] }, steps: [aYamlUpdate()] }),
)}`;
}

async function addFreight(project: string, tag: string): Promise<void> {
  await backend.apply([{ name: 'f.yaml', content: freightManifest(project, tag, tag) }], { dryRun: false });
}

const promotionsOf = (state: ProjectState, stage: string): PromotionRecord[] => state.promotions.filter((p) => p.stage === stage);
const currentIn = (state: ProjectState, stage: string): string | undefined =>
  state.stages[stage]?.freightHistory[0]?.collection.items['Warehouse/app']?.alias;

async function until(project: string, check: (s: ProjectState) => boolean, what: string): Promise<ProjectState> {
  return eventually(async () => {
    const s = await backend.getProject(project);
    return check(s) ? s : undefined;
  }, what);
}

describe('auto-promotion', () => {
  it('moves freight by itself through the stages the policies enable, waiting out the required soak by a timer', async () => {
    const project = uniqueName('auto');
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });

    await addFreight(project, 'v1');

    const state = await until(project, (s) => currentIn(s, 'test') === 'v1', 'v1 to reach test by itself');
    expect(currentIn(state, 'dev')).toBe('v1');
    expect(promotionsOf(state, 'dev').map((p) => [p.freightAlias, p.phase, p.auto])).toEqual([['v1', 'Succeeded', true]]);
    // test waited for v1 to soak 2s in dev: nothing else happened to wake the project up.
    const toTest = promotionsOf(state, 'test')[0]!;
    const inDevSince = Date.parse(Object.values(state.freight)[0]!.currentlyIn['dev']!.since);
    expect(Date.parse(toTest.createdAt) - inDevSince).toBeGreaterThanOrEqual(2000);
    // prod's policy (first match) disables it.
    expect(promotionsOf(state, 'prod')).toEqual([]);
    await saveHistory(client, projectWorkflowId(project), 'project', 'auto-promotion-with-soak');
  });

  it('replaces an older auto-promotion still queued with the newest freight, one promotion at a time', async () => {
    const project = uniqueName('auto');
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    devGates.of('r1').close();
    await addFreight(project, 'r1');
    await until(project, (s) => promotionsOf(s, 'dev').some((p) => p.phase === 'Running'), 'r1 to start in dev');

    await addFreight(project, 'r2');
    await until(project, (s) => promotionsOf(s, 'dev').some((p) => p.freightAlias === 'r2' && p.phase === 'Pending'), 'r2 to be queued');
    await addFreight(project, 'r3');
    const replaced = await until(project, (s) => promotionsOf(s, 'dev').some((p) => p.freightAlias === 'r3'), 'r3 to be queued');
    devGates.of('r1').open();

    expect(promotionsOf(replaced, 'dev').map((p) => [p.freightAlias, p.phase, p.message])).toEqual([
      ['r1', 'Running', undefined],
      ['r2', 'Aborted', 'superseded by newer freight r3'],
      ['r3', 'Pending', undefined],
    ]);
    const after = await until(project, (s) => currentIn(s, 'dev') === 'r3', 'r3 to reach dev');
    expect(promotionsOf(after, 'dev').map((p) => p.phase)).toEqual(['Succeeded', 'Aborted', 'Succeeded']);
  });

  it("holds the origin after a person's rollback, and never retries a failed auto-promotion", async () => {
    const project = uniqueName('auto');
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    await addFreight(project, 'h1');
    await until(project, (s) => currentIn(s, 'dev') === 'h1', 'h1 in dev');
    await addFreight(project, 'h2');
    await until(project, (s) => currentIn(s, 'dev') === 'h2', 'h2 in dev');

    const rollback = await backend.promote(project, { stage: 'dev', freight: 'h1', actor: 'ivy' });
    expect(rollback.rollback).toBe(true);
    const held = await until(project, (s) => currentIn(s, 'dev') === 'h1' && s.stages['dev']?.autoPromotionHolds !== undefined, 'the rollback to hold dev');
    expect(held.stages['dev']!.autoPromotionHolds).toEqual({
      'Warehouse/app': expect.objectContaining({ freight: Object.values(held.freight).find((f) => f.alias === 'h1')!.name, actor: 'ivy' }),
    });
    await addFreight(project, 'h3');
    // Held: h3 does not go to dev by itself.
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    expect(promotionsOf(await backend.getProject(project), 'dev').some((p) => p.freightAlias === 'h3')).toBe(false);

    // A person promoting the candidate lifts the hold once it succeeds.
    const manual = await backend.promote(project, { stage: 'dev', freight: 'h3', actor: 'ivy' });
    const lifted = await until(project, (s) => s.promotions.find((p) => p.name === manual.name)?.phase === 'Succeeded', 'the manual h3 promotion');
    expect(lifted.stages['dev']!.autoPromotionHolds).toEqual({});

    failing.add('h4');
    await addFreight(project, 'h4');
    await until(project, (s) => promotionsOf(s, 'dev').some((p) => p.freightAlias === 'h4' && p.phase === 'Failed'), 'the h4 auto-promotion to fail');
    failing.delete('h4');
    await backend.apply([{ name: 'p.yaml', content: pipeline(project) }], { dryRun: false });
    await addFreight(project, 'h5');
    const settled = await until(project, (s) => currentIn(s, 'dev') === 'h5', 'the newest freight to flow again');
    // h4's auto-promotion failed: auto-promotion never tried it again.
    expect(promotionsOf(settled, 'dev').filter((p) => p.freightAlias === 'h4').map((p) => [p.phase, p.auto])).toEqual([['Failed', true]]);
  });
});
