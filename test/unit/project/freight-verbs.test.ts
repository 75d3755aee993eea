/**
 * Kargo's freight and stage verbs as pure rules: PromoteDownstream (which stages, all or none,
 * control-flow stages skipped), DeleteFreight (refused while a stage holds it), PatchFreightAlias
 * (a label value, unique in the project) and RefreshStage (what it records). Each refusal is
 * listed with its code and message.
 */
import { deleteFreight, deleteFreightIssue, stagesUsingFreight } from '../../../core/project/delete-freight.js';
import { downstreamOf, downstreamStages, promoteDownstreamIssue, queueDownstreamPromotions } from '../../../core/project/downstream.js';
import { applyStepEffects } from '../../../core/project/effects.js';
import { freightAliasIssue, setFreightAlias } from '../../../core/project/freight-alias.js';
import { toReference } from '../../../core/project/promotions.js';
import { recordStageRefresh, refreshStageIssue } from '../../../core/project/refresh-stage.js';
import type { FreightRecord, ProjectState } from '../../../core/project/state.js';
import { aFreight, aPromotion, aState, sequence, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const ID_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_C = 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const describeIssue = (issue: { code: string; message: string } | undefined): string | undefined => (issue ? `${issue.code}: ${issue.message}` : undefined);
const opts = { nowMs: T0_MS, now: T0, random: sequence(0.5), workflowIdFor: (n: string) => `wf-${n}` };

/** Holds `freight` as the stage's current freight. */
function hold(state: ProjectState, stage: string, freight: FreightRecord): void {
  state.stages[stage]!.freightHistory.unshift({
    collection: { id: 'c'.repeat(40), items: { [`Warehouse/${freight.origin.name}`]: toReference(freight) } },
    promotedAt: T0,
  });
  freight.currentlyIn[stage] = { since: T0 };
}

/**
 * dev (direct) → qa, staging (from dev), gate (from dev, no steps) → prod (from gate);
 * `other` requests another warehouse from dev; `late` requests app from staging only.
 * Freight A is verified in dev.
 */
function pipeline(): ProjectState {
  const a = aFreight(ID_A, { alias: 'tidy-otter', verifiedIn: { dev: { verifiedAt: T0 } } });
  const b = aFreight(ID_B, { alias: 'brave-fox' });
  return aState({
    stages: [
      aStage('dev'),
      aStage('staging', { requests: [request('app', { stages: ['dev'] })] }),
      aStage('qa', { requests: [request('app', { stages: ['dev'] })] }),
      aStage('gate', { requests: [request('app', { stages: ['dev'] })], steps: [] }),
      aStage('prod', { requests: [request('app', { stages: ['gate'] })] }),
      aStage('other', { requests: [request('images', { stages: ['dev'] })] }),
      aStage('late', { requests: [request('app', { stages: ['staging'] })] }),
    ],
    freight: [a, b],
  });
}

describe('downstream stages (Kargo: stages requesting the freight origin with the stage among their sources)', () => {
  it('lists the stages immediately downstream for the origin, by name, and none of other origins or further down', () => {
    const state = pipeline();
    expect(downstreamStages(state, 'dev', state.freight[ID_A]!)).toEqual(['gate', 'qa', 'staging']);
    expect(downstreamStages(state, 'staging', state.freight[ID_A]!)).toEqual(['late']);
    expect(downstreamStages(state, 'prod', state.freight[ID_A]!)).toEqual([]);
    expect(downstreamOf(state, 'dev', 'tidy-otter')).toEqual(['gate', 'qa', 'staging']);
    expect(downstreamOf(state, 'nope', 'tidy-otter')).toBeUndefined();
    expect(downstreamOf(state, 'dev', 'lazy-cat')).toBeUndefined();
  });

  it.each([
    ['an unknown stage', { stage: 'nope', freight: ID_A }, 'NotFound: stage "nope" not found in project "demo"'],
    ['unknown freight', { stage: 'dev', freight: 'lazy-cat' }, 'NotFound: freight "lazy-cat" not found in project "demo"'],
    ['a stage with nothing downstream', { stage: 'prod', freight: ID_A }, 'NotFound: stage "prod" has no downstream stages that request freight from warehouse "app"'],
    [
      'freight not available to one of them (all or none)',
      { stage: 'dev', freight: 'brave-fox' },
      'FailedPrecondition: downstream stage "gate": freight brave-fox is not available to stage "gate": it must first be verified in its upstream stage (not verified in "dev"), or approved for "gate"',
    ],
    [
      'a downstream stage the caller was not checked for',
      { stage: 'dev', freight: ID_A, authorizedStages: ['qa', 'staging'] },
      'Conflict: the stages downstream of "dev" changed while the request was checked ("gate" now also downstream); send it again',
    ],
    ['nothing when every check passes', { stage: 'dev', freight: 'tidy-otter', authorizedStages: ['gate', 'qa', 'staging'] }, undefined],
  ])('refuses %s', (_what, req, expected) => {
    expect(describeIssue(promoteDownstreamIssue(pipeline(), req, T0_MS))).toBe(expected);
  });

  it('refuses when only one downstream stage lacks the freight, naming that stage', () => {
    const state = pipeline();
    const b = state.freight[ID_B]!;
    b.verifiedIn['dev'] = { verifiedAt: T0 };
    state.specs.stages['qa']!.spec.requestedFreight[0]!.sources = { stages: ['dev'], requiredSoakTime: '1h' };
    expect(describeIssue(promoteDownstreamIssue(state, { stage: 'dev', freight: ID_B }, T0_MS))).toBe(
      'FailedPrecondition: downstream stage "qa": freight brave-fox is not available to stage "qa": it must first be verified in its upstream stage (soaked 0s of the required 3600s in "dev"), or approved for "qa"',
    );
  });

  it('queues one promotion per downstream stage with steps, and passes control-flow stages by', () => {
    const state = pipeline();
    const result = queueDownstreamPromotions(state, { stage: 'dev', freight: 'tidy-otter', actor: 'alice' }, opts);
    expect(result.controlFlowStages).toEqual(['gate']);
    expect(result.promotions.map((p) => [p.stage, p.freight, p.actor, p.phase])).toEqual([
      ['qa', ID_A, 'alice', 'Pending'],
      ['staging', ID_A, 'alice', 'Pending'],
    ]);
    expect(state.stages['qa']!.queue).toEqual([result.promotions[0]!.name]);
    expect(state.stages['staging']!.queue).toEqual([result.promotions[1]!.name]);
    expect(state.stages['gate']!.queue).toEqual([]);
  });
});

describe('deleting freight (Kargo refuses while a stage holds it)', () => {
  it('refuses freight in use by stages, naming them', () => {
    const state = pipeline();
    hold(state, 'dev', state.freight[ID_A]!);
    hold(state, 'qa', state.freight[ID_A]!);
    expect(stagesUsingFreight(state, state.freight[ID_A]!)).toEqual(['dev', 'qa']);
    expect(describeIssue(deleteFreightIssue(state, 'tidy-otter'))).toBe(
      'FailedPrecondition: freight tidy-otter is in use by stages ("dev", "qa"); promote other freight there first',
    );
  });

  it('allows freight a stage held before but holds no longer', () => {
    const state = pipeline();
    hold(state, 'dev', state.freight[ID_A]!);
    hold(state, 'dev', state.freight[ID_B]!);
    expect(deleteFreightIssue(state, ID_A)).toBeUndefined();
  });

  it('refuses freight being promoted, and unknown freight', () => {
    const state = pipeline();
    state.promotions.push(aPromotion('qa.p1', 'qa', state.freight[ID_A]!, { phase: 'Running' }));
    expect(describeIssue(deleteFreightIssue(state, ID_A))).toBe(
      'FailedPrecondition: freight tidy-otter is being promoted to stage "qa" (promotion qa.p1); abort it or wait for it to end',
    );
    expect(describeIssue(deleteFreightIssue(state, 'lazy-cat'))).toBe('NotFound: freight "lazy-cat" not found in project "demo"');
  });

  it('deletes it and aborts its queued promotions, leaving others alone', () => {
    const state = pipeline();
    const a = state.freight[ID_A]!;
    state.promotions.push(aPromotion('qa.p1', 'qa', a), aPromotion('staging.p2', 'staging', state.freight[ID_B]!));
    state.stages['qa']!.queue.push('qa.p1');
    state.stages['staging']!.queue.push('staging.p2');

    const deleted = deleteFreight(state, { freight: 'tidy-otter', actor: 'carol' }, T0_MS, T0);

    expect(deleted).toEqual({ freight: ID_A, alias: 'tidy-otter', abortedPromotions: ['qa.p1'] });
    expect(state.freight[ID_A]).toBeUndefined();
    expect(state.promotions.map((p) => [p.name, p.phase, p.message])).toEqual([
      ['qa.p1', 'Aborted', 'freight tidy-otter was deleted by carol'],
      ['staging.p2', 'Pending', undefined],
    ]);
    expect(state.stages['qa']!.queue).toEqual([]);
    expect(state.stages['staging']!.queue).toEqual(['staging.p2']);
  });
});

describe("changing a freight's alias (Kargo: a label value, unique in the project)", () => {
  it.each([
    ['a free alias', 'frozen-fox', undefined],
    ['its own alias', 'tidy-otter', undefined],
    ['dots and underscores', 'v1.2_rc', undefined],
    ['an alias another freight holds', 'brave-fox', `Conflict: alias "brave-fox" is already used by freight ${ID_B} in project "demo"`],
    ['an empty alias', '', 'BadRequest: invalid alias: must not be empty'],
    ['spaces', 'my alias', `BadRequest: invalid alias: "my alias" is not a valid alias: use letters, digits, '-', '_' and '.'`],
    ['a leading dash', '-fox', `BadRequest: invalid alias: "-fox" is not a valid alias: use letters, digits, '-', '_' and '.'`],
    ['64 characters', 'a'.repeat(64), 'BadRequest: invalid alias: must be at most 63 characters'],
  ])('%s: %s', (_what, alias, expected) => {
    expect(describeIssue(freightAliasIssue(pipeline(), { freight: ID_A, alias }))).toBe(expected);
  });

  it('refuses unknown freight', () => {
    expect(describeIssue(freightAliasIssue(pipeline(), { freight: 'lazy-cat', alias: 'x' }))).toBe('NotFound: freight "lazy-cat" not found in project "demo"');
  });

  it('renames by id or by the old alias; the new alias then finds it and the old one does not', () => {
    const state = pipeline();
    expect(setFreightAlias(state, { freight: 'tidy-otter', alias: 'frozen-fox' }, T0)).toEqual({ freight: ID_A, alias: 'frozen-fox', previousAlias: 'tidy-otter' });
    expect(freightAliasIssue(state, { freight: 'tidy-otter', alias: 'x' })?.code).toBe('NotFound');
    expect(setFreightAlias(state, { freight: ID_A, alias: 'tidy-otter' }, T0).previousAlias).toBe('frozen-fox');
  });

  it('is the same uniqueness rule as the set-freight-alias step', () => {
    const state = pipeline();
    expect(applyStepEffects(state, [{ kind: 'set-freight-alias', freight: ID_A, alias: 'brave-fox' }])).toEqual([
      `set-freight-alias: alias "brave-fox" is already used by freight ${ID_B}; not applied`,
    ]);
  });
});

describe('refreshing a stage', () => {
  it('refuses an unknown stage', () => {
    expect(describeIssue(refreshStageIssue(pipeline(), 'nope'))).toBe('NotFound: stage "nope" not found in project "demo"');
    expect(refreshStageIssue(pipeline(), 'dev')).toBeUndefined();
  });

  it('records the time as lastHandledRefresh and reports the promotion and verification it checked', () => {
    const state = pipeline();
    const c = aFreight(ID_C);
    state.freight[ID_C] = c;
    state.promotions.push(aPromotion('qa.p1', 'qa', c, { phase: 'Errored', message: 'gone' }));
    const refresh = recordStageRefresh(state, { stage: 'qa' }, { autoPromotions: ['qa.p2'], promotion: 'qa.p1' }, '2024-01-01T01:00:00.000Z');
    expect(refresh).toEqual({
      stage: 'qa',
      refreshedAt: '2024-01-01T01:00:00.000Z',
      autoPromotions: ['qa.p2'],
      currentPromotion: { name: 'qa.p1', phase: 'Errored', message: 'gone' },
    });
    expect(state.stages['qa']!.lastHandledRefresh).toBe('2024-01-01T01:00:00.000Z');
  });
});
