import { mergedSpecs, specIssues } from '../../../core/project/apply.js';
import { startablePromotions, toReference } from '../../../core/project/promotions.js';
import {
  abortVerificationIssue,
  finishVerification,
  pendingVerifications,
  requestVerification,
  stageTemplates,
  verificationConfigured,
  verifyIssue,
} from '../../../core/project/verification.js';
import type { AnalysisTemplate, ClusterAnalysisTemplate } from '../../../core/model.js';
import { aFreight, aPromotion, aState, sequence, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const smoke: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'smoke', namespace: 'demo' },
  spec: { args: [{ name: 'host' }], metrics: [{ name: 'up', provider: { web: { url: 'http://{{args.host}}' } } }] },
};

function verifiedStage() {
  const f = aFreight(ID, { alias: 'calm-cat' });
  const dev = aStage('dev', { verification: { analysisTemplates: [{ name: 'smoke' }], args: [{ name: 'host', value: 'dev.local' }] } });
  const test = aStage('test', { requests: [request('app', { stages: ['dev'] })] });
  const state = aState({ stages: [dev, test], freight: [f] });
  state.specs.analysisTemplates = { smoke };
  state.stages['dev']!.freightHistory = [{ collection: { id: 'c0ffee1234', items: { 'Warehouse/app': toReference(f) } }, promotedAt: T0 }];
  return state;
}
const opts = { now: T0, nowMs: T0_MS, random: sequence(0.25), workflowIdFor: (id: string) => `verification:demo:${id}` };

describe('verification settings at apply time', () => {
  it('accepts a stage whose templates exist and whose args all have values', () => {
    expect(specIssues('demo', verifiedStage().specs)).toEqual([]);
  });

  it.each<[string, (s: ReturnType<typeof verifiedStage>) => void, string]>([
    [
      'an unknown template',
      (s) => (s.specs.stages['dev']!.spec.verification!.analysisTemplates = [{ name: 'nope' }]),
      'Stage dev: spec.verification.analysisTemplates[0].name: unknown AnalysisTemplate "nope"; apply it in the project first (or in the same files)',
    ],
    [
      'an unknown ClusterAnalysisTemplate (a namespaced one of that name does not count)',
      (s) => (s.specs.stages['dev']!.spec.verification!.analysisTemplates = [{ name: 'smoke', kind: 'ClusterAnalysisTemplate' }]),
      'Stage dev: spec.verification.analysisTemplates[0].name: unknown ClusterAnalysisTemplate "smoke"; apply it first (or in the same files)',
    ],
    [
      'an arg without a value',
      (s) => delete s.specs.stages['dev']!.spec.verification!.args,
      'Stage dev: spec.verification: AnalysisTemplate smoke: argument "host" has no value: set it in the stage\'s verification.args',
    ],
  ])('refuses %s', (_, change, expected) => {
    const state = verifiedStage();
    change(state);
    expect(specIssues('demo', state.specs)).toEqual([expected]);
  });

  it("runs a ClusterAnalysisTemplate the cluster has, with the project's AnalysisTemplates, and checks its args", () => {
    const clusterSmoke: ClusterAnalysisTemplate = { ...smoke, kind: 'ClusterAnalysisTemplate', metadata: { name: 'cluster-smoke' } };
    const state = verifiedStage();
    const dev = state.specs.stages['dev']!;
    dev.spec.verification!.analysisTemplates = [{ name: 'smoke' }, { name: 'cluster-smoke', kind: 'ClusterAnalysisTemplate' }];
    const specs = mergedSpecs(state.specs, { resources: [], clusterTasks: [], clusterAnalysisTemplates: [clusterSmoke] });
    expect(specIssues('demo', specs)).toEqual([]);
    expect(stageTemplates({ ...state, specs }, dev).map((t) => [t.kind, t.metadata.name])).toEqual([
      ['AnalysisTemplate', 'smoke'],
      ['ClusterAnalysisTemplate', 'cluster-smoke'],
    ]);
    delete dev.spec.verification!.args;
    expect(specIssues('demo', specs)).toContain(
      'Stage dev: spec.verification: AnalysisTemplate cluster-smoke: argument "host" has no value: set it in the stage\'s verification.args',
    );
    // An apply that brings no cluster templates keeps the ones the project knows.
    expect(mergedSpecs(specs, { resources: [], clusterTasks: [] }).clusterAnalysisTemplates).toEqual({ 'cluster-smoke': clusterSmoke });
  });

  it('applies templates and stages that use them together', () => {
    const state = aState({ stages: [] });
    const specs = mergedSpecs(state.specs, { resources: [smoke, aStage('dev', { verification: { analysisTemplates: [{ name: 'smoke' }], args: [{ name: 'host', value: 'h' }] } })], clusterTasks: [] });
    expect(specIssues('demo', specs)).toEqual([]);
  });
});

