/**
 * A workflow interceptor for tests: a child's start is confirmed to its parent only once the
 * child has completed, so the parent sees what a loaded worker sometimes sees, the child's own
 * report (a signal sent before it completes) before the confirmation of its start.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async startChildWorkflowExecution(input, next) {
        const [started, completed] = await next(input);
        const late = started.then(async (runId) => {
          await completed.catch(() => undefined);
          return runId;
        });
        return [late, completed];
      },
    },
  ],
});
