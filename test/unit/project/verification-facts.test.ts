import { emptyProjectState } from '../../../core/project/apply.js';
import type { ProjectState, VerificationRecord } from '../../../core/project/state.js';
import { stageVerificationFacts } from '../../../core/project/verification-facts.js';
import { aStage } from '../../support/manifests.js';

const NOW = Date.parse('2026-01-01T01:00:00.000Z');

function stateWith(record: Partial<VerificationRecord>, finished: boolean): ProjectState {
  const state = emptyProjectState('demo', '2026-01-01T00:00:00.000Z');
  const stage = aStage('dev');
  stage.spec.verification = { analysisTemplates: [{ name: 'http-check' }], soak: { duration: '1h' } };
  state.specs.stages['dev'] = stage;
  state.specs.analysisTemplates = {
    'http-check': {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'http-check', namespace: 'demo' },
      spec: { metrics: [{ name: 'status', successCondition: 'result == 200', failureCondition: 'result >= 500', provider: { web: { url: 'http://x' } } }] },
    } as never,
  };
  const verification: VerificationRecord = {
    id: 'dev.01.ccccccc',
    stage: 'dev',
    collection: 'c',
    freight: ['f'],
    phase: 'Running',
    workflowId: 'verification:demo:dev.01',
    startTime: '2026-01-01T00:00:00.000Z',
    metrics: [
      {
        name: 'status',
        phase: 'Successful',
        count: 1,
        successful: 1,
        failed: 0,
        inconclusive: 0,
        error: 0,
        consecutiveError: 0,
        measurements: [{ phase: 'Successful', value: '200', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' } as never],
      },
    ],
    ...record,
  };
  state.stages['dev'] = {
    freightHistory: [{ collection: { id: 'c', items: {} }, promotedAt: '2026-01-01T00:00:00.000Z', ...(finished ? { verificationHistory: [verification] } : {}) }],
    queue: [],
    ...(finished ? {} : { currentVerification: verification }),
  };
  return state;
}

describe('stageVerificationFacts', () => {
  it('shows each metric with its measurements and conditions, and the soak served so far', () => {
    const facts = stageVerificationFacts(stateWith({ soakUntil: '2026-01-01T01:30:00.000Z' }, false), 'dev', NOW);
    expect(facts).toMatchObject({
      id: 'dev.01.ccccccc',
      phase: 'Running',
      metrics: [
        {
          name: 'status',
          phase: 'Successful',
          template: 'AnalysisTemplate/http-check',
          successCondition: 'result == 200',
          failureCondition: 'result >= 500',
          successful: 1,
          measurements: [expect.objectContaining({ value: '200', finishedAt: '2026-01-01T00:00:01.000Z' })],
        },
      ],
      soak: { required: '1h0m0s', served: '30m0s', complete: false, until: '2026-01-01T01:30:00.000Z' },
    });
  });

  it('counts the soak served in whole minutes while soaking', () => {
    const facts = stageVerificationFacts(stateWith({ soakUntil: '2026-01-01T01:30:00.000Z' }, false), 'dev', NOW + 59_000);
    expect(facts?.soak).toMatchObject({ served: '30m0s', complete: false });
  });

  it('shows the soak complete once the verification succeeded', () => {
    const facts = stageVerificationFacts(stateWith({ phase: 'Successful', finishTime: '2026-01-01T01:00:00.000Z' }, true), 'dev', NOW);
    expect(facts?.soak).toEqual({ required: '1h0m0s', served: '1h0m0s', complete: true });
  });

  it('is undefined for a stage without a verification of its freight', () => {
    expect(stageVerificationFacts(emptyProjectState('demo', '2026-01-01T00:00:00.000Z'), 'dev', NOW)).toBeUndefined();
  });
});
