import { describe, expect, it } from '@jest/globals';
import {
  collectableFreight,
  collectFreight,
  DEFAULT_MAX_RETAINED_FREIGHT,
  DEFAULT_MIN_FREIGHT_DELETION_AGE_MS,
  retentionIssue,
  retentionOf,
} from '../../../core/project/retention.js';
import { nextCollection } from '../../../core/project/promotions.js';
import type { FreightRecord, ProjectState } from '../../../core/project/state.js';
import { aFreight, aPromotion, aState, at, HOUR, T0_MS } from './builders.js';
import { aStage } from '../../support/manifests.js';

const DAY = 24 * HOUR;
/** Far enough after T0 that every freight is past Kargo's minimum deletion age. */
const LATER = T0_MS + 100 * DAY;

/** `n` freight of warehouse `origin`, f0 the oldest, discovered an hour apart. */
function freightSeries(n: number, origin = 'app', prefix = 'f'): FreightRecord[] {
  return Array.from({ length: n }, (_, i) => aFreight(`${prefix}${i}`, { origin: { kind: 'Warehouse', name: origin }, discoveredAt: at(i * HOUR) }));
}

function holding(state: ProjectState, stage: string, freight: FreightRecord): void {
  state.stages[stage]!.freightHistory.unshift({ collection: nextCollection(state, stage, freight), promotedAt: at(0) });
}

describe('freight retention (Kargo garbage collector)', () => {
  it("uses Kargo's defaults, 20 freight and two weeks, when the project sets nothing", () => {
    expect(retentionOf(aState())).toEqual({ maxRetainedFreight: 20, minFreightDeletionAgeMs: 336 * HOUR });
    expect(DEFAULT_MAX_RETAINED_FREIGHT).toBe(20);
    expect(DEFAULT_MIN_FREIGHT_DELETION_AGE_MS).toBe(14 * DAY);
  });

  it('keeps everything while a warehouse has at most N freight', () => {
    const state = aState({ freight: freightSeries(5) });
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 5, minFreightDeletionAgeMs: 0 })).toEqual([]);
  });

  it('with nothing in use, keeps the newest N and drops the rest, oldest first', () => {
    // Kargo: firstToDeleteIndex = oldestInUseIndex (-1) + N + 1.
    const state = aState({ freight: freightSeries(6) });
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 3, minFreightDeletionAgeMs: 0 })).toEqual(['f0', 'f1', 'f2']);
    expect(collectFreight(state, LATER, { maxRetainedFreight: 3, minFreightDeletionAgeMs: 0 })).toEqual(['f0', 'f1', 'f2']);
    expect(Object.keys(state.freight).sort()).toEqual(['f3', 'f4', 'f5']);
  });

  it('keeps all freight newer than the oldest in use, and N older than it', () => {
    const state = aState({ stages: [aStage('dev')], freight: freightSeries(10) });
    holding(state, 'dev', state.freight.f5!);
    // Sorted newest first: f9..f5 (f5 in use at index 4), then N = 2 more (f4, f3) spared.
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 2, minFreightDeletionAgeMs: 0 })).toEqual(['f0', 'f1', 'f2']);
  });

  it("counts only a stage's current collection as in use, not its older freight history", () => {
    const state = aState({ stages: [aStage('dev')], freight: freightSeries(6) });
    holding(state, 'dev', state.freight.f0!);
    holding(state, 'dev', state.freight.f5!);
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 })).toEqual(['f0', 'f1', 'f2', 'f3']);
  });

  it('spares freight younger than the minimum deletion age, even past N', () => {
    const state = aState({ freight: freightSeries(6) });
    // At 7.5h: f0 (7.5h old) and f1 (6.5h) are past 6h; f2 (5.5h) is not, though past N.
    const now = T0_MS + 7.5 * HOUR;
    expect(collectableFreight(state, now, { maxRetainedFreight: 1, minFreightDeletionAgeMs: 6 * HOUR })).toEqual(['f0', 'f1']);
  });

  it('never drops freight a queued or running promotion or a pending verification needs', () => {
    const state = aState({ stages: [aStage('dev'), aStage('qa')], freight: freightSeries(6) });
    state.promotions.push(aPromotion('p-queued', 'dev', state.freight.f0!, { phase: 'Pending' }));
    state.promotions.push(aPromotion('p-done', 'dev', state.freight.f1!, { phase: 'Succeeded' }));
    state.stages.qa!.currentVerification = {
      id: 'v', stage: 'qa', collection: 'c', freight: ['f2'], phase: 'Pending', workflowId: 'wf-v',
    };
    // f0 in use (queued promotion) is the oldest in use: nothing older to drop.
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 0, minFreightDeletionAgeMs: 0 })).toEqual([]);
    state.promotions[0]!.phase = 'Aborted';
    // Now f2 (pending verification) is the oldest in use; f1 (only a finished promotion) is not.
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 0, minFreightDeletionAgeMs: 0 })).toEqual(['f0', 'f1']);
  });

  it('counts each warehouse on its own', () => {
    const state = aState({ freight: [...freightSeries(4, 'app', 'a'), ...freightSeries(2, 'web', 'w')] });
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 2, minFreightDeletionAgeMs: 0 })).toEqual(['a0', 'a1']);
  });

  it('orders freight discovered in the same instant by creation order', () => {
    const same = ['x', 'y', 'z'].map((n) => aFreight(n, { discoveredAt: at(0) }));
    const state = aState({ freight: same });
    expect(collectableFreight(state, LATER, { maxRetainedFreight: 1, minFreightDeletionAgeMs: 0 })).toEqual(['x', 'y']);
  });

  it('takes the project setting over the defaults', () => {
    const state = aState({ freight: freightSeries(30) });
    expect(collectableFreight(state, LATER)).toHaveLength(30 - 20);
    state.retention = { maxRetainedFreight: 3 };
    expect(retentionOf(state)).toEqual({ maxRetainedFreight: 3, minFreightDeletionAgeMs: DEFAULT_MIN_FREIGHT_DELETION_AGE_MS });
    expect(collectableFreight(state, LATER)).toHaveLength(30 - 3);
  });

  it('refuses settings that are not whole numbers in range, saying which', () => {
    expect(retentionIssue({ maxRetainedFreight: 5, minFreightDeletionAgeMs: 0 })).toBeUndefined();
    expect(retentionIssue({ maxRetainedFreight: -1 })?.message).toMatch(/maxRetainedFreight must be a whole number from 0 to 1000, got -1/);
    expect(retentionIssue({ maxRetainedFreight: 2.5 })?.code).toBe('BadRequest');
    expect(retentionIssue({ maxRetainedFreight: 5000 })?.message).toMatch(/got 5000/);
    expect(retentionIssue({ minFreightDeletionAgeMs: -5 })?.message).toMatch(/minFreightDeletionAge must be zero or more/);
    expect(retentionIssue({ minFreightDeletionAgeMs: Number.NaN })?.code).toBe('BadRequest');
  });
});
