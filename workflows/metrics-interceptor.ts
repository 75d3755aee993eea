/**
 * Reports every workflow's end to the worker's metrics (worker/metrics.ts) through a sink.
 * Sinks are not called during replay, so a workflow that ends is counted once, by the worker
 * that ran its last task; nothing here adds commands to history, so replay is unaffected.
 * Registered through the bundle (scripts/bundle-workflows.mjs: workflowInterceptorModules).
 */
import {
  proxySinks,
  workflowInfo,
  type Next,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';

export interface WorkflowFinishedReport {
  workflowType: string;
  /** `completed` (returned), `failed` (threw), `cancelled`. */
  outcome: 'completed' | 'failed' | 'cancelled';
  /** The result's `phase` or `outcome` when it has one (promotions, verifications). */
  phase?: string;
  project?: string;
  stage?: string;
  warehouse?: string;
  /** Workflow time from this run's start to its end. */
  durationMs: number;
}

export interface ShuntMetricsSinks extends Sinks {
  shuntMetrics: { workflowFinished(report: WorkflowFinishedReport): void };
}

const { shuntMetrics } = proxySinks<ShuntMetricsSinks>();

class MetricsInbound implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    let result: unknown;
    try {
      result = await next(input);
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (name !== 'ContinueAsNew') report(input.args, name === 'CancelledFailure' ? 'cancelled' : 'failed', undefined);
      throw err;
    }
    report(input.args, 'completed', result);
    return result;
  }
}

function report(args: unknown[], outcome: WorkflowFinishedReport['outcome'], result: unknown): void {
  const info = workflowInfo();
  const first = (args[0] ?? {}) as Record<string, unknown>;
  const out = (result ?? {}) as Record<string, unknown>;
  const entry: WorkflowFinishedReport = { workflowType: info.workflowType, outcome, durationMs: Math.max(0, Date.now() - info.runStartTime.getTime()) };
  const phase = str(out['phase']) ?? str(out['outcome']);
  if (phase !== undefined) entry.phase = phase;
  for (const key of ['project', 'stage', 'warehouse'] as const) {
    const value = str(first[key]);
    if (value !== undefined) entry[key] = value;
  }
  shuntMetrics.workflowFinished(entry);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new MetricsInbound()] });
