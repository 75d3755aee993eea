/**
 * The worker's Prometheus metrics, measured where the work happens:
 * - promotions and verifications: when their workflow ends (a sink called by
 *   workflows/metrics-interceptor.ts, never during replay, so each end counts once);
 * - promotion steps and warehouse scans: around each runStep and discoverArtifacts activity (an
 *   activity interceptor), so a retried attempt is one more observation, as it is one more run
 *   of the step or one more scan (and a failed attempt one more scan error).
 * Counters only go up; a worker restart starts them at zero, which Prometheus' rate() expects.
 */
import { createServer, type Server } from 'node:http';
import type { ActivityInboundCallsInterceptor, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RunStepsOutcome } from '../activities/run-steps.js';
import type { ShuntMetricsSinks, WorkflowFinishedReport } from '../workflows/metrics-interceptor.js';

const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly promotions = new Counter({
    name: 'shunt_promotions_total',
    help: 'Promotions that ended, by project, stage and final phase (Succeeded, Failed, Errored, Aborted).',
    labelNames: ['project', 'stage', 'phase'],
    registers: [this.registry],
  });
  readonly promotionDuration = new Histogram({
    name: 'shunt_promotion_duration_seconds',
    help: 'Time from a promotion workflow start to its end, by stage and final phase.',
    labelNames: ['stage', 'phase'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly stepDuration = new Histogram({
    name: 'shunt_promotion_step_duration_seconds',
    help: 'Time one run of a promotion step took, by step kind and outcome (Succeeded, Running, Skipped, Errored).',
    labelNames: ['uses', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'shunt_verifications_total',
    help: 'Verifications that ended, by project, stage and outcome.',
    labelNames: ['project', 'stage', 'outcome'],
    registers: [this.registry],
  });
  readonly scans = new Counter({
    name: 'shunt_warehouse_scans_total',
    help: 'Warehouse scans (discovery attempts), by project, warehouse and outcome (succeeded, or failed: a scan error).',
    labelNames: ['project', 'warehouse', 'outcome'],
    registers: [this.registry],
  });
  readonly scanDuration = new Histogram({
    name: 'shunt_warehouse_scan_duration_seconds',
    help: 'Time one warehouse scan took, by warehouse and outcome.',
    labelNames: ['warehouse', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly workflows = new Counter({
    name: 'shunt_workflow_runs_total',
    help: 'Workflow runs that ended (not continued as new), by workflow type and outcome.',
    labelNames: ['workflow', 'outcome'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'shunt_worker_' });
  }

  workflowFinished(report: WorkflowFinishedReport): void {
    this.workflows.inc({ workflow: report.workflowType, outcome: report.outcome });
    const seconds = report.durationMs / 1000;
    const phase = report.phase ?? (report.outcome === 'completed' ? 'Succeeded' : 'Errored');
    switch (report.workflowType) {
      case 'promotionWorkflow':
        this.promotions.inc({ project: report.project ?? '', stage: report.stage ?? '', phase });
        this.promotionDuration.observe({ stage: report.stage ?? '', phase }, seconds);
        break;
      case 'verificationWorkflow':
        this.verifications.inc({ project: report.project ?? '', stage: report.stage ?? '', outcome: phase });
        break;
    }
  }

  /** Sinks and interceptors to give Worker.create. */
  workerOptions(): { sinks: InjectedSinks<ShuntMetricsSinks>; interceptors: WorkerInterceptors } {
    return {
      sinks: { shuntMetrics: { workflowFinished: { fn: (_info, report) => this.workflowFinished(report), callDuringReplay: false } } },
      interceptors: { activity: [(ctx) => ({ inbound: new ActivityTimer(this, ctx.info.activityType) })] },
    };
  }

  /** Serves the registry at GET /metrics on host:port (the api's /metrics includes it). */
  async serve(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.statusCode = 404;
        res.end();
        return;
      }
      this.registry.metrics().then(
        (text) => {
          res.setHeader('content-type', this.registry.contentType);
          res.end(text);
        },
        (err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  }
}

type ExecuteInput = Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[0];
type ExecuteNext = Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[1];

class ActivityTimer implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly activityType: string,
  ) {}

  async execute(input: ExecuteInput, next: ExecuteNext): Promise<unknown> {
    if (this.activityType === 'discoverArtifacts') return this.timeScan(input, next);
    if (this.activityType === 'runSteps') return this.timeSteps(input, next);
    const uses = stepKind(input.args[0]);
    if (uses === undefined) return next(input);
    const started = process.hrtime.bigint();
    try {
      const result = await next(input);
      const status = (result as { status?: unknown } | null)?.status;
      this.metrics.stepDuration.observe({ uses, outcome: typeof status === 'string' ? status : 'Succeeded' }, since(started));
      return result;
    } catch (err) {
      this.metrics.stepDuration.observe({ uses, outcome: 'Errored' }, since(started));
      throw err;
    }
  }

  /** runSteps: each step that ran, timed by the activity itself; a thrown failure counts against the first. */
  private async timeSteps(input: ExecuteInput, next: ExecuteNext): Promise<unknown> {
    const kinds = stepKinds(input.args[0]);
    const started = process.hrtime.bigint();
    let result: RunStepsOutcome;
    try {
      result = (await next(input)) as RunStepsOutcome;
    } catch (err) {
      if (kinds[0] !== undefined) this.metrics.stepDuration.observe({ uses: kinds[0], outcome: 'Errored' }, since(started));
      throw err;
    }
    const seconds = (from: string, to: number): number => Math.max(0, to - Date.parse(from)) / 1000;
    result.ran.forEach((run, k) => {
      const uses = kinds[k];
      if (uses !== undefined) this.metrics.stepDuration.observe({ uses, outcome: run.outcome.status }, seconds(run.startedAt, Date.parse(run.finishedAt)));
    });
    const failedKind = kinds[result.ran.length];
    if (result.failed && failedKind !== undefined) this.metrics.stepDuration.observe({ uses: failedKind, outcome: 'Errored' }, seconds(result.failed.startedAt, Date.now()));
    return result;
  }

  private async timeScan(input: ExecuteInput, next: ExecuteNext): Promise<unknown> {
    const arg = (input.args[0] ?? {}) as { project?: unknown; warehouse?: unknown };
    const project = typeof arg.project === 'string' ? arg.project : '';
    const warehouse = typeof arg.warehouse === 'string' ? arg.warehouse : '';
    const started = process.hrtime.bigint();
    let outcome = 'failed';
    try {
      const result = await next(input);
      outcome = 'succeeded';
      return result;
    } finally {
      this.metrics.scans.inc({ project, warehouse, outcome });
      this.metrics.scanDuration.observe({ warehouse, outcome }, since(started));
    }
  }
}

function since(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** runSteps' input names its steps (`steps[].uses`). */
function stepKinds(arg: unknown): (string | undefined)[] {
  const steps = (arg as { steps?: unknown } | null)?.steps;
  return Array.isArray(steps) ? steps.map((s) => stepKind({ step: s })) : [];
}

/** runStep's input names its step (`step.uses`); other activities carry no step. */
function stepKind(arg: unknown): string | undefined {
  const uses = (arg as { step?: { uses?: unknown } } | null)?.step?.uses;
  return typeof uses === 'string' ? uses : undefined;
}