describe('verification records', () => {
  it('knows which stages verify', () => {
    expect(verificationConfigured(aStage('a', { verification: { soak: { duration: '1h' } } }))).toBe(true);
    expect(verificationConfigured(aStage('a', { verification: {} }))).toBe(false);
    expect(verificationConfigured(aStage('a'))).toBe(false);
  });

  it('requests a verification of the current collection, named like a Kargo AnalysisRun, and holds the queue meanwhile', () => {
    // arrange
    const state = verifiedStage();
    state.promotions.push(aPromotion('dev.p2', 'dev', state.freight[ID]!));
    state.stages['dev']!.queue = ['dev.p2'];

    // act
    const record = requestVerification(state, 'dev', opts)!;

    // assert
    expect(record).toMatchObject({ stage: 'dev', collection: 'c0ffee1234', freight: [ID], phase: 'Pending' });
    expect(record.id).toMatch(/^dev\.[0-9a-z]{26}\.c0ffee1$/);
    expect(record.workflowId).toBe(`verification:demo:${record.id}`);
    expect(pendingVerifications(state)).toEqual([record]);
    expect(startablePromotions(state)).toEqual([]);
  });

  it('marks the freight verified only when the verification succeeds, and keeps the history', () => {
    // arrange
    const state = verifiedStage();
    const first = requestVerification(state, 'dev', opts)!;

    // act
    finishVerification(state, { id: first.id, stage: 'dev', phase: 'Failed', message: 'metric "up" assessed Failed', finishTime: T0 });

    // assert
    expect(state.freight[ID]!.verifiedIn['dev']).toBeUndefined();
    const second = requestVerification(state, 'dev', { ...opts, actor: 'ann' })!;
    finishVerification(state, { id: second.id, stage: 'dev', phase: 'Successful', finishTime: '2024-01-01T01:00:00.000Z' });
    expect(state.freight[ID]!.verifiedIn['dev']).toEqual({ verifiedAt: '2024-01-01T01:00:00.000Z' });
    expect(state.stages['dev']!.freightHistory[0]!.verificationHistory!.map((v) => [v.phase, v.actor])).toEqual([
      ['Successful', 'ann'],
      ['Failed', undefined],
    ]);
    expect(state.stages['dev']!.currentVerification).toBeUndefined();
  });

  it('ignores the end of a verification that is not the current one', () => {
    const state = verifiedStage();
    requestVerification(state, 'dev', opts);
    expect(finishVerification(state, { id: 'dev.other', stage: 'dev', phase: 'Successful', finishTime: T0 })).toBeUndefined();
    expect(state.freight[ID]!.verifiedIn['dev']).toBeUndefined();
  });

  it.each<[string, (s: ReturnType<typeof verifiedStage>) => void, string, string | undefined]>([
    ['a stage that can be verified', () => undefined, 'dev', undefined],
    ['an unknown stage', () => undefined, 'nope', 'NotFound: stage "nope" not found in project "demo"'],
    ['a stage without verification', () => undefined, 'test', 'FailedPrecondition: stage "test" has no verification configured (spec.verification)'],
    ['a stage without freight', (s) => (s.stages['dev']!.freightHistory = []), 'dev', 'FailedPrecondition: stage "dev" has no freight to verify yet'],
    ['a stage with a promotion running', (s) => (s.stages['dev']!.currentPromotion = 'dev.p9'), 'dev', 'FailedPrecondition: stage "dev" has a promotion running (dev.p9); verify after it ends'],
  ])('verifyIssue: %s', (_, arrange, stage, expected) => {
    const state = verifiedStage();
    arrange(state);
    const issue = verifyIssue(state, stage);
    expect(issue ? `${issue.code}: ${issue.message}` : undefined).toBe(expected);
  });

  it('refuses a second verification while one runs, and aborting when none does', () => {
    const state = verifiedStage();
    expect(abortVerificationIssue(state, 'dev')?.message).toBe('stage "dev" has no verification running');
    const record = requestVerification(state, 'dev', opts)!;
    expect(verifyIssue(state, 'dev')?.message).toBe(`verification ${record.id} of stage "dev" is still pending; abort it first`);
    expect(abortVerificationIssue(state, 'dev')).toBeUndefined();
  });
});
