import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sendAgainIfUnprocessed, UNPROCESSED_UPDATE_ATTEMPTS } from '../../../api/temporal-backend.js';

const unprocessed = (): WorkflowUpdateFailedError =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type: 'UnprocessedUpdate', message: "Workflow Update is rejected because it wasn't processed by worker.", nonRetryable: true }),
  );

describe('sendAgainIfUnprocessed', () => {
  it('sends an update again when the server says the worker did not process it, and returns the answer', async () => {
    let calls = 0;
    const resent: number[] = [];
    const answer = await sendAgainIfUnprocessed(
      async () => {
        calls++;
        if (calls < UNPROCESSED_UPDATE_ATTEMPTS) throw unprocessed();
        return 'queued';
      },
      1,
      (attempt) => resent.push(attempt),
    );
    expect(answer).toBe('queued');
    expect(calls).toBe(UNPROCESSED_UPDATE_ATTEMPTS);
    expect(resent).toEqual([2, 3]);
  });

  it('gives up after the last attempt with the server’s own failure', async () => {
    let calls = 0;
    const outcome = sendAgainIfUnprocessed(async () => {
      calls++;
      throw unprocessed();
    }, 1);
    await expect(outcome).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(calls).toBe(UNPROCESSED_UPDATE_ATTEMPTS);
  });

  it('sends a refused update only once: the validator’s answer is the answer', async () => {
    let calls = 0;
    const refusal = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'FailedPrecondition', message: 'no', nonRetryable: true }));
    const outcome = sendAgainIfUnprocessed(async () => {
      calls++;
      throw refusal;
    }, 1);
    await expect(outcome).rejects.toBe(refusal);
    expect(calls).toBe(1);
  });
});
