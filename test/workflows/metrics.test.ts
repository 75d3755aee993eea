/**
 * The worker's metrics measured where the work happens: promotions counted by stage and final
 * phase when their workflow ends (sink from the bundle's interceptor), each run of a step timed
 * by the activity interceptor, over the real dev server and the real project and promotion
 * workflows (step activities stubbed). The api's /metrics shows them with the stage queues.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import { createApp } from '../../api/app.js';
import { openAccess } from '../../api/auth/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { WorkerMetrics } from '../../worker/metrics.js';
import { aFreight, aProject, aStage, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';
import type { Server } from 'node:http';
import { pino } from 'pino';

const namespace = 'metrics';
let harness: WorkflowHarness;
let backend: TemporalBackend;
const metrics = new WorkerMetrics();
let server: Server;
let url: string;

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace,
    workerOptions: metrics.workerOptions(),
    activities: {
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        if (call.step.uses === 'git-push') throw ApplicationFailure.nonRetryable('remote refused the push', 'StepFailed');
        return { status: 'Succeeded', output: {} };
      },
    },
  });
  ({ backend } = harness);
  const app = createApp({ backend, access: openAccess(), logger: pino({ level: 'warn' }), workerMetrics: () => metrics.registry.metrics() });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await harness?.stop();
});

const updateValues = { uses: 'yaml-update', config: { path: 'v.yaml', updates: [{ key: 'a', value: 'b' }] } };
const pipeline = yamlOf(
  aProject('metered'),
  aWarehouse(WAREHOUSE, { project: 'metered' }),
  aStage('dev', { project: 'metered', steps: [updateValues] }),
  aStage('broken', { project: 'metered', steps: [updateValues, { uses: 'git-push', config: { path: './repo' } }] }),
  aFreight({ project: 'metered', digest: null }),
);

async function finished(name: string): Promise<string> {
  return eventually(async () => {
    const p = await backend.getPromotion('metered', name);
    return ['Succeeded', 'Failed', 'Errored', 'Aborted'].includes(p.phase) ? p.phase : undefined;
  }, `promotion ${name} to finish`);
}

const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('worker metrics', () => {
  it('counts promotions by stage and phase, times each step, and shows them at /metrics', async () => {
    await backend.apply([{ name: 'p.yaml', content: pipeline }], { dryRun: false });
    const freight = Object.keys((await backend.getProject('metered')).freight)[0]!;
    const ok = await backend.promote('metered', { stage: 'dev', freight });
    const bad = await backend.promote('metered', { stage: 'broken', freight });
    expect(await finished(ok.name)).toBe('Succeeded');
    expect(await finished(bad.name)).toBe('Failed');

    // The sink runs when the workflow's last task completes: wait for both to be counted.
    const text = await eventually(async () => {
      const t = await (await fetch(`${url}/metrics`)).text();
      return value(t, 'shunt_promotions_total{project="metered",stage="broken",phase="Failed"}') === 1 ? t : undefined;
    }, 'the failed promotion to be counted');
    expect(value(text, 'shunt_promotions_total{project="metered",stage="dev",phase="Succeeded"}')).toBe(1);
    expect(value(text, 'shunt_promotion_duration_seconds_count{stage="dev",phase="Succeeded"}')).toBe(1);
    expect(value(text, 'shunt_promotion_step_duration_seconds_count{uses="yaml-update",outcome="Succeeded"}')).toBe(2);
    expect(value(text, 'shunt_promotion_step_duration_seconds_count{uses="git-push",outcome="Errored"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'shunt_workflow_runs_total{workflow="promotionWorkflow",outcome="completed"}')).toBe(2);
    expect(text).toContain('shunt_stage_queue_depth{project="metered",stage="dev"} 0');
  });
});
