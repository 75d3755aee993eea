import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { FileCredentialStore } from '../activities/adapters/credentials.js';
import { projectRoot } from '../launcher/temporal-binary.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { workerTaskQueue } from './config.js';

export interface ShuntWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  dataDir: string;
  workerId: string;
  credentialsPath: string;
  /** Shared task queue; tests give each run its own. */
  taskQueue?: string;
  maxConcurrentActivities?: number;
  /** Sticky cache size of the workflow worker (default: Temporal's, from the heap limit). */
  maxCachedWorkflows?: number;
}

export interface ShuntWorkers {
  /** Polls the shared queue: every workflow, and the activities any worker may run. */
  shared: Worker;
  /** Polls this worker's own queue: the steps of promotions whose workspace it holds. */
  own: Worker;
  ownQueue: string;
  run(): Promise<void>;
  shutdown(): void;
}

/** The compiled workflow bundle (npm run build makes it). */
export function workflowBundlePath(): string {
  const path = join(projectRoot, 'dist', 'workflow-bundle.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

export async function createShuntWorkers(opts: ShuntWorkerOptions): Promise<ShuntWorkers> {
  const ownQueue = workerTaskQueue(opts.workerId);
  const activities = createActivities({
    dataDir: opts.dataDir,
    workerQueue: ownQueue,
    credentials: new FileCredentialStore(opts.credentialsPath),
  });
  const maxConcurrentActivityTaskExecutions = opts.maxConcurrentActivities ?? 32;
  const shared = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowBundle: { codePath: workflowBundlePath() },
    activities,
    maxConcurrentActivityTaskExecutions,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
  const own = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: ownQueue,
    activities,
    maxConcurrentActivityTaskExecutions,
  });
  return {
    shared,
    own,
    ownQueue,
    async run() {
      await Promise.all([shared.run(), own.run()]);
    },
    shutdown() {
      if (shared.getState() === 'RUNNING') shared.shutdown();
      if (own.getState() === 'RUNNING') own.shutdown();
    },
  };
}
