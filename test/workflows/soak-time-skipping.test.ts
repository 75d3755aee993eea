/**
 * Soak periods on Temporal's time-skipping test server: a 24-hour soak is a durable timer that
 * takes seconds here, survives the loss of its worker and resumes with the time left, and (in a
 * whole project) makes the freight verified in the soaking stage only once the soak is over.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import type { RunStepOutcome } from '../../activities/run-step.js';
import { TemporalBackend } from '../../api/temporal-backend.js';
import type { VerificationFinished } from '../../core/project/verification.js';
import { workflowBundlePath } from '../../worker/create-workers.js';
import { WorkerMetrics } from '../../worker/metrics.js';
import { SEARCH_ATTRIBUTES, TASK_QUEUE, verificationStatusQuery } from '../../workflows/definitions.js';
import { aFreight, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { withRunSteps } from '../support/workflow-harness.js';

const { temporal } = proto;
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run through jest (its global setup resolves the test server)');
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.values(SEARCH_ATTRIBUTES).map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
});

afterAll(async () => {
  await env?.teardown();
});

const stubActivities = {
  prepareWorkspace: async () => ({ workspaceKey: 'ws', taskQueue: TASK_QUEUE }),
  releaseWorkspace: async () => undefined,
  workspaceExists: async () => true,
  applyWarehouseSchedules: async () => undefined,
  runStep: async (): Promise<RunStepOutcome> => ({ status: 'Succeeded' }),
};

async function newWorker(taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    ...new WorkerMetrics().workerOptions(),
    workflowBundle: { codePath: workflowBundlePath() },
    activities: withRunSteps(stubActivities),
    // No sticky queue: a new worker takes over at once after the old one is gone.
    maxCachedWorkflows: 0,
  });
}

describe('soak on the time-skipping server', () => {
  it('soaks for 24 hours of workflow time and then reports the verification successful', async () => {
    const worker = await newWorker('soak-1');
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('verificationWorkflow', {
        taskQueue: 'soak-1',
        workflowId: 'soak-24h',
        args: [{ project: 'p', stage: 'prod', id: 'prod.x.1234567', templates: [], args: [], soak: '24h' }],
      });
      const started = (await handle.describe()).startTime.getTime();
      const finished = (await handle.result()) as VerificationFinished;
      return { started, finished };
    });

    expect(result.finished).toMatchObject({ phase: 'Successful', message: 'soaked for 24h' });
    expect(Date.parse(result.finished.finishTime) - result.started).toBeGreaterThanOrEqual(24 * HOUR);
  });

  it('survives the loss of its worker and resumes with the time left', async () => {
    const first = await newWorker('soak-2');
    const { handle, soakUntil } = await first.runUntil(async () => {
      const h = await env.client.workflow.start('verificationWorkflow', {
        taskQueue: 'soak-2',
        workflowId: 'soak-restart',
        args: [{ project: 'p', stage: 'prod', id: 'prod.y.1234567', templates: [], args: [], soak: '24h' }],
      });
      // Wait until the soak timer is set (the status names its end), then lose the worker.
      const status = await until(async () => {
        const s = await h.query(verificationStatusQuery);
        return s.soakUntil ? s : undefined;
      });
      return { handle: h, soakUntil: Date.parse(status.soakUntil!) };
    });

    // 20 hours pass with no worker at all.
    await env.sleep('20h');
    const second = await newWorker('soak-2');
    const finished = (await second.runUntil(handle.result())) as VerificationFinished;

    expect(finished.phase).toBe('Successful');
    // It ended when the original soak was due, not 24 hours after the new worker came.
    expect(Date.parse(finished.finishTime)).toBeGreaterThanOrEqual(soakUntil);
    expect(Date.parse(finished.finishTime) - soakUntil).toBeLessThan(HOUR);
  });

  it('marks freight verified in a stage with `verification: {soak: {duration: 24h}}` only after the soak', async () => {
    const worker = await newWorker(TASK_QUEUE);
    const backend = new TemporalBackend({ connection: env.connection, namespace: env.namespace ?? 'default', readSnapshotMs: 0 });
    await worker.runUntil(async () => {
      await backend.apply(
        [
          {
            name: 'p.yaml',
            content: yamlOf(
              aProject('soaky'),
              aWarehouse(WAREHOUSE, { project: 'soaky' }),
              aStage('staging', {
                project: 'soaky',
                steps: [{ uses: 'yaml-update', config: { path: 'v.yaml', updates: [{ key: 'a', value: 'b' }] } }],
                verification: { soak: { duration: '24h' } },
              }),
              aFreight({ project: 'soaky', alias: 'one', digest: null }),
            ),
          },
        ],
        { dryRun: false },
      );
      await backend.promote('soaky', { stage: 'staging', freight: 'one' });
      const soaking = await until(async () => {
        const s = (await backend.getProject('soaky')).stages['staging']?.currentVerification;
        return s?.soakUntil ? s : undefined;
      });
      expect((await backend.getProject('soaky')).freight[Object.keys((await backend.getProject('soaky')).freight)[0]!]!.verifiedIn).toEqual({});

      await env.sleep('23h');
      expect((await backend.getProject('soaky')).stages['staging']?.currentVerification?.id).toBe(soaking.id);
      await env.sleep('2h');

      const state = await until(async () => {
        const s = await backend.getProject('soaky');
        return s.stages['staging']?.currentVerification ? undefined : s;
      });
      const f = Object.values(state.freight)[0]!;
      expect(Object.keys(f.verifiedIn)).toEqual(['staging']);
      expect(Date.parse(f.verifiedIn['staging']!.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(soaking.soakUntil!));
      expect(state.stages['staging']!.freightHistory[0]!.verificationHistory![0]).toMatchObject({ phase: 'Successful', message: 'soaked for 24h' });
    });
  });
});

/** Polls (real time, a few seconds at most) until `check` gives a value. */
async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting on the time-skipping server');
}
