/**
 * Issue 19: the project workflow records Kargo's lifecycle events as its state changes, with ids
 * that run on through continue-as-new (none lost, none told twice), and starts one notification
 * workflow per event and subscription; a delivery given up on comes back as a dead letter and a
 * NotificationFailed event. The delivering activity is a stand-in here (the real one:
 * test/activities/notifications.test.ts, end to end: test/e2e/notifications.test.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { NotificationDelivery } from '../../core/events/types.js';
import { eventually } from '../support/poll.js';
import { uniqueName } from '../support/temporal.js';
import { projectWorkflowId, TASK_QUEUE } from '../../workflows/definitions.js';
import { aProjectConfig, aStage, yamlOf, type StageOptions } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let harness: WorkflowHarness;
const deliveries: NotificationDelivery[] = [];

beforeAll(async () => {
  harness = await startWorkflowHarness({
    namespace: 'events',
    activities: {
      runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
        if (call.stage === 'prod') throw ApplicationFailure.create({ type: 'StepFailed', message: 'the canary said no', nonRetryable: true, details: [{ retryable: false }] });
        return { status: 'Succeeded' };
      },
      deliverNotification: async (delivery: NotificationDelivery) => {
        deliveries.push(delivery);
        if (delivery.subscription === 'broken') throw ApplicationFailure.create({ type: 'NotificationRejected', message: 'webhook (secret "broken"): answered 400 "no_service"', nonRetryable: true, details: [{ attempt: 1 }] });
        return { attempt: 1, status: 200 };
      },
    },
  });
});

afterAll(() => harness?.stop());

const stage = (project: string, name: string, sources: StageOptions['sources'], annotations?: Record<string, string>): string =>
  yamlOf(aStage(name, { project, sources, ...(annotations ? { annotations } : {}), steps: [{ uses: 'git-clone', config: { repoURL: 'https://git.example.com/gitops.git' } }] }));

const config = (project: string): string =>
  yamlOf(
    aProjectConfig(
      {
        notifications: [
          { name: 'failures', events: ['PromotionFailed'], slack: { webhookSecretRef: { name: 'slack' } } },
          { name: 'broken', events: ['PromotionFailed'], webhook: { urlSecretRef: { name: 'broken' } }, retry: { maxAttempts: 2, initialInterval: '1s' } },
        ],
      },
      project,
    ),
  );

it('records the events in order through continue-as-new, notifies, and dead-letters', async () => {
  const { client, backend } = harness;
  const project = uniqueName('events');
  const handle = await client.workflow.start('projectWorkflow', { workflowId: projectWorkflowId(project), taskQueue: TASK_QUEUE, args: [{ project, continueAsNewAfterEvents: 20 }] });
  await backend.apply(
    [{ name: 'p.yaml', content: [projectAndWarehouse(project), stage(project, 'dev', { direct: true }), stage(project, 'prod', { stages: ['dev'] }), config(project), freightManifest(project, '1.0.0', 'first')].join('\n---\n') }],
    { dryRun: false },
  );
  const dev = await backend.promote(project, { stage: 'dev', freight: 'first', actor: 'email:ann@example.com' });
  expect((await promotionEnded(backend, project, dev.name)).phase).toBe('Succeeded');
  await backend.approveFreight(project, { freight: 'first', stage: 'prod', actor: 'email:bob@example.com' });
  const prod = await backend.promote(project, { stage: 'prod', freight: 'first', actor: 'email:ann@example.com' });
  expect((await promotionEnded(backend, project, prod.name)).phase).toBe('Failed');

  const events = await eventually(async () => {
    const items = (await backend.getProject(project)).events?.items ?? [];
    return items.some((e) => e.reason === 'NotificationFailed') ? items : undefined;
  }, 'the dead letter to be recorded');
  expect(events.map((e) => [e.id, e.reason, e.involvedObject.name])).toEqual([
    [1, 'PromotionCreated', dev.name],
    [2, 'PromotionSucceeded', dev.name],
    [3, 'FreightApproved', expect.any(String)],
    [4, 'PromotionCreated', prod.name],
    [5, 'PromotionFailed', prod.name],
    [6, 'NotificationFailed', project],
  ]);
  expect(events[4]?.message).toContain('the canary said no');
  expect((await client.workflow.getHandle(projectWorkflowId(project)).describe()).runId).not.toBe(handle.firstExecutionRunId);

  const mine = deliveries.filter((d) => d.project === project);
  expect(mine.map((d) => [d.subscription, d.event.id])).toEqual(expect.arrayContaining([['failures', 5], ['broken', 5]]));
  expect(mine).toHaveLength(2);
  expect(mine.find((d) => d.subscription === 'failures')?.target).toEqual({ slack: { webhookSecretRef: { name: 'slack' } } });
  const state = await backend.getProject(project);
  expect(state.notifications?.deadLetters).toEqual([
    expect.objectContaining({ subscription: 'broken', eventId: 5, eventReason: 'PromotionFailed', attempts: 1, endpoint: 'webhook (secret "broken")' }),
  ]);
  expect(state.notifications?.outbox).toEqual([]);
});

it("tells when a promotion waits for approval (Shunt's PromotionApprovalNeeded), then its end", async () => {
  const { client, backend } = harness;
  const project = uniqueName('events');
  await client.workflow.start('projectWorkflow', { workflowId: projectWorkflowId(project), taskQueue: TASK_QUEUE, args: [{ project }] });
  const gated = stage(project, 'gated', { direct: true }, { 'shunt.dev/require-approval': 'true' });
  expect(gated).toContain('shunt.dev/require-approval');
  await backend.apply([{ name: 'p.yaml', content: [projectAndWarehouse(project), gated, freightManifest(project, '1.0.0', 'first')].join('\n---\n') }], { dryRun: false });
  const promotion = await backend.promote(project, { stage: 'gated', freight: 'first', actor: 'email:ann@example.com' });
  const waiting = await eventually(async () => {
    const items = (await backend.getProject(project)).events?.items ?? [];
    return items.find((e) => e.reason === 'PromotionApprovalNeeded');
  }, 'the approval to be asked for');
  expect(waiting).toMatchObject({ type: 'Normal', involvedObject: { kind: 'Promotion', name: promotion.name }, message: 'Promotion waiting for approval (Stage "gated" requires approval)' });
  await backend.approvePromotion(project, promotion.name, 'email:bob@example.com');
  expect((await promotionEnded(backend, project, promotion.name)).phase).toBe('Succeeded');
  const reasons = await eventually(async () => {
    const items = (await backend.getProject(project)).events?.items ?? [];
    return items.some((e) => e.reason === 'PromotionSucceeded') ? items.map((e) => e.reason) : undefined;
  }, 'the success to be recorded');
  expect(reasons).toEqual(['PromotionCreated', 'PromotionApprovalNeeded', 'PromotionSucceeded']);
});
