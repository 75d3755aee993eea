import { describe, expect, it } from '@jest/globals';
import { jsonSize } from '../../../core/payload-budget.js';
import { nextCollection } from '../../../core/project/promotions.js';
import type { FreightRecord, ProjectState } from '../../../core/project/state.js';
import {
  applyGrowth,
  measureState,
  nearBudget,
  requestGrowth,
  shrinkToFit,
  STATE_BUDGET_BYTES,
  STATE_SHRINK_TARGET_BYTES,
  STATE_SHRINK_TRIGGER_BYTES,
  STATE_WARN_BYTES,
  stateBudgetIssue,
} from '../../../core/project/state-budget.js';
import { aFreight, aPromotion, aState, at, HOUR, T0_MS } from './builders.js';
import { aStage } from '../../support/manifests.js';

/** A freight record of about `bytes` bytes of JSON (padding in its metadata). */
function bigFreight(name: string, bytes: number, discoveredMs: number): FreightRecord {
  return aFreight(name, { discoveredAt: at(discoveredMs), metadata: { pad: 'p'.repeat(bytes) } });
}

function stateOf(freightCount: number, bytesEach: number): ProjectState {
  const freight = Array.from({ length: freightCount }, (_, i) => bigFreight(`f${i}`, bytesEach, i * HOUR));
  return aState({ stages: [aStage('dev')], freight });
}

