import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState, TerminatedFailure } from '@temporalio/common';
import { failureCause } from '../../../core/failure-cause.js';

describe('failureCause: the innermost reason of a Temporal failure', () => {
  it('names the activity and its own message, not "Activity task failed"', () => {
    const app = ApplicationFailure.create({ type: 'FailedPrecondition', message: 'the namespace "demo" does not exist', nonRetryable: true });
    const activity = new ActivityFailure('Activity task failed', 'createAnalysisRun', '3', RetryState.NON_RETRYABLE_FAILURE, 'id', app);
    expect(failureCause(activity)).toBe('activity createAnalysisRun failed: the namespace "demo" does not exist');
    const child = new ChildWorkflowFailure('default', { workflowId: 'w', runId: 'r' }, 'verificationWorkflow', RetryState.NON_RETRYABLE_FAILURE, activity);
    expect(failureCause(child)).toBe('activity createAnalysisRun failed: the namespace "demo" does not exist');
  });

  it('says "Terminated" for a child terminated from outside', () => {
    const child = new ChildWorkflowFailure('default', { workflowId: 'w', runId: 'r' }, 'verificationWorkflow', RetryState.NON_RETRYABLE_FAILURE, new TerminatedFailure('Terminated'));
    expect(failureCause(child)).toBe('Terminated');
  });

  it.each<[unknown, string]>([
    [new Error('plain'), 'plain'],
    ['a string', 'a string'],
    [{ message: 'outer', cause: { message: '' } }, 'outer'],
  ])('%p → %s', (err, expected) => {
    expect(failureCause(err)).toBe(expected);
  });

  it('stops on a cycle', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = { message: 'b', cause: a };
    expect(failureCause(a)).toBe('b');
  });
});
