import { applyHolds, autoPromotionEnabled, candidateFor, dueAutoPromotions, nameMatches, nextSoakDeadline, policyFor } from '../../../core/project/auto-promotion.js';
import { toReference } from '../../../core/project/promotions.js';
import type { ProjectConfig, PromotionPolicy, Stage } from '../../../core/model.js';
import type { ProjectState } from '../../../core/project/state.js';
import { aFreight, aPromotion, aState, at, HOUR, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function config(policies: PromotionPolicy[]): ProjectConfig {
  return { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'ProjectConfig', metadata: { name: 'demo', namespace: 'demo' }, spec: { promotionPolicies: policies } };
}

function labelled(name: string, labels: Record<string, string>): Stage {
  const s = aStage(name);
  s.metadata.labels = labels;
  return s;
}

describe('policyFor (first matching policy wins)', () => {
  it.each<[string, PromotionPolicy[], Stage, boolean | undefined]>([
    ['no policies', [], aStage('dev'), undefined],
    ['an exact name', [{ stageSelector: { name: 'dev' }, autoPromotionEnabled: true }], aStage('dev'), true],
    ['the deprecated stage field', [{ stage: 'dev', autoPromotionEnabled: true }], aStage('dev'), true],
    ['a regex', [{ stageSelector: { name: 'regex:^qa-' }, autoPromotionEnabled: true }], aStage('qa-east'), true],
    ['a regex that does not match', [{ stageSelector: { name: 'regexp:^qa-' }, autoPromotionEnabled: true }], aStage('prod'), undefined],
    ['a glob', [{ stageSelector: { name: 'glob:qa-*' }, autoPromotionEnabled: true }], aStage('qa-west'), true],
    ['matchLabels', [{ stageSelector: { matchLabels: { tier: 'test' } }, autoPromotionEnabled: true }], labelled('x', { tier: 'test' }), true],
    [
      'matchExpressions NotIn',
      [{ stageSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] }, autoPromotionEnabled: true }],
      labelled('x', { tier: 'prod' }),
      undefined,
    ],
    [
      'name AND labels',
      [{ stageSelector: { name: 'x', matchLabels: { tier: 'test' } }, autoPromotionEnabled: true }],
      labelled('x', { tier: 'prod' }),
      undefined,
    ],
    [
      'an earlier policy that disables it, over a later one that enables it',
      [{ stageSelector: { name: 'dev' }, autoPromotionEnabled: false }, { stageSelector: { name: 'glob:*' }, autoPromotionEnabled: true }],
      aStage('dev'),
      false,
    ],
  ])('%s', (_, policies, stage, expected) => {
    expect(policyFor(config(policies), stage)?.autoPromotionEnabled).toBe(expected);
  });

  it.each([['exact', 'exact', true], ['glob:a?c', 'abc', true], ['glob:a?c', 'abbc', false], ['regex:(', 'x', false]])('nameMatches(%s, %s) = %s', (p, n, e) => {
    expect(nameMatches(p as string, n as string)).toBe(e);
  });
});

function pipeline(policy: 'NewestFreight' | 'MatchUpstream' = 'NewestFreight'): ProjectState {
  const dev = aStage('dev');
  const test = aStage('test', {
    requests: [request('app', { stages: ['dev'], ...(policy === 'MatchUpstream' ? { autoPromotionOptions: { selectionPolicy: 'MatchUpstream' as const } } : {}) })],
  });
  const state = aState({
    stages: [dev, test],
    freight: [aFreight(A, { discoveredAt: at(0) }), aFreight(B, { discoveredAt: at(HOUR) }), aFreight(C, { discoveredAt: at(2 * HOUR) })],
  });
  state.specs.config = config([{ stageSelector: { name: 'glob:*' }, autoPromotionEnabled: true }]);
  return state;
}
const NOW = T0_MS + 3 * HOUR;
const hold = (state: ProjectState, stage: string, f: string) =>
  (state.stages[stage]!.freightHistory = [{ collection: { id: f, items: { 'Warehouse/app': toReference(state.freight[f]!) } }, promotedAt: T0 }]);

describe('candidateFor', () => {
  it('NewestFreight: the newest available freight', () => {
    const state = pipeline();
    expect(candidateFor(state, state.specs.stages['dev']!, state.specs.stages['dev']!.spec.requestedFreight[0]!, NOW)?.name).toBe(C);
  });

  it('NewestFreight downstream: the newest verified upstream', () => {
    const state = pipeline();
    state.freight[A]!.verifiedIn['dev'] = { verifiedAt: T0 };
    state.freight[B]!.verifiedIn['dev'] = { verifiedAt: T0 };
    const test = state.specs.stages['test']!;
    expect(candidateFor(state, test, test.spec.requestedFreight[0]!, NOW)?.name).toBe(B);
  });

  it('MatchUpstream: the available freight currently in the upstream stage, not the newest', () => {
    const state = pipeline('MatchUpstream');
    for (const f of [A, B]) state.freight[f]!.verifiedIn['dev'] = { verifiedAt: T0 };
    state.freight[A]!.currentlyIn['dev'] = { since: T0 };
    const test = state.specs.stages['test']!;
    expect(candidateFor(state, test, test.spec.requestedFreight[0]!, NOW)?.name).toBe(A);
    state.freight[B]!.currentlyIn['dev'] = { since: T0 };
    expect(candidateFor(state, test, test.spec.requestedFreight[0]!, NOW)).toBeUndefined();
  });
});

