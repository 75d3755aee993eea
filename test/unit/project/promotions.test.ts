import { DomainError, type ErrorCode } from '../../../core/errors.js';
import type { Stage, VerificationSpec } from '../../../core/model.js';
import {
  FREIGHT_HISTORY_LENGTH,
  finishPromotion,
  findFreight,
  markStarted,
  nextCollection,
  PROMOTIONS_KEPT_PER_STAGE,
  promotionIssue,
  queuePromotion,
  startablePromotions,
  toReference,
  type FinishedPromotion,
} from '../../../core/project/promotions.js';
import type { FreightRecord, ProjectState, StageFreightEntry, StepRecord } from '../../../core/project/state.js';
import type { PromotionPhase } from '../../../core/promotion/types.js';
import { ulid } from '../../../core/ulid.js';
import { aFreight, aPromotion, aState, at, HOUR, MINUTE, sequence, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

/** Freight ids look like Kargo's: 40 hex characters. */
const ID_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_C = 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_CFG = 'f0f2c3d4e5f60718293a4b5c6d7e8f9012345678';

const STEPS: StepRecord[] = [{ alias: 'step-1', uses: 'git-clone', status: 'Succeeded', errorCount: 0 }];

function finished(name: string, phase: PromotionPhase, finishedAt: string, extra: Partial<FinishedPromotion> = {}): FinishedPromotion {
  return { name, phase, steps: STEPS, state: { 'step-1': { commit: 'abc' } }, finishedAt, ...extra };
}

/** A running promotion of `freight` into `stage`, as markStarted leaves it. */
function running(state: ProjectState, name: string, stage: string, freight: FreightRecord): void {
  state.promotions.push(aPromotion(name, stage, freight, { phase: 'Running', startedAt: T0 }));
  state.stages[stage]!.currentPromotion = name;
}

/** A freight history entry holding only `freight`. */
function entry(freight: FreightRecord, promotedAt: string, promotion: string): StageFreightEntry {
  return { collection: { id: 'x', items: { 'Warehouse/app': toReference(freight) } }, promotedAt, promotion };
}

describe('findFreight', () => {
  const state = aState({ freight: [aFreight(ID_A, { alias: 'agile-alpaca' }), aFreight(ID_B, { alias: ID_A.slice(0, 7) })] });

  it.each<[string, string, string | undefined]>([
    ['its id', ID_A, ID_A],
    ['its alias', 'agile-alpaca', ID_A],
    ['an alias that looks like an id prefix', ID_A.slice(0, 7), ID_B],
    ['an unknown name', 'nope', undefined],
    ['a partial id', ID_A.slice(0, 12), undefined],
  ])('finds freight by %s', (_, ref, expected) => {
    // act
    const found = findFreight(state, ref);

    // assert
    expect(found?.name).toBe(expected);
  });
});

describe('promotionIssue', () => {
  const NOW = T0_MS + HOUR;

  function project(): ProjectState {
    return aState({
      stages: [
        aStage('dev'),
        aStage('prod', { requests: [request('app', { stages: ['dev'] })] }),
        aStage('hub', { steps: [] }),
        { ...aStage('bare'), spec: { requestedFreight: [request('app', { direct: true })] } },
      ],
      freight: [aFreight(ID_A, { alias: 'agile-alpaca' })],
    });
  }

  it.each<[string, string, string, ErrorCode, string]>([
    ['an unknown stage', 'nope', ID_A, 'NotFound', 'stage "nope" not found in project "demo"'],
    ['a stage with an empty step list', 'hub', ID_A, 'FailedPrecondition', 'stage "hub" has no promotion steps, so it cannot be promoted to'],
    ['a stage without a promotion template', 'bare', ID_A, 'FailedPrecondition', 'stage "bare" has no promotion steps, so it cannot be promoted to'],
    ['unknown freight', 'dev', 'ghost', 'NotFound', 'freight "ghost" not found in project "demo"'],
    [
      'freight not available to the stage',
      'prod',
      'agile-alpaca',
      'FailedPrecondition',
      'freight agile-alpaca is not available to stage "prod": it must first be verified in its upstream stage (not verified in "dev"), or approved for "prod"',
    ],
  ])('refuses %s', (_, stage, freight, code, message) => {
    // arrange
    const state = project();

    // act
    const issue = promotionIssue(state, stage, freight, NOW);

    // assert
    expect(issue).toBeInstanceOf(DomainError);
    expect({ code: issue?.code, message: issue?.message }).toEqual({ code, message });
  });

  it('checks the stage before the freight', () => {
    // arrange
    const state = project();

    // act
    const issue = promotionIssue(state, 'hub', 'ghost', NOW);

    // assert
    expect(issue?.message).toBe('stage "hub" has no promotion steps, so it cannot be promoted to');
  });

  it.each<[string, string, string, (s: ProjectState) => void]>([
    ['by id, direct from the warehouse', 'dev', ID_A, () => {}],
    ['by alias, direct from the warehouse', 'dev', 'agile-alpaca', () => {}],
    ['verified upstream', 'prod', ID_A, (s) => (s.freight[ID_A]!.verifiedIn['dev'] = { verifiedAt: T0 })],
    ['approved for the stage', 'prod', 'agile-alpaca', (s) => (s.freight[ID_A]!.approvedFor['prod'] = { approvedAt: T0 })],
  ])('allows freight %s', (_, stage, freight, arrange) => {
    // arrange
    const state = project();
    arrange(state);

    // act
    const issue = promotionIssue(state, stage, freight, NOW);

    // assert
    expect(issue).toBeUndefined();
  });
});

describe('queuePromotion', () => {
  const NOW_MS = T0_MS + MINUTE;
  const NOW = at(MINUTE);

  function opts(extra: { actor?: string } = {}) {
    return { nowMs: NOW_MS, now: NOW, random: sequence(0.1, 0.7, 0.3), workflowIdFor: (name: string) => `demo/${name}`, ...extra };
  }

  it('names the promotion <stage>.<ulid>.<first 7 of the freight id> and queues it Pending', () => {
    // arrange
    const freight = aFreight(ID_A, { alias: 'agile-alpaca' });
    const state = aState({ stages: [aStage('dev')], freight: [freight] });

    // act
    const record = queuePromotion(state, 'dev', freight, opts({ actor: 'alice' }));

    // assert
    const name = `dev.${ulid(NOW_MS, sequence(0.1, 0.7, 0.3))}.a1b2c3d`;
    expect(record.name).toMatch(/^dev\.[0-9a-hjkmnp-tv-z]{26}\.a1b2c3d$/);
    expect(record).toEqual({
      name,
      stage: 'dev',
      freight: ID_A,
      freightAlias: 'agile-alpaca',
      origin: 'app',
      phase: 'Pending',
      createdAt: NOW,
      actor: 'alice',
      workflowId: `demo/${name}`,
      steps: [],
    });
    expect(state.promotions).toEqual([record]);
    expect(state.stages['dev']!.queue).toEqual([name]);
    expect(state.updatedAt).toBe(NOW);
  });

  it('records no actor when none is given', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });

    // act
    const record = queuePromotion(state, 'dev', freight, opts());

    // assert
    expect(record).not.toHaveProperty('actor');
  });

  it('queues behind earlier promotions, names sorting in creation order', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    const first = queuePromotion(state, 'dev', freight, { ...opts(), random: sequence(0.99) });

    // act
    const second = queuePromotion(state, 'dev', freight, { ...opts(), nowMs: NOW_MS + 1, random: sequence(0) });

    // assert
    expect(state.stages['dev']!.queue).toEqual([first.name, second.name]);
    expect(first.name < second.name).toBe(true);
  });

  it('names promotions queued in the same millisecond in creation order', () => {
    // arrange: the second draw of randomness is smaller than the first
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    const first = queuePromotion(state, 'dev', freight, { ...opts(), random: sequence(0.99) });

    // act
    const second = queuePromotion(state, 'dev', freight, { ...opts(), random: sequence(0) });

    // assert
    expect([first.name, second.name].sort()).toEqual([first.name, second.name]);
  });

  it('creates the stage state when the stage has none yet', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    delete state.stages['dev'];

    // act
    const record = queuePromotion(state, 'dev', freight, opts());

    // assert
    expect(state.stages['dev']).toEqual({ freightHistory: [], queue: [record.name] });
  });
});

