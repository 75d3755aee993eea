/**
 * A promotion whose end reaches the project before the confirmation of its start, as happens on
 * a loaded worker (found by bench/many-stages.bench.ts: one workflow task carried both, signals
 * come first, and the confirmation then marked the finished promotion Running again, its stage
 * busy for good). A workflow interceptor (test/support/late-child-start-interceptor.ts) confirms
 * every child's start only after the child completed: the promotion ends as it reported, the stage
 * is free, and the next promotion runs.
 */
import { join } from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { TemporalBackend } from '../../api/temporal-backend.js';
import { projectRoot } from '../../launcher/temporal-binary.js';
import { TASK_QUEUE } from '../../workflows/definitions.js';
import { aFreight, aProject, aStage, aWarehouse, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { connectClient, connectWorker, uniqueName } from '../support/temporal.js';
import { STAND_IN_ACTIVITIES, TERMINAL_PHASES, withRunSteps } from '../support/workflow-harness.js';

const namespace = 'early-finish';
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let backend: TemporalBackend;

beforeAll(async () => {
  connection = await connectClient();
  nativeConnection = await connectWorker();
  worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue: TASK_QUEUE,
    workflowsPath: join(projectRoot, 'dist', 'workflows', 'index.js'),
    interceptors: { workflowModules: [join(projectRoot, 'test', 'support', 'late-child-start-interceptor.ts')] },
    activities: withRunSteps({ ...STAND_IN_ACTIVITIES, runStep: async () => ({ status: 'Succeeded' }) }),
  });
  running = worker.run();
  backend = new TemporalBackend({ connection, namespace, readSnapshotMs: 0 });
}, 300_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
});

describe('a promotion that reports its end before its start is confirmed', () => {
  it('ends as it reported, and its stage takes the next promotion', async () => {
    const project = uniqueName('early');
    const steps = [{ uses: 'compose-output', as: 'out', config: { a: 'b' } }];
    await backend.apply(
      [{ name: 'p.yaml', content: yamlOf(aProject(project), aWarehouse('app', { project }), aFreight({ project, alias: 'one' }), aStage('dev', { project, steps })) }],
      { dryRun: false },
    );
    for (const round of [1, 2]) {
      const promotion = await backend.promote(project, { stage: 'dev', freight: 'one' });
      const done = await eventually(async () => {
        const p = (await backend.getProject(project)).promotions.find((x) => x.name === promotion.name);
        return p && TERMINAL_PHASES.includes(p.phase) ? p : undefined;
      }, `promotion ${round} to end`);
      expect(done.phase).toBe('Succeeded');
      expect(done.startedAt).toBeDefined();
      expect(done.steps.map((s) => s.status)).toEqual(['Succeeded']);
      // Stays ended once the late confirmation has come (the child completed, so it has).
      const child = new Client({ connection, namespace }).workflow.getHandle(done.workflowId);
      await child.result();
      const state = await eventually(async () => {
        const s = await backend.getProject(project);
        return s.stages.dev?.lastPromotion?.name === promotion.name ? s : undefined;
      }, 'the stage to record its last promotion');
      expect(state.promotions.find((x) => x.name === promotion.name)!.phase).toBe('Succeeded');
      expect(state.stages.dev!.currentPromotion).toBeUndefined();
    }
  }, 300_000);
});
