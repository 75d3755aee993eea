import { renderFreight, renderFreightList, renderStage } from '../../../api/views.js';
import { freightPage, freightRead, MAX_FREIGHT_PAGE, projectCounts, stageReadState } from '../../../core/project/reads.js';
import { lastVerificationIn } from '../../../core/project/verification-status.js';
import type { ProjectState } from '../../../core/project/state.js';
import { aFreight, demoState, FREIGHT_A, FREIGHT_B } from '../../api/support.js';

const NOW = Date.parse('2026-01-03T00:00:00Z');

/** The demo pipeline with staging promoting freight A (running) and a verification on dev. */
function busyState(): ProjectState {
  const state = demoState();
  state.stages['staging'] = { freightHistory: [], queue: [], currentPromotion: 'staging.000002.aaaaaaa' };
  state.promotions.push({
    name: 'staging.000002.aaaaaaa',
    stage: 'staging',
    freight: FREIGHT_A,
    freightAlias: 'tidy-otter',
    origin: 'Warehouse/app',
    phase: 'Running',
    createdAt: '2026-01-02T00:00:00.000Z',
    workflowId: `promotion:demo:staging:${FREIGHT_A}`,
    steps: [{ alias: 'clone', uses: 'git-clone', status: 'Running', errorCount: 0, startedAt: '2026-01-02T00:00:01.000Z' }],
  });
  state.stages['dev']!.freightHistory[0]!.verificationHistory = [
    { id: 'v1', collection: 'c'.repeat(40), phase: 'Successful', startTime: '2026-01-01T00:10:30.000Z', finishTime: '2026-01-01T00:11:00.000Z' } as never,
  ];
  return state;
}

describe('stageReadState', () => {
  it.each(['dev', 'staging', 'prod'])('renders stage %s exactly as the whole state does', (stage) => {
    const state = busyState();
    const read = stageReadState(state, stage)!;
    expect(renderStage(read, state.specs.stages[stage]!, NOW)).toEqual(renderStage(state, state.specs.stages[stage]!, NOW));
  });

  it('leaves out the other stages and their promotions', () => {
    const read = stageReadState(busyState(), 'staging')!;
    expect(Object.keys(read.stages)).toEqual(['staging']);
    expect(read.promotions.map((p) => p.name)).toEqual(['staging.000002.aaaaaaa']);
  });

  it('is undefined for an unknown stage', () => {
    expect(stageReadState(busyState(), 'qa')).toBeUndefined();
  });
});

describe('freightRead', () => {
  it('finds freight by id and by alias, with its verifications', () => {
    const state = busyState();
    const byId = freightRead(state, FREIGHT_A)!;
    expect(freightRead(state, 'tidy-otter')).toEqual(byId);
    expect(byId.freight.name).toBe(FREIGHT_A);
    expect(byId.lastVerificationIn).toEqual(lastVerificationIn(state, FREIGHT_A));
    expect(Object.keys(byId.lastVerificationIn)).toEqual(['dev']);
  });

  it('is undefined for an unknown id or alias', () => {
    expect(freightRead(busyState(), 'no-such-freight')).toBeUndefined();
  });
});

describe('freightPage', () => {
  function manyFreight(n: number): ProjectState {
    const state = demoState();
    state.freight = {};
    for (let i = 0; i < n; i++) {
      const f = aFreight(String(i).padStart(40, '0'), `f-${i}`, { discoveredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      state.freight[f.name] = f;
    }
    return state;
  }

  it('is every freight newest first when no page is asked, as the list view shows them', () => {
    const state = busyState();
    const page = freightPage(state);
    expect(page.total).toBe(2);
    expect(page.items.map((r) => r.freight.name)).toEqual([FREIGHT_B, FREIGHT_A]);
    expect(page.items.map((r) => renderFreight(state.project, r.freight, r.lastVerificationIn))).toEqual(renderFreightList(state).items);
  });

  it('pages through the freight with offset and limit', () => {
    const state = manyFreight(5);
    expect(freightPage(state, { limit: 2 }).items.map((r) => r.freight.alias)).toEqual(['f-4', 'f-3']);
    expect(freightPage(state, { offset: 2, limit: 2 }).items.map((r) => r.freight.alias)).toEqual(['f-2', 'f-1']);
    expect(freightPage(state, { offset: 4, limit: 2 }).items.map((r) => r.freight.alias)).toEqual(['f-0']);
    expect(freightPage(state, { offset: 9, limit: 2 })).toEqual({ items: [], total: 5 });
  });

  it('caps a page at MAX_FREIGHT_PAGE and reads a negative offset as 0', () => {
    const state = manyFreight(MAX_FREIGHT_PAGE + 5);
    expect(freightPage(state, { limit: MAX_FREIGHT_PAGE + 5 }).items).toHaveLength(MAX_FREIGHT_PAGE);
    expect(freightPage(state, { offset: -3, limit: 1 }).items[0]!.freight.alias).toBe(`f-${MAX_FREIGHT_PAGE + 4}`);
  });
});

describe('projectCounts', () => {
  it('counts stages, warehouses and freight', () => {
    expect(projectCounts(busyState())).toEqual({ stages: 3, warehouses: 1, freight: 2 });
  });
});
