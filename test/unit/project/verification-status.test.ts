import { toReference } from '../../../core/project/promotions.js';
import type { VerificationRecord } from '../../../core/project/state.js';
import { lastVerificationIn, verifiedCondition } from '../../../core/project/verification-status.js';
import { aFreight, aState, T0 } from './builders.js';
import { aStage } from '../../support/manifests.js';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);

function record(id: string, collection: string, freight: string, over: Partial<VerificationRecord> = {}): VerificationRecord {
  return { id, stage: 'dev', collection, freight: [freight], phase: 'Running', workflowId: `verification:demo:${id}`, startTime: T0, ...over };
}

/** dev held OLD (collection c-old), now holds NEW (collection c-new). */
function twoFreight() {
  const oldF = aFreight(OLD);
  const newF = aFreight(NEW);
  const state = aState({ stages: [aStage('dev', { verification: { soak: { duration: '1h' } } })], freight: [oldF, newF] });
  state.stages['dev']!.freightHistory = [
    { collection: { id: 'c-new', items: { 'Warehouse/app': toReference(newF) } }, promotedAt: '2024-01-01T01:00:00.000Z' },
    { collection: { id: 'c-old', items: { 'Warehouse/app': toReference(oldF) } }, promotedAt: T0 },
  ];
  return state;
}

describe('verifiedCondition: Kargo’s Verified condition of a stage', () => {
  it('is left out while the stage holds no freight', () => {
    const state = aState({ stages: [aStage('dev')] });
    expect(verifiedCondition(state, 'dev')).toBeUndefined();
    expect(verifiedCondition(state, 'nope')).toBeUndefined();
  });

  it('waits for verification when the current freight has none and is not verified', () => {
    expect(verifiedCondition(twoFreight(), 'dev')).toEqual({
      type: 'Verified',
      status: 'Unknown',
      reason: 'WaitingForVerification',
      message: 'Waiting for verification to be performed after successful promotion',
    });
  });

  it('is True for freight verified without records (a stage with no verification)', () => {
    const state = twoFreight();
    state.freight[NEW]!.verifiedIn['dev'] = { verifiedAt: T0 };
    expect(verifiedCondition(state, 'dev')).toMatchObject({ status: 'True', reason: 'Verified', message: 'Freight has been verified' });
  });

  it.each<[VerificationRecord['phase'], string | undefined, { status: string; reason: string; message: string }]>([
    ['Error', 'activity createAnalysisRun failed: boom', { status: 'False', reason: 'VerificationError', message: 'activity createAnalysisRun failed: boom' }],
    ['Failed', 'Metric "rate" assessed Failed', { status: 'False', reason: 'VerificationFailed', message: 'Metric "rate" assessed Failed' }],
    ['Aborted', 'aborted by alice', { status: 'False', reason: 'VerificationAborted', message: 'aborted by alice' }],
    ['Inconclusive', undefined, { status: 'Unknown', reason: 'VerificationInconclusive', message: 'verification dev.2 ended Inconclusive without a message' }],
    ['Error', undefined, { status: 'False', reason: 'VerificationError', message: 'verification dev.2 ended Error without a message' }],
  ])('a finished %s verification (message %s) carries its cause', (phase, message, expected) => {
    const state = twoFreight();
    state.stages['dev']!.freightHistory[0]!.verificationHistory = [
      record('dev.2', 'c-new', NEW, { phase, finishTime: '2024-01-01T02:00:00.000Z', ...(message ? { message } : {}) }),
    ];
    expect(verifiedCondition(state, 'dev')).toEqual({ type: 'Verified', lastTransitionTime: '2024-01-01T02:00:00.000Z', ...expected });
  });

  it('shows a running verification’s own message (e.g. that Shunt measures it), else Kargo’s', () => {
    const state = twoFreight();
    state.stages['dev']!.currentVerification = record('dev.3', 'c-new', NEW, { message: 'measured by Shunt: no Rollouts' });
    expect(verifiedCondition(state, 'dev')).toMatchObject({ status: 'Unknown', reason: 'VerificationRunning', message: 'measured by Shunt: no Rollouts' });
    state.stages['dev']!.currentVerification = record('dev.3', 'c-new', NEW, { phase: 'Pending' });
    expect(verifiedCondition(state, 'dev')).toMatchObject({ status: 'Unknown', reason: 'VerificationPending', message: 'Freight is pending verification' });
  });

  it('stays True once any verification of the current freight succeeded, saying how', () => {
    const state = twoFreight();
    state.stages['dev']!.freightHistory[0]!.verificationHistory = [
      record('dev.5', 'c-new', NEW, { phase: 'Error', message: 'later failure' }),
      record('dev.4', 'c-new', NEW, { phase: 'Successful', message: 'measured by Shunt: no Rollouts', finishTime: T0 }),
    ];
    expect(verifiedCondition(state, 'dev')).toEqual({
      type: 'Verified',
      status: 'True',
      reason: 'Verified',
      message: 'Freight has been verified (measured by Shunt: no Rollouts)',
      lastTransitionTime: T0,
    });
  });

  it('ignores verifications of freight the stage no longer holds', () => {
    const state = twoFreight();
    state.stages['dev']!.freightHistory[1]!.verificationHistory = [record('dev.1', 'c-old', OLD, { phase: 'Failed', message: 'old failure' })];
    expect(verifiedCondition(state, 'dev')).toMatchObject({ reason: 'WaitingForVerification' });
  });
});

describe('lastVerificationIn: a freight’s latest verification per stage', () => {
  it('gives each stage’s newest record of the freight’s collection, running ones first', () => {
    const state = twoFreight();
    state.stages['dev']!.freightHistory[1]!.verificationHistory = [
      record('dev.1', 'c-old', OLD, { phase: 'Error', message: 'the cause', finishTime: '2024-01-01T00:30:00.000Z' }),
    ];
    expect(lastVerificationIn(state, OLD)).toEqual({
      dev: { id: 'dev.1', phase: 'Error', message: 'the cause', startTime: T0, finishTime: '2024-01-01T00:30:00.000Z' },
    });
    expect(lastVerificationIn(state, NEW)).toEqual({});
    state.stages['dev']!.currentVerification = record('dev.2', 'c-new', NEW);
    expect(lastVerificationIn(state, NEW)).toEqual({ dev: { id: 'dev.2', phase: 'Running', startTime: T0 } });
    expect(lastVerificationIn(state, 'unknown')).toEqual({});
  });
});
