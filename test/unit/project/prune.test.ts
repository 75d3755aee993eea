import { describe, expect, it } from '@jest/globals';
import { PROMOTIONS_KEPT_PER_STAGE, nextCollection } from '../../../core/project/promotions.js';
import { pruneIssue, pruneProject } from '../../../core/project/prune.js';
import { aFreight, aPromotion, aState, at, HOUR, T0_MS } from './builders.js';
import { aStage } from '../../support/manifests.js';

function project() {
  const freight = Array.from({ length: 8 }, (_, i) => aFreight(`f${i}`, { discoveredAt: at(i * HOUR) }));
  const state = aState({ stages: [aStage('dev')], freight });
  state.stages.dev!.freightHistory.unshift({ collection: nextCollection(state, 'dev', state.freight.f5!), promotedAt: at(0) });
  for (let i = 0; i < PROMOTIONS_KEPT_PER_STAGE + 5; i++) {
    state.promotions.push(aPromotion(`dev.p${i}`, 'dev', state.freight.f5!, { phase: 'Succeeded', state: { step: { n: i } } }));
  }
  return state;
}

describe('pruning a project', () => {
  it('keeps the new retention, drops freight past it, trims and caps promotion records', () => {
    const state = project();
    const outcome = pruneProject(state, { maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 }, T0_MS + 10 * HOUR, at(10 * HOUR));
    expect(outcome.retention).toEqual({ maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 });
    expect(state.retention).toEqual({ maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 });
    // f7, f6 newer than f5 (in dev), f4 the one older kept.
    expect(outcome.droppedFreight).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(Object.keys(state.freight).sort()).toEqual(['f4', 'f5', 'f6', 'f7']);
    expect(outcome.droppedPromotions).toBe(5);
    expect(state.promotions).toHaveLength(PROMOTIONS_KEPT_PER_STAGE);
    expect(state.promotions.every((p) => p.trimmed && p.state === undefined)).toBe(true);
    expect(outcome.bytesAfter).toBeLessThan(outcome.bytesBefore);
    expect(state.updatedAt).toBe(at(10 * HOUR));
  });

  it('keeps a setting not given, so a later prune with only one of them changes only that', () => {
    const state = project();
    pruneProject(state, { maxRetainedFreight: 3 }, T0_MS, at(0));
    pruneProject(state, { minFreightDeletionAgeMs: 0 }, T0_MS, at(0));
    expect(state.retention).toEqual({ maxRetainedFreight: 3, minFreightDeletionAgeMs: 0 });
  });

  it('with Kargo’s two weeks, drops nothing younger even past N', () => {
    const state = project();
    expect(pruneProject(state, { maxRetainedFreight: 0 }, T0_MS + 10 * HOUR, at(10 * HOUR)).droppedFreight).toEqual([]);
  });

  it('refuses bad settings, saying which', () => {
    expect(pruneIssue({ maxRetainedFreight: 2 })).toBeUndefined();
    expect(pruneIssue({ maxRetainedFreight: -2 })?.message).toMatch(/maxRetainedFreight must be a whole number from 0 to 1000, got -2/);
    expect(pruneIssue({ minFreightDeletionAgeMs: -1 })?.message).toMatch(/minFreightDeletionAge must be zero or more/);
  });
});
