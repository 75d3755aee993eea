/**
 * Waits for a workflow to close without polling it: `WorkflowHandle.result()`, one long poll of
 * its history for the close event, bounded by a deadline and an abort signal. The server answers
 * the poll when the workflow closes, or empty after its own long-poll timeout; then it asks again
 * until the deadline.
 */
import { isGrpcCancelledError, isGrpcDeadlineError, WorkflowFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';

/** How a wait for a workflow's close ended: `result` is what it returned, when it completed. */
export type WorkflowEnd = { closed: false } | { closed: true; result?: unknown };

/**
 * Whether the workflow closed before `deadline` (epoch ms) or `signal`, and with what result; a
 * workflow not found counts as closed, and one that failed, was cancelled or terminated closed
 * without a result.
 */
export async function waitForEnd(client: Client, workflowId: string, deadline: number, signal?: AbortSignal): Promise<WorkflowEnd> {
  try {
    const bounded = () => client.connection.withDeadline(deadline, () => client.workflow.getHandle(workflowId).result());
    const result: unknown = await (signal ? client.connection.withAbortSignal(signal, bounded) : bounded());
    return { closed: true, result };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowFailedError) return { closed: true };
    if (Date.now() >= deadline || signal?.aborted || isGrpcDeadlineError(err) || isGrpcCancelledError(err)) return { closed: false };
    throw err;
  }
}
