/**
 * sendAgainIfUnaccepted (api/temporal-backend.ts): an update the server gave up on before the
 * workflow accepted it is sent again, a bounded number of times; every other failure, the
 * validator's refusal first, is the answer at once.
 */
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sendAgainIfUnaccepted, unacceptedBecause, UNACCEPTED_UPDATE_ATTEMPTS } from '../../../api/temporal-backend.js';

const unprocessed = (): WorkflowUpdateFailedError =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type: 'UnprocessedUpdate', message: "Workflow Update is rejected because it wasn't processed by worker.", nonRetryable: true }),
  );

/** What the client throws for a gRPC failure of UpdateWorkflowExecution (rethrowUpdateGrpcError). */
function grpcFailure(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Workflow Update failed', { cause });
}

// gRPC's status codes.
const status = { FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

// The server's words when the workflow task carrying the update failed (WorkflowNotReady).
const taskFailed = (): ServiceError =>
  grpcFailure(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.');

describe('unacceptedBecause', () => {
  it('names an update the worker did not process', () => {
    expect(unacceptedBecause(unprocessed())).toBe('the worker did not process it (UnprocessedUpdate)');
  });

  it('names an update whose workflow task failed on the server before accepting it', () => {
    expect(unacceptedBecause(taskFailed())).toBe('the workflow task that carried it failed before accepting it');
  });

  it('is undefined for a refusal, another failed precondition, an unreachable server and a plain error', () => {
    const refusal = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'FailedPrecondition', message: 'no', nonRetryable: true }));
    expect(unacceptedBecause(refusal)).toBeUndefined();
    expect(unacceptedBecause(grpcFailure(status.FAILED_PRECONDITION, 'Namespace is not active.'))).toBeUndefined();
    expect(unacceptedBecause(grpcFailure(status.UNAVAILABLE, 'connection refused'))).toBeUndefined();
    expect(unacceptedBecause(new Error('unexpected workflow task failure'))).toBeUndefined();
  });
});

describe('sendAgainIfUnaccepted', () => {
  it.each([
    ['the worker did not process it', unprocessed],
    ['its workflow task failed', taskFailed],
  ])('sends an update again when %s, and returns the answer', async (_, failure) => {
    let calls = 0;
    const resent: [number, string][] = [];
    const answer = await sendAgainIfUnaccepted(
      async () => {
        calls++;
        if (calls < UNACCEPTED_UPDATE_ATTEMPTS) throw failure();
        return 'queued';
      },
      1,
      (attempt, reason) => resent.push([attempt, reason]),
    );
    expect(answer).toBe('queued');
    expect(calls).toBe(UNACCEPTED_UPDATE_ATTEMPTS);
    expect(resent.map(([attempt]) => attempt)).toEqual([2, 3]);
    expect(resent[0]![1]).toBe(unacceptedBecause(failure()));
  });

  it('gives up after the last attempt with the server’s own failure', async () => {
    let calls = 0;
    const outcome = sendAgainIfUnaccepted(async () => {
      calls++;
      throw taskFailed();
    }, 1);
    await expect(outcome).rejects.toBeInstanceOf(ServiceError);
    expect(calls).toBe(UNACCEPTED_UPDATE_ATTEMPTS);
  });

  it('sends a refused update only once: the validator’s answer is the answer', async () => {
    let calls = 0;
    const refusal = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'FailedPrecondition', message: 'no', nonRetryable: true }));
    const outcome = sendAgainIfUnaccepted(async () => {
      calls++;
      throw refusal;
    }, 1);
    await expect(outcome).rejects.toBe(refusal);
    expect(calls).toBe(1);
  });
});