describe('startablePromotions', () => {
  it('returns the queue head of every idle stage, in queue order', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev'), aStage('qa'), aStage('staging'), aStage('prod')], freight: [freight] });
    const p = (name: string, stage: string) => {
      state.promotions.push(aPromotion(name, stage, freight));
      state.stages[stage]!.queue.push(name);
    };
    p('dev.1', 'dev');
    p('dev.2', 'dev');
    p('qa.1', 'qa');
    p('staging.1', 'staging');
    state.stages['staging']!.currentPromotion = 'staging.0';

    // act
    const ready = startablePromotions(state);

    // assert
    expect(ready.map((r) => r.name)).toEqual(['dev.1', 'qa.1']);
    expect(state.stages['dev']!.queue).toEqual(['dev.1', 'dev.2']);
  });

  it('returns nothing when every stage is busy or idle with an empty queue', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev'), aStage('qa')], freight: [freight] });
    state.stages['dev']!.currentPromotion = 'dev.0';
    state.promotions.push(aPromotion('dev.1', 'dev', freight));
    state.stages['dev']!.queue.push('dev.1');

    // act
    const ready = startablePromotions(state);

    // assert
    expect(ready).toEqual([]);
  });

  it('drops a queued name with no promotion record and starts the next one', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    state.promotions.push(aPromotion('dev.2', 'dev', freight));
    state.stages['dev']!.queue = ['dev.gone', 'dev.2'];

    // act
    const ready = startablePromotions(state);

    // assert
    expect(state.stages['dev']!.queue).toEqual(['dev.2']);
    expect(ready.map((r) => r.name)).toEqual(['dev.2']);
  });
});

