/**
 * The real workflows (project, promotion, verification, warehouse scan) on the test dev server,
 * driven through the api's TemporalBackend, with activities the test chooses. A workflow suite
 * states only what differs from the stand-ins below; the real activities are exercised by the
 * activities, e2e, crash and load suites.
 */
import { Client, type Connection } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { TemporalBackend } from '../../api/temporal-backend.js';
import { DomainError } from '../../core/errors.js';
import type { PromotionRecord } from '../../core/project/state.js';
import { workflowBundlePath } from '../../worker/create-workers.js';
import { WorkerMetrics } from '../../worker/metrics.js';
import { TASK_QUEUE } from '../../workflows/definitions.js';
import { aFreight, aProject, aWarehouse, WAREHOUSE, yamlOf } from './manifests.js';
import { eventually } from './poll.js';
import { runSteps, stepFailureData, type RunStepsInput } from '../../activities/run-steps.js';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import { connectClient, connectWorker } from './temporal.js';

// Activities have many shapes; the worker checks them by name only.
export type ActivityFn = (...args: any[]) => Promise<unknown>;

/**
 * One workspace that always exists on the one worker; warehouse schedules left alone (these
 * suites apply warehouses and add freight by hand, so nothing is scanned).
 */
export const STAND_IN_ACTIVITIES: Readonly<Record<string, ActivityFn>> = {
  prepareWorkspace: async () => ({ workspaceKey: 'ws', taskQueue: TASK_QUEUE }),
  releaseWorkspace: async () => undefined,
  workspaceExists: async () => true,
  applyWarehouseSchedules: async () => undefined,
  removeWarehouseSchedule: async () => undefined,
};

/**
 * `activities`, with the real runSteps (activities/run-steps.ts) over their runStep when they have
 * one and no runSteps of their own: the promotion workflow runs consecutive steps through
 * runSteps, and a suite states only how each step answers. A release it makes goes to their
 * releaseWorkspace (the stand-in's when they have none).
 */
export function withRunSteps<A extends Record<string, ActivityFn>>(activities: A): A {
  const runStep = activities['runStep'] as ((input: RunStepInput) => Promise<RunStepOutcome>) | undefined;
  if (!runStep || activities['runSteps']) return activities;
  const releaseWorkspace = (activities['releaseWorkspace'] ?? STAND_IN_ACTIVITIES['releaseWorkspace']!) as (input: { workspaceKey: string }) => Promise<void>;
  const release = (workspaceKey: string): void => void releaseWorkspace({ workspaceKey });
  return { ...activities, runSteps: (input: RunStepsInput) => runSteps(input, runStep, stepFailureData, release) };
}

export interface WorkflowHarness {
  connection: Connection;
  client: Client;
  backend: TemporalBackend;
  stop(): Promise<void>;
}

export async function startWorkflowHarness(opts: {
  namespace: string;
  /** Merged over STAND_IN_ACTIVITIES; a runStep also stands behind runSteps (withRunSteps). */
  activities: Record<string, ActivityFn>;
  /** Default: Shunt's shared queue. */
  taskQueue?: string;
  /** E.g. interceptors and sinks; by default the worker's own metrics, as in production. */
  workerOptions?: Partial<WorkerOptions>;
}): Promise<WorkflowHarness> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUE;
  const connection = await connectClient();
  const nativeConnection: NativeConnection = await connectWorker();
  const worker = await Worker.create({
    ...(opts.workerOptions ?? new WorkerMetrics().workerOptions()),
    connection: nativeConnection,
    namespace: opts.namespace,
    taskQueue,
    workflowBundle: { codePath: workflowBundlePath() },
    activities: withRunSteps({ ...STAND_IN_ACTIVITIES, ...opts.activities }),
  });
  const running = worker.run();
  return {
    connection,
    client: new Client({ connection, namespace: opts.namespace }),
    // Suites read what a workflow changed on its own (a scan, a signal) right after it: no read snapshot.
    backend: new TemporalBackend({ connection, namespace: opts.namespace, readSnapshotMs: 0, ...(opts.taskQueue ? { taskQueue } : {}) }),
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** The Project and its Warehouse `app` (image ghcr.io/example/app) most suites start from. */
export const projectAndWarehouse = (project: string): string => `\n${yamlOf(aProject(project), aWarehouse(WAREHOUSE, { project }))}`;

/** A Freight of warehouse `app` with the image's tag (no digest), and an alias when given. */
export const freightManifest = (project: string, tag: string, alias?: string): string =>
  `\n${yamlOf(aFreight({ project, tag, digest: null, ...(alias ? { alias } : {}) }))}`;

/** `1.0.0` → `v1-0-0`: a readable alias for a tag. */
export const tagAlias = (tag: string): string => `v${tag.replace(/\./g, '-')}`;

/** What the api would answer for a refused request: `Code: message`. Fails when it was not refused. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return `${(err as DomainError).code}: ${(err as DomainError).message}`;
}

export const TERMINAL_PHASES: readonly string[] = ['Succeeded', 'Failed', 'Errored', 'Aborted'];

/** The promotion once it has ended, whatever the outcome. */
export function promotionEnded(backend: TemporalBackend, project: string, name: string): Promise<PromotionRecord> {
  return eventually(async () => {
    const p = await backend.getPromotion(project, name);
    return TERMINAL_PHASES.includes(p.phase) ? p : undefined;
  }, `promotion ${name} to end`);
}
