import { settleControlFlowStages } from '../../../core/project/control-flow.js';
import { aFreight, aState, T0 } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

describe('settleControlFlowStages', () => {
  it('records freight available to a stage without steps as verified there, along a chain', () => {
    // arrange: dev (steps) -> gate (no steps) -> fan (no steps) -> prod (steps)
    const state = aState({
      stages: [
        aStage('dev'),
        aStage('gate', { requests: [request('app', { stages: ['dev'] })], steps: [] }),
        aStage('fan', { requests: [request('app', { stages: ['gate'] })], steps: [] }),
        aStage('prod', { requests: [request('app', { stages: ['fan'] })] }),
      ],
      freight: [aFreight('f1', { verifiedIn: { dev: { verifiedAt: T0 } } }), aFreight('f2')],
    });

    // act
    settleControlFlowStages(state, T0);

    // assert
    expect(Object.keys(state.freight.f1!.verifiedIn).sort()).toEqual(['dev', 'fan', 'gate']);
    expect(state.freight.f2!.verifiedIn).toEqual({});
  });

  it('verifies freight straight from the warehouse in a direct control-flow stage', () => {
    const state = aState({ stages: [aStage('entry', { steps: [] })], freight: [aFreight('f1')] });
    settleControlFlowStages(state, T0);
    expect(state.freight.f1!.verifiedIn).toEqual({ entry: { verifiedAt: T0 } });
  });

  it('leaves stages with steps alone', () => {
    const state = aState({ stages: [aStage('dev')], freight: [aFreight('f1')] });
    settleControlFlowStages(state, T0);
    expect(state.freight.f1!.verifiedIn).toEqual({});
  });
});