describe('markStarted', () => {
  it('moves the promotion from the queue to the current one and marks it Running', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    const promotion = aPromotion('dev.1', 'dev', freight);
    state.promotions.push(promotion, aPromotion('dev.2', 'dev', freight));
    state.stages['dev']!.queue = ['dev.1', 'dev.2'];
    const steps: StepRecord[] = [{ alias: 'step-1', uses: 'git-clone', status: 'Pending', errorCount: 0, continueOnError: false }];

    // act
    markStarted(state, promotion, steps, at(MINUTE));

    // assert
    expect(state.stages['dev']).toEqual({ freightHistory: [], queue: ['dev.2'], currentPromotion: 'dev.1' });
    expect(promotion).toMatchObject({ phase: 'Running', startedAt: at(MINUTE), steps });
    expect(state.updatedAt).toBe(at(MINUTE));
  });
});

describe('nextCollection', () => {
  it('holds only the freight when the stage holds nothing yet', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });

    // act
    const collection = nextCollection(state, 'dev', freight);

    // assert
    expect(collection.items).toEqual({ 'Warehouse/app': toReference(freight) });
  });

  it('carries the other origins over and replaces the slot of the freight origin', () => {
    // arrange
    const oldApp = aFreight(ID_A);
    const config = aFreight(ID_CFG, { origin: { kind: 'Warehouse', name: 'config' } });
    const newApp = aFreight(ID_B);
    const stage = aStage('dev', { requests: [request('app', { direct: true }), request('config', { direct: true })] });
    const state = aState({ stages: [stage], freight: [oldApp, config, newApp] });
    state.stages['dev']!.freightHistory = [
      { collection: { id: 'x', items: { 'Warehouse/app': toReference(oldApp), 'Warehouse/config': toReference(config) } }, promotedAt: T0 },
    ];

    // act
    const collection = nextCollection(state, 'dev', newApp);

    // assert
    expect(collection.items).toEqual({ 'Warehouse/app': toReference(newApp), 'Warehouse/config': toReference(config) });
  });

  it('gives the same id for the same freight, whatever the slot order, and another id for other freight', () => {
    // arrange
    const app = aFreight(ID_A);
    const config = aFreight(ID_CFG, { origin: { kind: 'Warehouse', name: 'config' } });
    const stage = aStage('dev', { requests: [request('app', { direct: true }), request('config', { direct: true })] });
    const appFirst = aState({ stages: [stage], freight: [app, config] });
    appFirst.stages['dev']!.freightHistory = [{ collection: { id: 'x', items: { 'Warehouse/app': toReference(app) } }, promotedAt: T0 }];
    const configFirst = aState({ stages: [stage], freight: [app, config] });
    configFirst.stages['dev']!.freightHistory = [{ collection: { id: 'y', items: { 'Warehouse/config': toReference(config) } }, promotedAt: T0 }];

    // act
    const one = nextCollection(appFirst, 'dev', config);
    const two = nextCollection(configFirst, 'dev', app);
    const alone = nextCollection(aState({ stages: [stage], freight: [app] }), 'dev', app);

    // assert
    expect(one.id).toBe(two.id);
    expect(alone.id).not.toBe(one.id);
  });

  it('does not change the stage state', () => {
    // arrange
    const freight = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [freight] });
    const before = structuredClone(state);

    // act
    nextCollection(state, 'dev', freight);

    // assert
    expect(state).toEqual(before);
  });
});