describe('the project state budget', () => {
  it('is half the payload limit, with the warning at Temporal’s warning threshold and shrinking to three quarters', () => {
    expect(STATE_BUDGET_BYTES).toBe(1024 * 1024);
    expect(STATE_SHRINK_TARGET_BYTES).toBe(768 * 1024);
    expect(STATE_WARN_BYTES).toBe(512 * 1024);
  });

  it('measures the JSON size of the state, not counting the previous measurement', () => {
    const state = stateOf(3, 1000);
    const size = measureState(state);
    expect(size.bytes).toBe(jsonSize(state).bytes);
    state.size = size;
    expect(measureState(state).bytes).toBe(size.bytes);
    expect(size).toMatchObject({ budgetBytes: STATE_BUDGET_BYTES, warnBytes: STATE_WARN_BYTES });
  });

  it('warns past the warning threshold only', () => {
    expect(nearBudget(measureState(stateOf(3, 1000)))).toBe(false);
    expect(nearBudget(measureState(stateOf(6, 100 * 1024)))).toBe(true);
  });

  it('lets a change through while the state and the change fit the budget', () => {
    expect(stateBudgetIssue(stateOf(3, 1000), 'apply', requestGrowth({ manifests: ['x'] }))).toBeUndefined();
  });

  it('refuses a change that would take the state past the budget, saying so and how to free room', () => {
    const state = stateOf(9, 100 * 1024);
    const issue = stateBudgetIssue(state, 'apply', requestGrowth({ pad: 'q'.repeat(200 * 1024) }));
    expect(issue?.code).toBe('PayloadTooLarge');
    expect(issue?.message).toMatch(/^apply is refused: project "demo" state is 90\d\.\d KiB and the change adds about 200 KiB, past its budget of 1 MiB/);
    expect(issue?.message).toContain('shunt project prune demo --keep-freight <N>');
  });

  it('refuses even a small change once the state itself is over the budget', () => {
    const state = stateOf(11, 100 * 1024);
    expect(stateBudgetIssue(state, 'promote', requestGrowth({ stage: 'dev', freight: 'f1' }))?.message).toMatch(/promote is refused/);
  });

  it('leaves a state within the budget unchanged when asked to shrink', () => {
    const state = stateOf(30, 1000);
    expect(shrinkToFit(state, T0_MS + 1000 * HOUR)).toMatchObject({ droppedFreight: [], droppedPromotions: [] });
    expect(Object.keys(state.freight)).toHaveLength(30);
  });

  it('shrinks a state over the budget by retention regardless of age, then drops unused freight oldest first, keeping what stages use and the newest', () => {
    const state = stateOf(15, 100 * 1024);
    state.stages.dev!.freightHistory.unshift({ collection: nextCollection(state, 'dev', state.freight.f2!), promotedAt: at(0) });
    // Freight is all younger than two weeks: plain retention would drop nothing.
    const shrunk = shrinkToFit(state, T0_MS + 20 * HOUR);
    expect(shrunk.after).toBeLessThanOrEqual(STATE_SHRINK_TARGET_BYTES);
    expect(shrunk.before).toBeGreaterThan(STATE_BUDGET_BYTES);
    expect(state.freight.f2).toBeDefined();
    expect(state.freight.f14).toBeDefined();
    // f0 goes by a retention of one (older than f2 in use plus one); then f1, f3, ... oldest first.
    expect(shrunk.droppedFreight).toEqual(['f0', 'f1', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']);
    expect(Object.keys(state.freight)).toHaveLength(7);
  });

  it('then keeps only the newest finished promotion of each stage, and every unfinished one', () => {
    const state = stateOf(1, 10);
    const f = state.freight.f0!;
    state.stages.dev!.freightHistory.unshift({ collection: nextCollection(state, 'dev', f), promotedAt: at(0) });
    const pad = 'z'.repeat(60 * 1024);
    for (let i = 0; i < 20; i++) state.promotions.push(aPromotion(`dev.p${i}`, 'dev', f, { phase: 'Succeeded', message: pad }));
    state.promotions.push(aPromotion('dev.running', 'dev', f, { phase: 'Running' }));
    const shrunk = shrinkToFit(state, T0_MS);
    expect(state.promotions.map((p) => p.name)).toEqual(['dev.p19', 'dev.running']);
    expect(shrunk.droppedPromotions).toHaveLength(19);
    expect(shrunk.after).toBeLessThanOrEqual(STATE_SHRINK_TARGET_BYTES);
  });

  it('shrinks from 7/8 of the budget on when asked: promotion records oldest first, then older freight history, never a stage\'s current freight', () => {
    expect(STATE_SHRINK_TRIGGER_BYTES).toBe(896 * 1024);
    // 200 stages, each with a full freight history (10 entries) and 20 finished promotions.
    const stages = Array.from({ length: 200 }, (_, i) => aStage(`s${i}`));
    const freight = Array.from({ length: 10 }, (_, i) => aFreight(`f${i}`, { discoveredAt: at(i * HOUR) }));
    const state = aState({ stages, freight });
    let n = 0;
    for (let round = 0; round < 20; round++) {
      for (const stage of stages) {
        const name = stage.metadata.name;
        const f = freight[round % 10]!;
        if (round >= 10) state.stages[name]!.freightHistory.unshift({ collection: nextCollection(state, name, f), promotedAt: at(n), promotion: `${name}.p${round}` });
        state.stages[name]!.freightHistory.splice(10);
        state.promotions.push(aPromotion(`${name}.p${round}`, name, f, { phase: 'Succeeded', createdAt: at(n++), message: 'm'.repeat(200) }));
      }
    }
    const before = measureState(state).bytes;
    expect(before).toBeGreaterThan(STATE_BUDGET_BYTES);
    const current = Object.fromEntries(Object.entries(state.stages).map(([name, s]) => [name, s.freightHistory[0]]));
    const untouched = structuredClone(state);
    expect(shrinkToFit(untouched, T0_MS, { above: STATE_SHRINK_TRIGGER_BYTES, gradual: false }).droppedHistoryEntries).toBe(0);

    const shrunk = shrinkToFit(state, T0_MS, { above: STATE_SHRINK_TRIGGER_BYTES, gradual: true });
    expect(shrunk.after).toBeLessThanOrEqual(STATE_SHRINK_TARGET_BYTES);
    // The records dropped are the oldest: every kept one is newer, or its stage's newest.
    const kept = new Set(state.promotions.map((p) => p.name));
    const newestDropped = Math.max(...shrunk.droppedPromotions.map((name) => Number(name.split('.p')[1])));
    expect(state.promotions.every((p) => Number(p.name.split('.p')[1]) >= newestDropped || p.name.endsWith('.p19'))).toBe(true);
    for (const stage of stages) expect(kept.has(`${stage.metadata.name}.p19`)).toBe(true);
    for (const [name, s] of Object.entries(state.stages)) expect(s.freightHistory[0]).toEqual(current[name]);

    // Under the trigger nothing is dropped.
    expect(shrinkToFit(state, T0_MS, { above: STATE_SHRINK_TRIGGER_BYTES, gradual: true })).toMatchObject({ droppedPromotions: [], droppedHistoryEntries: 0 });
  });

  it('drops no freight between 7/8 of the budget and the budget, only finished promotion records', () => {
    const state = stateOf(12, 73 * 1024);
    const f = state.freight.f0!;
    for (let i = 0; i < 20; i++) state.promotions.push(aPromotion(`dev.p${i}`, 'dev', f, { phase: 'Succeeded', message: 'm'.repeat(2 * 1024) }));
    const before = measureState(state).bytes;
    expect(before).toBeGreaterThan(STATE_SHRINK_TRIGGER_BYTES);
    expect(before).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    const shrunk = shrinkToFit(state, T0_MS + 1000 * HOUR, { above: STATE_SHRINK_TRIGGER_BYTES, gradual: true });
    expect(shrunk.droppedFreight).toEqual([]);
    expect(Object.keys(state.freight)).toHaveLength(12);
    // The target is out of reach without freight: every record but the stage's newest goes, oldest first.
    expect(state.promotions.map((p) => p.name)).toEqual(['dev.p19']);
  });

  it('counts an apply by how much it grows the specs, plus the freight it creates', () => {
    const state = stateOf(1, 10);
    const warehouse = state.specs.warehouses.app!;
    // Re-applying what the project has adds nothing.
    expect(applyGrowth(state, { resources: [warehouse], clusterTasks: [] })).toBe(0);
    const bigger = { ...warehouse, metadata: { ...warehouse.metadata, annotations: { note: 'n'.repeat(1000) } } };
    expect(applyGrowth(state, { resources: [bigger], clusterTasks: [] })).toBeGreaterThan(1000);
    const stage = aStage('qa');
    expect(applyGrowth(state, { resources: [stage], clusterTasks: [] })).toBe(jsonSize(stage).bytes + jsonSize('qa').bytes + 2);
  });
});
