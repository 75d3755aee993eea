import { approverIssue, stageApprovalGate } from '../../../core/project/approval-gate.js';
import { approveFreight, approveFreightIssue } from '../../../core/project/approvals.js';
import { freightAvailability } from '../../../core/project/availability.js';
import { aFreight, aState, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function pipeline() {
  return aState({
    stages: [
      aStage('dev'),
      aStage('prod', { requests: [request('app', { stages: ['dev'] })] }),
      aStage('other', { requests: [request('config', { direct: true })] }),
    ],
    freight: [aFreight(ID, { alias: 'brave-bear' })],
  });
}

describe('approveFreightIssue', () => {
  it.each<[string, string, string, string | undefined]>([
    ['an unknown stage', ID, 'nowhere', 'NotFound: stage "nowhere" not found in project "demo"'],
    ['unknown freight', 'ghost', 'prod', 'NotFound: freight "ghost" not found in project "demo"'],
    [
      'a stage that does not request the freight\'s origin',
      ID,
      'other',
      'FailedPrecondition: stage "other" does not request freight from warehouse "app", so freight brave-bear cannot be approved for it',
    ],
    ['freight by alias for a stage that requests it', 'brave-bear', 'prod', undefined],
  ])('answers %s', (_, freight, stage, expected) => {
    // act
    const issue = approveFreightIssue(pipeline(), freight, stage);

    // assert
    expect(issue ? `${issue.code}: ${issue.message}` : undefined).toBe(expected);
  });
});

describe('approveFreight', () => {
  it('records who approved and when, making the freight available despite no verification upstream', () => {
    // arrange
    const state = pipeline();
    const prod = state.specs.stages['prod']!;
    expect(freightAvailability(prod, state.freight[ID]!, T0_MS).available).toBe(false);

    // act
    const approval = approveFreight(state, 'brave-bear', 'prod', { now: T0, actor: 'alice' });

    // assert
    expect(approval).toEqual({ freight: ID, alias: 'brave-bear', stage: 'prod', approvedAt: T0, approvedBy: 'alice', alreadyApproved: false });
    expect(state.freight[ID]!.approvedFor['prod']).toEqual({ approvedAt: T0, approvedBy: 'alice' });
    expect(freightAvailability(prod, state.freight[ID]!, T0_MS)).toEqual({ available: true, via: 'approval' });
  });

  it('keeps the first approval when approved twice', () => {
    // arrange
    const state = pipeline();
    approveFreight(state, ID, 'prod', { now: T0, actor: 'alice' });

    // act
    const again = approveFreight(state, ID, 'prod', { now: '2024-02-01T00:00:00.000Z', actor: 'bob' });

    // assert
    expect(again).toMatchObject({ approvedBy: 'alice', approvedAt: T0, alreadyApproved: true });
  });
});

describe('stageApprovalGate', () => {
  it.each<[string, Record<string, string> | undefined, { required: boolean; approverNotRequester: boolean }]>([
    ['no annotations', undefined, { required: false, approverNotRequester: false }],
    ['require-approval "true"', { 'shunt.dev/require-approval': 'true' }, { required: true, approverNotRequester: false }],
    ['require-approval "yes" (only "true" counts)', { 'shunt.dev/require-approval': 'yes' }, { required: false, approverNotRequester: false }],
    [
      'both annotations',
      { 'shunt.dev/require-approval': 'true', 'shunt.dev/approver-not-requester': 'true' },
      { required: true, approverNotRequester: true },
    ],
  ])('reads %s', (_, annotations, expected) => {
    // arrange
    const stage = aStage('prod');
    if (annotations) stage.metadata.annotations = annotations;

    // act + assert
    expect(stageApprovalGate(stage)).toEqual(expected);
  });
});

describe('approverIssue', () => {
  it.each<[string, boolean, string | undefined, string | undefined, string | undefined]>([
    ['anyone, without the rule', false, 'alice', 'alice', undefined],
    ['another person, with the rule', true, 'alice', 'bob', undefined],
    ['the requester, with the rule', true, 'alice', 'alice', '"alice" asked for this promotion and so cannot approve it: another person must'],
    ['an anonymous caller, with the rule', true, 'alice', 'anonymous', 'this approval must come from a named person other than the requester; sign in first'],
    ['no actor, with the rule', true, undefined, undefined, 'this approval must come from a named person other than the requester; sign in first'],
  ])('answers for %s', (_, rule, requester, actor, expected) => {
    expect(approverIssue({ approverNotRequester: rule }, requester, actor)).toBe(expected);
  });
});
