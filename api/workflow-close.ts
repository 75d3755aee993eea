/**
 * Waits for a workflow to close without polling it: one long poll of its history for the close
 * event (what `WorkflowHandle.result()` does), bounded by a deadline and an abort signal. The
 * server answers the poll when the workflow closes, or empty after its own long-poll timeout;
 * then it asks again until the deadline.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const { temporal } = proto;

/** Whether the workflow closed before `deadline` (epoch ms) or `signal`; a workflow not found counts as closed. */
export async function waitForClose(client: Client, namespace: string, workflowId: string, deadline: number, signal?: AbortSignal): Promise<boolean> {
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const poll = () =>
        client.workflowService.getWorkflowExecutionHistory({
          namespace,
          execution: { workflowId },
          waitNewEvent: true,
          historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
          skipArchival: true,
        });
      const bounded = () => client.connection.withDeadline(deadline, poll);
      const answer = await (signal ? client.connection.withAbortSignal(signal, bounded) : bounded());
      if ((answer.history?.events?.length ?? 0) > 0) return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (Date.now() >= deadline || signal?.aborted || isDeadline(err)) return false;
      throw err;
    }
  }
  return false;
}

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const DEADLINE_EXCEEDED = 4;
const NOT_FOUND = 5;
const CANCELLED = 1;

function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function isNotFound(err: unknown): boolean {
  return codeOf(err) === NOT_FOUND;
}

function isDeadline(err: unknown): boolean {
  const code = codeOf(err);
  return code === DEADLINE_EXCEEDED || code === CANCELLED;
}
