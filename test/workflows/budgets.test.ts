/**
 * Issue 13, findings 7 and 12, end to end on the dev server with the real project and promotion
 * workflows and the real step activities:
 * - a step whose expression would exhaust the worker's heap fails on its expression budget, once:
 *   the promotion ends Errored with the budget in its message, and the activity ran one time;
 * - a step whose output is larger than Temporal's payload limit fails at once with the size and
 *   the limit, instead of being retried for minutes until Temporal's raw TMPRL1103 error;
 * - an apply too large for one payload is refused before anything is sent, and the project keeps
 *   the stages it had.
 */
import { Client, type Connection } from '@temporalio/client';
import { EmptyCredentialStore } from '../../activities/adapters/credentials.js';
import { createActivities, type RunStepInput } from '../../activities/index.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import type { Stage } from '../../core/model.js';
import { TASK_QUEUE } from '../../workflows/definitions.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { connectClient } from '../support/temporal.js';
import { aStage, yamlOf } from '../support/manifests.js';
import {
  freightManifest,
  projectAndWarehouse,
  promotionEnded,
  refusal,
  startWorkflowHarness,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

const namespace = 'budgets';
const disposer = new Disposer();
let harness: WorkflowHarness;
let backend: TemporalBackend;
let connection: Connection;
/** The alias of every step runStep was called for, one entry per attempt. */
const attempts: string[] = [];

beforeAll(async () => {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  connection = await connectClient();
  const real = createActivities({
    dataDir,
    workerQueue: TASK_QUEUE,
    credentials: new EmptyCredentialStore(),
    temporal: { client: new Client({ connection, namespace }), taskQueue: TASK_QUEUE },
  });
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      prepareWorkspace: real.prepareWorkspace,
      runStep: async (input: RunStepInput) => {
        attempts.push(input.step.alias);
        return real.runStep(input);
      },
      releaseWorkspace: real.releaseWorkspace,
      workspaceExists: real.workspaceExists,
    },
  });
  ({ backend } = harness);
  await backend.apply([{ name: 'p.yaml', content: PIPELINE }], { dryRun: false });
  await backend.apply([{ name: 'f.yaml', content: freightManifest('budgets', '1.0.0', 'first-fox') }], { dryRun: false });
});

afterAll(async () => {
  await harness?.stop();
  await connection?.close();
  await disposer.dispose();
});

/** Each stage: a harmless first step, then the one under test, which may be retried 3 times. */
const stage = (name: string, value: string): Stage =>
  aStage(name, {
    project: 'budgets',
    steps: [
      { uses: 'compose-output', as: `${name}-first`, config: { fine: "${{ len(map(1..1000, repeat('x', 100))) }}" } },
      { uses: 'compose-output', as: `${name}-step`, retry: { errorThreshold: 3 }, config: { value } },
    ],
  });

const PIPELINE = `${projectAndWarehouse('budgets')}---
${yamlOf(stage('heap', "${{ len(map(1..999999, repeat('x', 100))) }}"), stage('output', "${{ repeat('x', 8000000) }}"))}`;

async function promoteAndWait(stageName: string): Promise<{ phase: string; message: string }> {
  const started = await backend.promote('budgets', { stage: stageName, freight: 'first-fox' });
  const done = await promotionEnded(backend, 'budgets', started.name);
  return { phase: done.phase, message: done.message ?? '' };
}

describe('budgets in a promotion', () => {
  it('an expression that would exhaust the heap errors on its memory budget, attempted once', async () => {
    const done = await promoteAndWait('heap');
    expect(done.phase).toBe('Errored');
    // The memory budget runs out first (test/unit/expressions/budget.test.ts); on a loaded
    // machine the activity's 5 s time budget may come first, which is as good.
    expect(done.message).toMatch(
      /^step "heap-step" \(compose-output\) errored: step "heap-step": config\.value: expression exceeded its (memory budget of 64 MiB for the strings, arrays and maps it builds|time budget of 5000 ms) in `.*len\(map\(1\.\.999999, repeat\('x', 100\)\)\).*` \(position \d+\)$/,
    );
    expect(attempts.filter((a) => a === 'heap-first')).toHaveLength(1);
    expect(attempts.filter((a) => a === 'heap-step')).toHaveLength(1);
  });

  it('an 8 MB step output is refused at once with its size and the limit, attempted once', async () => {
    const done = await promoteAndWait('output');
    expect(done.phase).toBe('Errored');
    expect(done.message).toBe(
      `step "output-step" (compose-output) errored: step "output-step"'s output is 7.6 MiB as JSON; the limit is 2 MiB (Temporal's payload size limit)`,
    );
    expect(attempts.filter((a) => a === 'output-step')).toHaveLength(1);
  });
});

describe('the size of an apply', () => {
  it('refuses stages beyond one payload before sending anything; the project keeps its stages', async () => {
    const before = Object.keys((await backend.getProject('budgets')).specs.stages).sort();
    expect(before).toEqual(['heap', 'output']);
    // 4,000 stages of about 600 bytes each (10,000 plain ones in the report; parsing those is slow).
    const many = yamlOf(...Array.from({ length: 4_000 }, (_, i) => stage(`s${i}`, 'v'.repeat(300))));

    expect(await refusal(backend.apply([{ name: 'many.yaml', content: many }], { dryRun: false }))).toMatch(
      /^PayloadTooLarge: the apply to project "budgets" \(4000 resources\) is 2\.\d MiB as JSON; the limit is 2 MiB \(Temporal's payload size limit\)$/,
    );
    expect(Object.keys((await backend.getProject('budgets')).specs.stages).sort()).toEqual(before);
  });

  it('refuses any other start, signal or update too large for one payload before sending it', async () => {
    const freight = 'f'.repeat(3 * 1024 * 1024);
    expect(await refusal(backend.promote('budgets', { stage: 'heap', freight }))).toBe(
      `PayloadTooLarge: update promote is 3 MiB as JSON; the limit is 2 MiB (Temporal's payload size limit)`,
    );
    expect((await backend.getProject('budgets')).promotions.map((p) => p.stage).sort()).toEqual(['heap', 'output']);
  });
});
