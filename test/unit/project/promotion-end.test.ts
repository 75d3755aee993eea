import { endedRecord, withLiveStatus } from '../../../core/project/promotion-end.js';
import { STEP_MESSAGE_KEPT, trimPromotionRecord } from '../../../core/project/promotion-trim.js';
import { finishPromotion, type FinishedPromotion } from '../../../core/project/promotions.js';
import type { PromotionRecord, StepRecord } from '../../../core/project/state.js';
import type { PromotionPhase } from '../../../core/promotion/types.js';
import { aFreight, aPromotion, aState, at, HOUR, T0, T0_MS } from './builders.js';
import { aStage } from '../../support/manifests.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const DONE = at(HOUR);
const LONG = 'x'.repeat(STEP_MESSAGE_KEPT + 100);

/** A project with stage dev running promotion dev.1, as markStarted and a wait for approval leave it. */
function runningState() {
  const state = aState({ stages: [aStage('dev')], freight: [aFreight(ID)] });
  state.promotions.push(
    aPromotion('dev.1', 'dev', state.freight[ID]!, {
      phase: 'Running',
      startedAt: T0,
      actor: 'alice',
      message: 'waiting for approval (stage "dev" requires approval)',
      waitingForApproval: { gate: 'stage', since: T0 },
      steps: [{ alias: 'clone', uses: 'git-clone', status: 'Running', errorCount: 0 }],
    }),
  );
  state.stages['dev']!.currentPromotion = 'dev.1';
  return state;
}

/** What the promotion workflow returns when it ends. */
function result(phase: PromotionPhase, extra: Partial<FinishedPromotion> & { effects?: unknown[] } = {}): FinishedPromotion & { startedAt?: string; effects?: unknown[] } {
  const pushed: StepRecord['status'] = phase === 'Succeeded' ? 'Succeeded' : 'Failed';
  return {
    name: 'dev.1',
    phase,
    startedAt: T0,
    finishedAt: DONE,
    steps: [
      { alias: 'clone', uses: 'git-clone', status: 'Succeeded', errorCount: 0 },
      { alias: 'push', uses: 'git-push', status: pushed, errorCount: 0, message: LONG },
    ],
    state: { push: { commit: 'abc' } },
    approvals: [{ gate: 'stage', approvedBy: 'bob', approvedAt: T0 }],
    ...extra,
  };
}

/** The running record, as a read of the project answered it before the end. */
function runningRecord(): PromotionRecord {
  return structuredClone(runningState().promotions[0]!);
}

/** What a read of the project answers after it recorded `done`: the project's record with the workflow's live status. */
function projectAnswer(done: ReturnType<typeof result>): PromotionRecord {
  const state = runningState();
  const copy = structuredClone(done);
  finishPromotion(state, copy, T0_MS + HOUR);
  const record = state.promotions.find((p) => p.name === 'dev.1')!;
  trimPromotionRecord(record);
  return withLiveStatus(record, structuredClone(done));
}

describe('endedRecord: the record a read answers once a promotion has ended, from its workflow result', () => {
  it.each<PromotionPhase>(['Succeeded', 'Failed', 'Errored'])('is what a read of the project answers after it recorded the end (%s)', (phase) => {
    // arrange
    const done = result(phase, phase === 'Succeeded' ? {} : { message: LONG, workspace: { workspaceKey: 'k', taskQueue: 'q', failedStep: 1, planDigest: 'd' } });

    // act
    const ended = endedRecord(runningRecord(), done);

    // assert
    expect(ended).toEqual(projectAnswer(done));
    expect(ended).toMatchObject({ phase, finishedAt: DONE, actor: 'alice', trimmed: true });
    expect(ended!.waitingForApproval).toBeUndefined();
  });

  it('shows the steps whole and leaves the result as it was (the project keeps shortened messages)', () => {
    const done = result('Failed', { message: LONG });
    const before = structuredClone(done);

    const ended = endedRecord(runningRecord(), done)!;

    expect(ended.steps[1]!.message).toBe(LONG);
    expect(ended.state).toEqual({ push: { commit: 'abc' } });
    expect(ended.message).toHaveLength(STEP_MESSAGE_KEPT);
    expect(done).toEqual(before);
  });

  it.each<[string, unknown]>([
    ['an abort (the project names who asked for it)', result('Aborted')],
    ['an end with changes the steps asked for (the project may add its problems with them)', result('Succeeded', { effects: [{ kind: 'set-freight-alias' }] })],
    ['the end of another promotion', { ...result('Succeeded'), name: 'dev.2' }],
    ['a phase that is no end', result('Running' as PromotionPhase)],
    ['no steps', { ...result('Succeeded'), steps: undefined }],
    ['no outputs', { ...result('Succeeded'), state: null }],
    ['no finishing time', { ...result('Succeeded'), finishedAt: 7 }],
    ['nothing (a workflow that returned no value)', undefined],
    ['a string', 'Succeeded'],
  ])('says nothing for %s: the api reads the project instead', (_, value) => {
    expect(endedRecord(runningRecord(), value)).toBeUndefined();
  });
});

describe('withLiveStatus', () => {
  it('takes the steps, outputs, approvals and the wait for approval from the workflow, the rest from the record', () => {
    const record = runningRecord();
    const live = {
      steps: [{ alias: 'clone', uses: 'git-clone', status: 'Succeeded' as const, errorCount: 0 }],
      state: { clone: { commit: 'def' } },
      waitingForApproval: { gate: 'push', since: T0 },
      approvals: [{ gate: 'push', approvedBy: 'carol', approvedAt: T0 }],
    };

    const merged = withLiveStatus(record, live);

    expect(merged).toEqual({ ...record, ...live });
    expect(record.steps[0]!.status).toBe('Running');
  });

  it('keeps the record\'s approvals and wait when the workflow has none', () => {
    const record: PromotionRecord = { ...runningRecord(), approvals: [{ gate: 'stage', approvedBy: 'bob', approvedAt: T0 }] };

    const merged = withLiveStatus(record, { steps: [], state: {} });

    expect(merged.approvals).toEqual([{ gate: 'stage', approvedBy: 'bob', approvedAt: T0 }]);
    expect(merged.waitingForApproval).toEqual({ gate: 'stage', since: T0 });
  });
});
