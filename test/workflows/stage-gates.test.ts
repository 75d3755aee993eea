/**
 * Approvals, abort, retry and rollback on the real dev server, through the api's TemporalBackend,
 * with the real project and promotion workflows and stub step activities. Each bad request says
 * what it gets: the DomainError code and message the api turns into its HTTP answer.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { Gate } from '../support/deferred.js';
import type { PromotionStepSpec } from '../../core/model.js';
import type { PromotionRecord } from '../../core/project/state.js';
import { projectWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { saveHistory } from '../support/histories.js';
import { aStage, aYamlUpdate, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import {
  freightManifest,
  projectAndWarehouse,
  promotionEnded,
  refusal,
  startWorkflowHarness,
  tagAlias,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

const namespace = 'stages';
let harness: WorkflowHarness;
let client: Client;
let backend: TemporalBackend;

/** Every step run, in order. */
const stepCalls: RunStepInput[] = [];
/** Steps aliased `flaky` fail while this holds (a business failure: the promotion fails). */
let flakyFails = true;
/** Workspaces that exist on the (one) stub worker. */
const workspaces = new Set<string>();
let workspaceSeq = 0;
/** Releasing a workspace waits while this is closed. */
const releaseGate = new Gate();

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace,
    activities: {
      prepareWorkspace: async () => {
        const key = `ws-${++workspaceSeq}`;
        workspaces.add(key);
        return { workspaceKey: key, taskQueue: TASK_QUEUE };
      },
      releaseWorkspace: async ({ workspaceKey }: { workspaceKey: string }) => {
        await releaseGate.pass();
        workspaces.delete(workspaceKey);
      },
      workspaceExists: async ({ workspaceKey }: { workspaceKey: string }) => workspaces.has(workspaceKey),
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        stepCalls.push(call);
        if (call.step.alias === 'flaky' && flakyFails) {
          throw ApplicationFailure.create({ type: 'StepFailed', message: 'the flaky step failed', nonRetryable: true });
        }
        if (call.step.uses === 'wait-for-approval') {
          return { status: 'Succeeded', output: { message: String(call.step.config['message'] ?? ''), approverNotRequester: false } };
        }
        return { status: 'Succeeded', output: { workspace: call.workspaceKey } };
      },
    },
  });
  ({ client, backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

function pipeline(project: string, opts: { prodAnnotations?: Record<string, string>; prodSteps?: PromotionStepSpec[] } = {}): string {
  return `${projectAndWarehouse(project)}---
${yamlOf(
  aStage('dev', { project, steps: [aYamlUpdate('edit'), aYamlUpdate('flaky'), aYamlUpdate('last')] }),
  aStage('prod', { project, annotations: opts.prodAnnotations ?? {}, sources: { stages: ['dev'] }, steps: opts.prodSteps ?? [aYamlUpdate('edit')] }),
)}`;
}

const freight = (project: string, tag: string): string => freightManifest(project, tag, tagAlias(tag));

async function setUp(opts: Parameters<typeof pipeline>[1] = {}, tags = ['1.0.0']): Promise<string> {
  const project = uniqueName('st');
  await backend.apply([{ name: 'p.yaml', content: pipeline(project, opts) }], { dryRun: false });
  for (const tag of tags) await backend.apply([{ name: 'f.yaml', content: freight(project, tag) }], { dryRun: false });
  return project;
}

async function phaseOf(project: string, name: string, want: (p: PromotionRecord) => boolean, what: string): Promise<PromotionRecord> {
  return eventually(async () => {
    const p = await backend.getPromotion(project, name);
    return want(p) ? p : undefined;
  }, `${what} (promotion ${name})`);
}
const ended = (project: string, name: string): Promise<PromotionRecord> => promotionEnded(backend, project, name);
const waitingForApproval = (project: string, name: string): Promise<PromotionRecord> =>
  phaseOf(project, name, (p) => p.waitingForApproval !== undefined, 'it to wait for approval');

/** Puts freight v1-0-0 into dev, so that it is verified there (no verification configured). */
async function throughDev(project: string): Promise<void> {
  flakyFails = false;
  const p = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0' });
  expect((await ended(project, p.name)).phase).toBe('Succeeded');
}

describe('the end of a promotion', () => {
  it('reaches the project before the workspace is released (REPORT_BEFORE_RELEASE_PATCH)', async () => {
    const project = await setUp();
    flakyFails = false;
    releaseGate.close();
    try {
      const promotion = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0' });
      expect((await ended(project, promotion.name)).phase).toBe('Succeeded');
      const workspace = stepCalls.find((c) => c.promotion === promotion.name)!.workspaceKey;
      expect(workspaces.has(workspace)).toBe(true);
      releaseGate.open();
      await eventually(async () => (workspaces.has(workspace) ? undefined : true), 'the workspace to be released');
    } finally {
      releaseGate.open();
    }
  });
});

describe('manual approval of freight', () => {
  it('makes freight available to a stage, recording who and when; bad requests are refused', async () => {
    const project = await setUp();
    expect(await refusal(backend.promote(project, { stage: 'prod', freight: 'v1-0-0' }))).toMatch(
      /^FailedPrecondition: freight v1-0-0 is not available to stage "prod": it must first be verified in its upstream stage/,
    );
    expect(await refusal(backend.approveFreight(project, { freight: 'nope', stage: 'prod' }))).toBe(
      `NotFound: freight "nope" not found in project "${project}"`,
    );
    expect(await refusal(backend.approveFreight(project, { freight: 'v1-0-0', stage: 'nowhere' }))).toBe(
      `NotFound: stage "nowhere" not found in project "${project}"`,
    );

    const approval = await backend.approveFreight(project, { freight: 'v1-0-0', stage: 'prod', actor: 'alice' });

    expect(approval).toMatchObject({ alias: 'v1-0-0', stage: 'prod', approvedBy: 'alice', alreadyApproved: false });
    const state = await backend.getProject(project);
    expect(Object.values(state.freight)[0]!.approvedFor['prod']).toEqual({ approvedAt: approval.approvedAt, approvedBy: 'alice' });
    const promotion = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    expect((await ended(project, promotion.name)).phase).toBe('Succeeded');
  });
});

describe('promotions that wait for a person', () => {
  it("holds a promotion at the stage's approval gate until someone other than the requester approves", async () => {
    const project = await setUp({
      prodAnnotations: { 'shunt.dev/require-approval': 'true', 'shunt.dev/approver-not-requester': 'true' },
    });
    await throughDev(project);
    const promotion = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0', actor: 'alice' });

    const waiting = await waitingForApproval(project, promotion.name);

    expect(waiting.phase).toBe('Running');
    expect(waiting.waitingForApproval).toMatchObject({ gate: 'stage', approverNotRequester: true });
    // The project's listing learns of the wait by a signal from the promotion, so it may lag the promotion's own query.
    const listed = await eventually(async () => {
      const p = (await backend.getProject(project)).promotions.find((q) => q.name === promotion.name);
      return p?.message?.startsWith('waiting for approval') ? p : undefined;
    }, 'the project listing to show the wait');
    expect(listed.message).toBe('waiting for approval (stage "prod" requires approval)');
    expect(stepCalls.filter((c) => c.promotion === promotion.name)).toHaveLength(0);
    const described = await client.workflow.getHandle(promotion.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(await refusal(backend.approvePromotion(project, promotion.name, 'alice'))).toBe(
      'FailedPrecondition: "alice" asked for this promotion and so cannot approve it: another person must',
    );

    const approved = await backend.approvePromotion(project, promotion.name, 'bob');

    expect(approved.approvals).toEqual([expect.objectContaining({ gate: 'stage', approvedBy: 'bob' })]);
    const done = await ended(project, promotion.name);
    expect(done.phase).toBe('Succeeded');
    expect(done.approvals).toEqual([expect.objectContaining({ gate: 'stage', approvedBy: 'bob' })]);
    expect(await refusal(backend.approvePromotion(project, promotion.name, 'bob'))).toBe(
      `FailedPrecondition: promotion ${promotion.name} is not waiting for approval (it is succeeded)`,
    );
    await saveHistory(client, promotion.workflowId, 'promotion', 'approval-gate');
  });

  it('stops at a wait-for-approval step, after the steps before it, until approved', async () => {
    const project = await setUp({
      prodSteps: [aYamlUpdate('before'), { uses: 'wait-for-approval', as: 'sign-off', config: { message: 'ship it?' } }, aYamlUpdate('after')],
    });
    await throughDev(project);
    const promotion = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0', actor: 'alice' });

    const waiting = await waitingForApproval(project, promotion.name);

    expect(waiting.waitingForApproval).toMatchObject({ gate: 'sign-off', message: 'ship it?' });
    expect(waiting.steps.map((s) => s.status)).toEqual(['Succeeded', 'Running', 'Pending']);
    await backend.approvePromotion(project, promotion.name, 'alice');
    const done = await ended(project, promotion.name);
    expect(done.phase).toBe('Succeeded');
    expect(done.state?.['sign-off']).toMatchObject({ message: 'ship it?', approvedBy: 'alice' });
  });
});

describe('abort', () => {
  it('aborts a running promotion (waiting for approval) and a queued one; the stage moves on', async () => {
    const project = await setUp({ prodAnnotations: { 'shunt.dev/require-approval': 'true' } }, ['1.0.0']);
    await throughDev(project);
    const first = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    const second = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    const third = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    await waitingForApproval(project, first.name);

    const queued = await backend.abortPromotion(project, second.name, 'carol');
    expect(queued).toMatchObject({ phase: 'Aborted', message: 'aborted by carol' });
    await backend.abortPromotion(project, first.name, 'carol');

    const aborted = await ended(project, first.name);
    expect(aborted).toMatchObject({ phase: 'Aborted', message: 'aborted by carol' });
    await waitingForApproval(project, third.name);
    expect(await refusal(backend.abortPromotion(project, first.name))).toBe(
      `FailedPrecondition: promotion ${first.name} has already finished (Aborted); only pending or running promotions can be aborted`,
    );
    expect(await refusal(backend.abortPromotion(project, 'prod.nope'))).toBe(`NotFound: promotion "prod.nope" not found in project "${project}"`);
    await backend.approvePromotion(project, third.name, 'dave');
    expect((await ended(project, third.name)).phase).toBe('Succeeded');
    await saveHistory(client, first.workflowId, 'promotion', 'waiting-then-aborted');
  });

  it('frees the stage when a promotion workflow is terminated from outside', async () => {
    const project = await setUp({ prodAnnotations: { 'shunt.dev/require-approval': 'true' } });
    await throughDev(project);
    const first = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    const second = await backend.promote(project, { stage: 'prod', freight: 'v1-0-0' });
    await waitingForApproval(project, first.name);

    await client.workflow.getHandle(first.workflowId).terminate('operator cleanup');

    const gone = await ended(project, first.name);
    expect(gone.phase).toBe('Errored');
    expect(gone.message).toMatch(/^the promotion's workflow ended without reporting: /);
    await waitingForApproval(project, second.name);
    await backend.abortPromotion(project, second.name);
    expect((await ended(project, second.name)).phase).toBe('Aborted');
  });
});

describe('retry', () => {
  it('resumes a failed promotion at the failed step in its kept workspace', async () => {
    const project = await setUp();
    flakyFails = true;
    const failed = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0' });
    const done = await ended(project, failed.name);
    expect(done.phase).toBe('Failed');
    expect(done.message).toBe('step "flaky" (yaml-update) failed: the flaky step failed');
    const kept = done.workspace!.workspaceKey;
    expect(workspaces.has(kept)).toBe(true);
    flakyFails = false;

    const retry = await backend.retryPromotion(project, failed.name, 'erin');

    expect(retry).toMatchObject({ retryOf: failed.name, phase: 'Pending', actor: 'erin' });
    expect((await ended(project, retry.name)).phase).toBe('Succeeded');
    const calls = stepCalls.filter((c) => c.promotion === retry.name).map((c) => [c.step.alias, c.workspaceKey]);
    expect(calls).toEqual([
      ['flaky', kept],
      ['last', kept],
    ]);
    // Released after the project heard of the end (REPORT_BEFORE_RELEASE_PATCH).
    await eventually(async () => (workspaces.has(kept) ? undefined : true), 'the kept workspace to be released');
    expect(await refusal(backend.retryPromotion(project, retry.name))).toBe(
      `FailedPrecondition: promotion ${retry.name} succeeded; only failed, errored or aborted promotions can be retried`,
    );
    await saveHistory(client, retry.workflowId, 'promotion', 'retry-resumed');
    await client.workflow.getHandle(retry.workflowId).result();
    await saveHistory(client, retry.workflowId, 'promotion', 'reported-before-release');
  });

  it('starts again from the first step when the kept workspace is gone', async () => {
    const project = await setUp();
    flakyFails = true;
    const failed = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0' });
    const done = await ended(project, failed.name);
    workspaces.delete(done.workspace!.workspaceKey);
    flakyFails = false;

    const retry = await backend.retryPromotion(project, failed.name);

    expect((await ended(project, retry.name)).phase).toBe('Succeeded');
    const calls = stepCalls.filter((c) => c.promotion === retry.name).map((c) => c.step.alias);
    expect(calls).toEqual(['edit', 'flaky', 'last']);
    expect(await refusal(backend.retryPromotion(project, 'dev.nope'))).toBe(`NotFound: promotion "dev.nope" not found in project "${project}"`);
  });
});

describe('rollback', () => {
  it('promotes older freight the stage has had, marks it a rollback, and keeps the freight history', async () => {
    const project = await setUp({}, ['1.0.0', '2.0.0']);
    flakyFails = false;
    for (const f of ['v1-0-0', 'v2-0-0']) {
      const p = await backend.promote(project, { stage: 'dev', freight: f });
      expect((await ended(project, p.name)).phase).toBe('Succeeded');
    }

    const back = await backend.promote(project, { stage: 'dev', freight: 'v1-0-0', actor: 'frank' });

    expect(back.rollback).toBe(true);
    expect((await ended(project, back.name)).phase).toBe('Succeeded');
    const state = await backend.getProject(project);
    expect(state.stages['dev']!.freightHistory.map((h) => h.collection.items['Warehouse/app']!.alias)).toEqual(['v1-0-0', 'v2-0-0', 'v1-0-0']);
    await saveHistory(client, projectWorkflowId(project), 'project', 'approvals-abort-retry-rollback');
  });
});