describe('finishPromotion', () => {
  const DONE = at(2 * HOUR);
  const DONE_MS = T0_MS + 2 * HOUR;

  function oneStage(stage: Stage = aStage('dev'), freight: FreightRecord[] = [aFreight(ID_A), aFreight(ID_B)]): ProjectState {
    return aState({ stages: [stage], freight });
  }

  it('records a success: promotion, stage history, currentlyIn and verifiedIn', () => {
    // arrange
    const state = oneStage();
    const freight = state.freight[ID_A]!;
    running(state, 'dev.1', 'dev', freight);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', DONE, { message: 'all good' }), DONE_MS);

    // assert
    expect(state.promotions[0]).toMatchObject({
      phase: 'Succeeded',
      message: 'all good',
      steps: STEPS,
      state: { 'step-1': { commit: 'abc' } },
      finishedAt: DONE,
    });
    expect(state.stages['dev']).toEqual({
      freightHistory: [{ collection: nextCollection(aState({ stages: [aStage('dev')] }), 'dev', freight), promotedAt: DONE, promotion: 'dev.1' }],
      queue: [],
      lastPromotion: { name: 'dev.1', freight: ID_A, phase: 'Succeeded', finishedAt: DONE },
    });
    expect(freight.currentlyIn).toEqual({ dev: { since: DONE } });
    expect(freight.verifiedIn).toEqual({ dev: { verifiedAt: DONE } });
    expect(state.updatedAt).toBe(DONE);
  });

  it.each<[string, VerificationSpec | undefined, boolean]>([
    ['no verification', undefined, true],
    ['a verification with only args', { args: [{ name: 'x', value: 'y' }] }, true],
    ['an empty analysisTemplates list', { analysisTemplates: [] }, true],
    ['analysis templates', { analysisTemplates: [{ name: 'smoke' }] }, false],
    ['a soak', { soak: { duration: '30m' } }, false],
  ])('with %s, marks the freight verified: %s', (_, verification, expectVerified) => {
    // arrange
    const state = oneStage(aStage('dev', verification ? { verification } : {}));
    const freight = state.freight[ID_A]!;
    running(state, 'dev.1', 'dev', freight);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', DONE), DONE_MS);

    // assert
    expect(freight.verifiedIn).toEqual(expectVerified ? { dev: { verifiedAt: DONE } } : {});
    expect(freight.currentlyIn).toEqual({ dev: { since: DONE } });
  });

  it.each<[string, { verifiedAt: string; longestSoakMs?: number } | undefined, { verifiedAt: string; longestSoakMs?: number } | undefined]>([
    ['verified, first time leaving', { verifiedAt: T0 }, { verifiedAt: T0, longestSoakMs: 90 * MINUTE }],
    ['verified, after a shorter earlier stay', { verifiedAt: T0, longestSoakMs: 10 * MINUTE }, { verifiedAt: T0, longestSoakMs: 90 * MINUTE }],
    ['verified, after a longer earlier stay', { verifiedAt: T0, longestSoakMs: 5 * HOUR }, { verifiedAt: T0, longestSoakMs: 5 * HOUR }],
    ['never verified', undefined, undefined],
  ])('makes the replaced freight leave the stage (%s), counting its stay toward longestSoakMs', (_, verifiedBefore, verifiedAfter) => {
    // arrange
    const state = oneStage();
    const old = state.freight[ID_A]!;
    const next = state.freight[ID_B]!;
    old.currentlyIn['dev'] = { since: at(30 * MINUTE) };
    if (verifiedBefore) old.verifiedIn['dev'] = verifiedBefore;
    state.stages['dev']!.freightHistory = [entry(old, at(30 * MINUTE), 'dev.0')];
    running(state, 'dev.1', 'dev', next);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', DONE), DONE_MS);

    // assert
    expect(old.currentlyIn).toEqual({});
    expect(old.verifiedIn['dev']).toEqual(verifiedAfter);
    expect(next.currentlyIn).toEqual({ dev: { since: DONE } });
  });

  it('keeps the occupancy of freight promoted again to the stage that holds it', () => {
    // arrange
    const state = oneStage();
    const freight = state.freight[ID_A]!;
    freight.currentlyIn['dev'] = { since: at(30 * MINUTE) };
    freight.verifiedIn['dev'] = { verifiedAt: at(30 * MINUTE) };
    state.stages['dev']!.freightHistory = [entry(freight, at(30 * MINUTE), 'dev.0')];
    running(state, 'dev.1', 'dev', freight);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', DONE), DONE_MS);

    // assert
    expect(freight.currentlyIn).toEqual({ dev: { since: at(30 * MINUTE) } });
    expect(freight.verifiedIn).toEqual({ dev: { verifiedAt: at(30 * MINUTE) } });
    expect(state.stages['dev']!.freightHistory.map((e) => e.promotion)).toEqual(['dev.1', 'dev.0']);
  });

  it('carries the other origins over: the carried freight stays in the stage', () => {
    // arrange
    const stage = aStage('dev', { requests: [request('app', { direct: true }), request('config', { direct: true })] });
    const oldApp = aFreight(ID_A);
    const newApp = aFreight(ID_B);
    const config = aFreight(ID_CFG, { origin: { kind: 'Warehouse', name: 'config' } });
    const state = oneStage(stage, [oldApp, newApp, config]);
    oldApp.currentlyIn['dev'] = { since: T0 };
    config.currentlyIn['dev'] = { since: T0 };
    state.stages['dev']!.freightHistory = [
      { collection: { id: 'x', items: { 'Warehouse/app': toReference(oldApp), 'Warehouse/config': toReference(config) } }, promotedAt: T0 },
    ];
    running(state, 'dev.1', 'dev', newApp);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', DONE), DONE_MS);

    // assert
    expect(state.stages['dev']!.freightHistory[0]!.collection.items).toEqual({
      'Warehouse/app': toReference(newApp),
      'Warehouse/config': toReference(config),
    });
    expect(config.currentlyIn).toEqual({ dev: { since: T0 } });
    expect(oldApp.currentlyIn).toEqual({});
    expect(newApp.currentlyIn).toEqual({ dev: { since: DONE } });
  });

  it(`keeps the newest ${FREIGHT_HISTORY_LENGTH} collections, newest first`, () => {
    // arrange
    const ids = Array.from({ length: 12 }, (_, i) => `${i.toString(16).padStart(2, '0')}${'0'.repeat(38)}`);
    const state = oneStage(aStage('dev'), ids.map((id) => aFreight(id)));

    // act
    ids.forEach((id, i) => {
      running(state, `dev.${i}`, 'dev', state.freight[id]!);
      finishPromotion(state, finished(`dev.${i}`, 'Succeeded', at(i * MINUTE)), T0_MS + i * MINUTE);
    });

    // assert
    const history = state.stages['dev']!.freightHistory;
    expect(history.map((e) => e.promotion)).toEqual(['dev.11', 'dev.10', 'dev.9', 'dev.8', 'dev.7', 'dev.6', 'dev.5', 'dev.4', 'dev.3', 'dev.2']);
    expect(history.map((e) => e.collection.items['Warehouse/app']!.name)).toEqual(ids.slice(2).reverse());
    expect(Object.values(state.freight).filter((f) => f.currentlyIn['dev']).map((f) => f.name)).toEqual([ids[11]]);
  });

  it.each<PromotionPhase>(['Failed', 'Errored', 'Aborted'])('records a %s promotion without changing what the stage holds', (phase) => {
    // arrange
    const state = oneStage();
    const old = state.freight[ID_A]!;
    const next = state.freight[ID_B]!;
    old.currentlyIn['dev'] = { since: T0 };
    old.verifiedIn['dev'] = { verifiedAt: T0 };
    state.stages['dev']!.freightHistory = [entry(old, T0, 'dev.0')];
    running(state, 'dev.1', 'dev', next);
    const freightBefore = structuredClone(state.freight);
    const historyBefore = structuredClone(state.stages['dev']!.freightHistory);

    // act
    finishPromotion(state, finished('dev.1', phase, DONE, { message: 'step "step-1" (git-clone) failed: boom' }), DONE_MS);

    // assert
    expect(state.freight).toEqual(freightBefore);
    expect(state.stages['dev']).toEqual({
      freightHistory: historyBefore,
      queue: [],
      lastPromotion: { name: 'dev.1', freight: ID_B, phase, finishedAt: DONE },
    });
    expect(state.promotions[0]).toMatchObject({ phase, message: 'step "step-1" (git-clone) failed: boom', finishedAt: DONE });
  });

  it('ignores a second finish of the same promotion', () => {
    // arrange
    const state = oneStage();
    running(state, 'dev.1', 'dev', state.freight[ID_A]!);
    finishPromotion(state, finished('dev.1', 'Failed', DONE, { message: 'first' }), DONE_MS);
    const before = structuredClone(state);

    // act
    finishPromotion(state, finished('dev.1', 'Succeeded', at(3 * HOUR), { message: 'second' }), DONE_MS + HOUR);

    // assert
    expect(state).toEqual(before);
  });

  it('ignores an unknown promotion', () => {
    // arrange
    const state = oneStage();
    const before = structuredClone(state);

    // act
    finishPromotion(state, finished('dev.nope', 'Succeeded', DONE), DONE_MS);

    // assert
    expect(state).toEqual(before);
  });

  it('removes a promotion aborted while queued from the queue, leaving the running one alone', () => {
    // arrange
    const state = oneStage();
    running(state, 'dev.1', 'dev', state.freight[ID_A]!);
    state.promotions.push(aPromotion('dev.2', 'dev', state.freight[ID_B]!));
    state.stages['dev']!.queue = ['dev.2'];

    // act
    finishPromotion(state, finished('dev.2', 'Aborted', DONE, { steps: [] }), DONE_MS);

    // assert
    expect(state.stages['dev']).toMatchObject({ currentPromotion: 'dev.1', queue: [] });
    expect(state.promotions.map((p) => [p.name, p.phase])).toEqual([
      ['dev.1', 'Running'],
      ['dev.2', 'Aborted'],
    ]);
  });

  it(`keeps the newest ${PROMOTIONS_KEPT_PER_STAGE} terminal promotions per stage`, () => {
    // arrange
    const stages = [aStage('dev'), aStage('qa')];
    const freight = aFreight(ID_C);
    const state = aState({ stages, freight: [freight] });
    for (let i = 0; i < PROMOTIONS_KEPT_PER_STAGE; i++) {
      state.promotions.push(aPromotion(`dev.${String(i).padStart(2, '0')}`, 'dev', freight, { phase: 'Failed', finishedAt: T0 }));
    }
    state.promotions.push(aPromotion('qa.00', 'qa', freight, { phase: 'Succeeded', finishedAt: T0 }));
    state.promotions.push(aPromotion('dev.99', 'dev', freight));
    state.stages['dev']!.queue = ['dev.99'];
    running(state, 'dev.20', 'dev', freight);

    // act
    finishPromotion(state, finished('dev.20', 'Succeeded', DONE), DONE_MS);

    // assert
    const names = state.promotions.map((p) => p.name);
    expect(names).not.toContain('dev.00');
    expect(names.filter((n) => n.startsWith('dev.') && n !== 'dev.99')).toHaveLength(PROMOTIONS_KEPT_PER_STAGE);
    expect(names).toContain('dev.01');
    expect(names).toContain('dev.20');
    expect(names).toContain('dev.99');
    expect(names).toContain('qa.00');
  });
});
