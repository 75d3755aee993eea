import { promotionIssue, queuePromotion, toReference } from '../../../core/project/promotions.js';
import { abortIssue, claimWorkspaces, queueRetry, retryIssue } from '../../../core/project/retry-abort.js';
import type { PromotionPhase } from '../../../core/promotion/types.js';
import { aFreight, aPromotion, aState, sequence, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const ID_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function withPromotion(phase: PromotionPhase) {
  const freight = aFreight(ID_A);
  const state = aState({ stages: [aStage('dev')], freight: [freight] });
  state.promotions.push(aPromotion('dev.p1', 'dev', freight, { phase }));
  return state;
}

const opts = { nowMs: T0_MS, now: T0, random: sequence(0.5), workflowIdFor: (n: string) => `wf-${n}` };

describe('abortIssue', () => {
  it.each<[PromotionPhase, string | undefined]>([
    ['Pending', undefined],
    ['Running', undefined],
    ['Succeeded', 'FailedPrecondition: promotion dev.p1 has already finished (Succeeded); only pending or running promotions can be aborted'],
    ['Failed', 'FailedPrecondition: promotion dev.p1 has already finished (Failed); only pending or running promotions can be aborted'],
    ['Aborted', 'FailedPrecondition: promotion dev.p1 has already finished (Aborted); only pending or running promotions can be aborted'],
  ])('a %s promotion: %s', (phase, expected) => {
    const issue = abortIssue(withPromotion(phase), 'dev.p1');
    expect(issue ? `${issue.code}: ${issue.message}` : undefined).toBe(expected);
  });

  it('an unknown promotion is NotFound', () => {
    const issue = abortIssue(withPromotion('Running'), 'dev.nope');
    expect(`${issue?.code}: ${issue?.message}`).toBe('NotFound: promotion "dev.nope" not found in project "demo"');
  });
});

describe('retryIssue', () => {
  it.each<[PromotionPhase, string | undefined]>([
    ['Failed', undefined],
    ['Errored', undefined],
    ['Aborted', undefined],
    ['Succeeded', 'FailedPrecondition: promotion dev.p1 succeeded; only failed, errored or aborted promotions can be retried'],
    ['Running', 'FailedPrecondition: promotion dev.p1 is still running; abort it first or wait for it to end'],
    ['Pending', 'FailedPrecondition: promotion dev.p1 is still pending; abort it first or wait for it to end'],
  ])('a %s promotion: %s', (phase, expected) => {
    const issue = retryIssue(withPromotion(phase), 'dev.p1', T0_MS);
    expect(issue ? `${issue.code}: ${issue.message}` : undefined).toBe(expected);
  });

  it('an unknown promotion is NotFound', () => {
    const issue = retryIssue(withPromotion('Failed'), 'dev.nope', T0_MS);
    expect(`${issue?.code}: ${issue?.message}`).toBe('NotFound: promotion "dev.nope" not found in project "demo"');
  });

  it('refuses when the freight has gone', () => {
    const state = withPromotion('Failed');
    delete state.freight[ID_A];
    const issue = retryIssue(state, 'dev.p1', T0_MS);
    expect(`${issue?.code}: ${issue?.message}`).toBe(`NotFound: freight "${ID_A}" not found in project "demo"`);
  });
});

describe('queueRetry and claimWorkspaces', () => {
  it('queues a new promotion of the same freight that names the one it retries', () => {
    // arrange
    const state = withPromotion('Failed');

    // act
    const retry = queueRetry(state, 'dev.p1', opts);

    // assert
    expect(retry).toMatchObject({ stage: 'dev', freight: ID_A, phase: 'Pending', retryOf: 'dev.p1' });
    expect(state.stages['dev']!.queue).toEqual([retry.name]);
  });

  it('hands the retried promotion\'s workspace over for resuming and the others for release, once', () => {
    // arrange
    const state = withPromotion('Failed');
    const kept = { workspaceKey: 'ws-1', taskQueue: 'shunt-worker:a', failedStep: 1, planDigest: 'd' };
    state.promotions[0]!.workspace = kept;
    state.promotions[0]!.steps = [{ alias: 'a', uses: 'git-clone', status: 'Succeeded', errorCount: 0 }];
    state.promotions[0]!.state = { a: { commit: 'x' } };
    state.promotions.push(aPromotion('dev.p0', 'dev', aFreight(ID_A), { phase: 'Errored', workspace: { ...kept, workspaceKey: 'ws-0' } }));
    const retry = queueRetry(state, 'dev.p1', opts);

    // act
    const claimed = claimWorkspaces(state, retry);
    const again = claimWorkspaces(state, retry);

    // assert
    expect(claimed.resume).toEqual({ workspace: kept, steps: state.promotions[0]!.steps, outputs: { a: { commit: 'x' } } });
    expect(claimed.stale).toEqual([{ workspaceKey: 'ws-0', taskQueue: 'shunt-worker:a' }]);
    expect(again).toEqual({ stale: [] });
  });
});

describe('rollback', () => {
  function rolledForward() {
    const old = aFreight(ID_A, { alias: 'old-owl' });
    const current = aFreight(ID_B, { alias: 'new-newt' });
    const state = aState({ stages: [aStage('dev'), aStage('prod', { requests: [request('app', { stages: ['dev'] })] })], freight: [old, current] });
    const entry = (f: typeof old) => ({ collection: { id: f.name, items: { 'Warehouse/app': toReference(f) } }, promotedAt: T0 });
    state.stages['prod']!.freightHistory = [entry(current), entry(old)];
    old.verifiedIn['dev'] = { verifiedAt: T0 };
    current.verifiedIn['dev'] = { verifiedAt: T0 };
    return state;
  }

  it('marks promoting older freight the stage has had as a rollback', () => {
    // arrange
    const state = rolledForward();

    // act
    const record = queuePromotion(state, 'prod', state.freight[ID_A]!, opts);

    // assert
    expect(promotionIssue(state, 'prod', 'old-owl', T0_MS)).toBeUndefined();
    expect(record.rollback).toBe(true);
  });

  it('does not call promoting the current freight again a rollback', () => {
    const state = rolledForward();
    expect(queuePromotion(state, 'prod', state.freight[ID_B]!, opts).rollback).toBeUndefined();
  });

  it('refuses a rollback that policy no longer allows, saying so', () => {
    // arrange: the stage now asks for a soak its old freight never had
    const state = rolledForward();
    state.specs.stages['prod']!.spec.requestedFreight = [request('app', { stages: ['dev'], requiredSoakTime: '1h' })];

    // act
    const issue = promotionIssue(state, 'prod', 'old-owl', T0_MS);

    // assert
    expect(issue?.code).toBe('FailedPrecondition');
    expect(issue?.message).toBe(
      'rolling stage "prod" back to freight old-owl is refused: freight old-owl is not available to stage "prod": it must first be verified in its upstream stage (soaked 0s of the required 3600s in "dev"), or approved for "prod"',
    );
  });
});