describe('dueAutoPromotions', () => {
  it('asks for the candidate in every enabled stage where it is not yet', () => {
    expect(dueAutoPromotions(pipeline(), NOW)).toEqual([{ stage: 'dev', freight: C, replaces: [] }]);
  });

  it('asks for nothing without an enabling policy', () => {
    const state = pipeline();
    delete state.specs.config;
    expect(autoPromotionEnabled(state, 'dev')).toBe(false);
    expect(dueAutoPromotions(state, NOW)).toEqual([]);
  });

  it.each<[string, (s: ProjectState) => void]>([
    ['the candidate is already in the stage', (s) => hold(s, 'dev', C)],
    ['a promotion of it is queued', (s) => s.promotions.push(aPromotion('dev.1', 'dev', s.freight[C]!))],
    ['a promotion of it is running', (s) => s.promotions.push(aPromotion('dev.1', 'dev', s.freight[C]!, { phase: 'Running' }))],
    ['its last promotion into the stage failed', (s) => s.promotions.push(aPromotion('dev.1', 'dev', s.freight[C]!, { phase: 'Failed' }))],
    ['a person\'s rollback holds the origin', (s) => (s.stages['dev']!.autoPromotionHolds = { 'Warehouse/app': { freight: A, promotion: 'dev.0', createdAt: T0 } })],
    ['the stage is a control-flow stage', (s) => delete s.specs.stages['dev']!.spec.promotionTemplate],
  ])('asks for nothing in dev when %s', (_, arrange) => {
    const state = pipeline();
    arrange(state);
    expect(dueAutoPromotions(state, NOW).filter((d) => d.stage === 'dev')).toEqual([]);
  });

  it('replaces an older auto-promotion still waiting in the queue, never a person\'s', () => {
    const state = pipeline();
    state.promotions.push(aPromotion('dev.1', 'dev', state.freight[A]!, { phase: 'Running', auto: true }));
    state.promotions.push(aPromotion('dev.2', 'dev', state.freight[B]!, { auto: true }));
    state.promotions.push(aPromotion('dev.3', 'dev', state.freight[A]!, { actor: 'ann' }));
    expect(dueAutoPromotions(state, NOW)).toEqual([{ stage: 'dev', freight: C, replaces: ['dev.2'] }]);
  });
});

describe('holds', () => {
  it('a person\'s successful rollback holds the origin; promoting the candidate again lifts it', () => {
    const state = pipeline();
    state.promotions.push(aPromotion('dev.1', 'dev', state.freight[A]!, { phase: 'Succeeded', actor: 'ann' }));
    applyHolds(state, 'dev.1', NOW, T0);
    expect(state.stages['dev']!.autoPromotionHolds).toEqual({ 'Warehouse/app': { freight: A, promotion: 'dev.1', actor: 'ann', createdAt: T0 } });
    state.promotions.push(aPromotion('dev.2', 'dev', state.freight[C]!, { phase: 'Succeeded', actor: 'ann' }));
    applyHolds(state, 'dev.2', NOW, T0);
    expect(state.stages['dev']!.autoPromotionHolds).toEqual({});
  });

  it('auto-promotions never set holds', () => {
    const state = pipeline();
    state.promotions.push(aPromotion('dev.1', 'dev', state.freight[A]!, { phase: 'Succeeded', auto: true }));
    applyHolds(state, 'dev.1', NOW, T0);
    expect(state.stages['dev']!.autoPromotionHolds).toBeUndefined();
  });
});

describe('nextSoakDeadline', () => {
  it('is when the earliest required soak upstream of an auto-promoted stage ends', () => {
    const state = pipeline();
    state.specs.stages['test']!.spec.requestedFreight = [request('app', { stages: ['dev'], requiredSoakTime: '1h' })];
    state.freight[A]!.verifiedIn['dev'] = { verifiedAt: T0 };
    state.freight[A]!.currentlyIn['dev'] = { since: at(2.5 * HOUR) };
    expect(nextSoakDeadline(state, NOW)).toBe(T0_MS + 3.5 * HOUR);
    expect(nextSoakDeadline(state, T0_MS + 4 * HOUR)).toBeUndefined();
  });
});
