/**
 * Issue 19, "Events and notifications": Kargo's lifecycle events derived from the project's
 * changes (core/events/lifecycle.ts), their ring and ids, and which subscriptions they notify
 * (core/events/notifications.ts).
 */
import { eventFacts, lifecycleEvents, listEvents, recordEvents } from '../../../core/events/lifecycle.js';
import { deliveriesFor, listDeadLetters, recordDeadLetter, slackMessage } from '../../../core/events/notifications.js';
import { EVENT_ANNOTATIONS, type LifecycleEvent } from '../../../core/events/types.js';
import { renderEvent } from '../../../core/events/view.js';
import type { ProjectState, VerificationRecord } from '../../../core/project/state.js';
import { aProjectConfig, aStage } from '../../support/manifests.js';
import { aFreight, aPromotion, aState, T0 } from '../project/builders.js';

const freight = aFreight('f1');

function aProjectState(): ProjectState {
  return aState({ stages: [aStage('dev'), aStage('prod')], freight: [freight] });
}

/** The events of the change `change` makes to a state. */
function eventsOf(state: ProjectState, change: (s: ProjectState) => void) {
  const before = eventFacts(state);
  change(state);
  return lifecycleEvents(before, state);
}

function aVerification(phase: VerificationRecord['phase'], overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  return { id: 'dev.01abc.c0ffee1', stage: 'dev', collection: 'c1', freight: ['f1'], phase, workflowId: 'wf-v', ...overrides };
}

describe('lifecycle events', () => {
  it("a promotion created by a person: PromotionCreated with Kargo's message and annotations", () => {
    const state = aProjectState();
    const [event, ...rest] = eventsOf(state, (s) => s.promotions.push(aPromotion('p1', 'dev', freight, { actor: 'email:ann@example.com' })));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      type: 'Normal',
      reason: 'PromotionCreated',
      message: 'Promotion created for Stage "dev" by "email:ann@example.com"',
      involvedObject: { kind: 'Promotion', name: 'p1' },
      annotations: {
        'event.kargo.akuity.io/project': 'demo',
        'event.kargo.akuity.io/promotion-name': 'p1',
        'event.kargo.akuity.io/promotion-create-time': T0,
        'event.kargo.akuity.io/stage-name': 'dev',
        'event.kargo.akuity.io/freight-name': 'f1',
        'event.kargo.akuity.io/freight-alias': 'alias-f1',
        'event.kargo.akuity.io/freight-warehouse-name': 'app',
        'event.kargo.akuity.io/freight-create-time': T0,
        'event.kargo.akuity.io/freight-images': JSON.stringify(freight.images),
        'event.kargo.akuity.io/actor': 'email:ann@example.com',
      },
    });
  });

  it("an auto-promotion: Kargo's controller message and actor", () => {
    const [event] = eventsOf(aProjectState(), (s) => s.promotions.push(aPromotion('p1', 'dev', freight, { auto: true })));
    expect(event?.message).toBe('Automatically promoted Freight from origin "app" for Stage "dev"');
    expect(event?.annotations[EVENT_ANNOTATIONS.actor]).toBe('controller:shunt');
  });

  it.each([
    ['Succeeded', 'PromotionSucceeded', 'Normal', 'Promotion Succeeded'],
    ['Failed', 'PromotionFailed', 'Warning', 'Promotion Failed: step "push" failed: rejected'],
    ['Errored', 'PromotionErrored', 'Warning', 'Promotion Errored: step "push" failed: rejected'],
    ['Aborted', 'PromotionAborted', 'Warning', 'Promotion Aborted: step "push" failed: rejected'],
  ] as const)('a promotion that ends %s: %s (%s)', (phase, reason, type, message) => {
    const state = aProjectState();
    state.promotions.push(aPromotion('p1', 'dev', freight, { phase: 'Running' }));
    const events = eventsOf(state, (s) => Object.assign(s.promotions[0]!, { phase, message: 'step "push" failed: rejected' }));
    expect(events.map((e) => [e.reason, e.type, e.message])).toEqual([[reason, type, message]]);
  });

  it('says whether verification is pending after a success (Kargo\'s verification-pending)', () => {
    const state = aState({ stages: [aStage('dev', { verification: { analysisTemplates: [{ name: 't' }] } } as never)], freight: [freight] });
    state.promotions.push(aPromotion('p1', 'dev', freight, { phase: 'Running' }));
    const [event] = eventsOf(state, (s) => (s.promotions[0]!.phase = 'Succeeded'));
    expect(event?.annotations[EVENT_ANNOTATIONS.verificationPending]).toBe('true');
  });

  it('a promotion created and finished between two looks gives both events, in order', () => {
    const events = eventsOf(aProjectState(), (s) => s.promotions.push(aPromotion('p1', 'dev', freight, { phase: 'Aborted', message: 'superseded' })));
    expect(events.map((e) => e.reason)).toEqual(['PromotionCreated', 'PromotionAborted']);
  });

  it("a promotion that starts waiting for approval: Shunt's PromotionApprovalNeeded, once per wait", () => {
    const state = aProjectState();
    state.promotions.push(aPromotion('p1', 'prod', freight, { phase: 'Running' }));
    const wait = (s: ProjectState) => (s.promotions[0]!.waitingForApproval = { gate: 'stage', since: T0 });
    const [event] = eventsOf(state, wait);
    expect(event).toMatchObject({ reason: 'PromotionApprovalNeeded', type: 'Normal', message: 'Promotion waiting for approval (Stage "prod" requires approval)' });
    expect(eventsOf(state, wait)).toEqual([]);
  });

  it.each([
    ['Successful', 'FreightVerificationSucceeded', 'Normal'],
    ['Failed', 'FreightVerificationFailed', 'Warning'],
    ['Error', 'FreightVerificationErrored', 'Warning'],
    ['Aborted', 'FreightVerificationAborted', 'Warning'],
    ['Inconclusive', 'FreightVerificationInconclusive', 'Warning'],
  ] as const)('a verification that ends %s: %s', (phase, reason, type) => {
    const state = aProjectState();
    state.stages['dev']!.currentVerification = aVerification('Running', { startTime: T0 });
    const events = eventsOf(state, (s) => Object.assign(s.stages['dev']!.currentVerification!, { phase, message: 'metric "errors" failed', finishTime: T0 }));
    expect(events).toEqual([
      expect.objectContaining({
        reason,
        type,
        message: 'metric "errors" failed',
        involvedObject: { kind: 'Freight', name: 'f1' },
        annotations: expect.objectContaining({
          [EVENT_ANNOTATIONS.analysisRunName]: 'dev.01abc.c0ffee1',
          [EVENT_ANNOTATIONS.stageName]: 'dev',
          [EVENT_ANNOTATIONS.verificationStartTime]: T0,
          [EVENT_ANNOTATIONS.verificationFinishTime]: T0,
        }),
      }),
    ]);
  });

  it('a running verification is no event; one moved into the freight history is not told twice', () => {
    const state = aProjectState();
    expect(eventsOf(state, (s) => (s.stages['dev']!.currentVerification = aVerification('Running')))).toEqual([]);
    expect(eventsOf(state, (s) => (s.stages['dev']!.currentVerification!.phase = 'Successful'))).toHaveLength(1);
    const moved = eventsOf(state, (s) => {
      const v = s.stages['dev']!.currentVerification!;
      delete s.stages['dev']!.currentVerification;
      s.stages['dev']!.freightHistory.push({ collection: { id: 'c1', items: {} }, promotedAt: T0, verificationHistory: [v] });
    });
    expect(moved).toEqual([]);
  });

  it("an approval: FreightApproved with Kargo's message", () => {
    const [event] = eventsOf(aProjectState(), (s) => (s.freight['f1']!.approvedFor['prod'] = { approvedAt: T0, approvedBy: 'email:bob@example.com' }));
    expect(event).toMatchObject({
      reason: 'FreightApproved',
      message: 'Freight approved for Stage "prod" by "email:bob@example.com"',
      involvedObject: { kind: 'Freight', name: 'f1' },
      annotations: { [EVENT_ANNOTATIONS.stageName]: 'prod', [EVENT_ANNOTATIONS.actor]: 'email:bob@example.com' },
    });
  });

  it('what was there when the facts were taken is no event (a new run of the workflow says nothing old)', () => {
    const state = aProjectState();
    state.promotions.push(aPromotion('p1', 'dev', freight, { phase: 'Failed' }));
    state.freight['f1']!.approvedFor['prod'] = { approvedAt: T0 };
    expect(lifecycleEvents(eventFacts(state), state)).toEqual([]);
  });
});

describe('the event ring', () => {
  const anEvent = { type: 'Normal', reason: 'PromotionCreated', message: 'm', involvedObject: { kind: 'Promotion', name: 'p' }, annotations: {} } as const;

  it('gives growing ids, keeps the newest, and lists newest first after an id or a time', () => {
    const state = aProjectState();
    recordEvents(state, [anEvent, anEvent, anEvent], '2026-01-01T00:00:00.000Z', { size: 4 });
    recordEvents(state, [anEvent, anEvent], '2026-01-02T00:00:00.000Z', { size: 4 });
    expect(state.events?.items.map((e) => e.id)).toEqual([2, 3, 4, 5]);
    expect(state.events?.next).toBe(6);
    expect(listEvents(state.events).map((e) => e.id)).toEqual([5, 4, 3, 2]);
    expect(listEvents(state.events, { since: 3 }).map((e) => e.id)).toEqual([5, 4]);
    expect(listEvents(state.events, { since: '2026-01-02T00:00:00Z' }).map((e) => e.id)).toEqual([5, 4]);
    expect(listEvents(state.events, { limit: 1 }).map((e) => e.id)).toEqual([5]);
    expect(listEvents(undefined)).toEqual([]);
  });

  it('keeps the ring within its bytes too, always keeping the newest event', () => {
    const state = aProjectState();
    const big = { ...anEvent, message: 'x'.repeat(1000) };
    recordEvents(state, [big, big, big], T0, { bytes: 2500 });
    expect(state.events?.items.map((e) => e.id)).toEqual([2, 3]);
    recordEvents(state, [{ ...anEvent, message: 'y'.repeat(5000) }], T0, { bytes: 2500 });
    expect(state.events?.items.map((e) => e.id)).toEqual([4]);
  });

  it("renders an event as Kubernetes' Event, named after its object", () => {
    const state = aProjectState();
    const [event] = recordEvents(state, [anEvent], T0);
    expect(renderEvent('demo', event!)).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      id: 1,
      metadata: { name: 'p.00000001', namespace: 'demo', creationTimestamp: T0 },
      involvedObject: { kind: 'Promotion', name: 'p', namespace: 'demo' },
      reason: 'PromotionCreated',
      count: 1,
    });
  });
});

describe('notifications', () => {
  const failed: LifecycleEvent = {
    id: 7,
    time: T0,
    type: 'Warning',
    reason: 'PromotionFailed',
    message: 'Promotion Failed: <push> rejected & done',
    involvedObject: { kind: 'Promotion', name: 'p1' },
    annotations: { [EVENT_ANNOTATIONS.project]: 'demo', [EVENT_ANNOTATIONS.stageName]: 'prod', [EVENT_ANNOTATIONS.freightAlias]: 'alias-f1' },
  };

  function withSubscriptions(notifications: unknown[]): ProjectState {
    const state = aProjectState();
    state.specs.config = aProjectConfig({ notifications } as never);
    return state;
  }

  it('goes to the subscriptions of its reason (and stage, when they name stages), with their retry or the defaults', () => {
    const state = withSubscriptions([
      { name: 'slack', events: ['PromotionFailed'], slack: { webhookSecretRef: { name: 'slack' } } },
      { name: 'dev-only', events: ['PromotionFailed'], stages: ['dev'], webhook: { url: 'https://example.com/hook' } },
      { name: 'successes', events: ['PromotionSucceeded'], webhook: { url: 'https://example.com/hook' } },
      { name: 'prod', events: ['PromotionFailed'], stages: ['prod'], webhook: { urlSecretRef: { name: 'sink' } }, retry: { maxAttempts: 2, initialInterval: '1s' } },
    ]);
    expect(deliveriesFor(state, failed)).toEqual([
      { project: 'demo', subscription: 'slack', target: { slack: { webhookSecretRef: { name: 'slack' } } }, retry: { maxAttempts: 5, initialInterval: '10s', maxInterval: '10m' }, event: failed },
      { project: 'demo', subscription: 'prod', target: { webhook: { urlSecretRef: { name: 'sink' } } }, retry: { maxAttempts: 2, initialInterval: '1s', maxInterval: '10m' }, event: failed },
    ]);
    expect(deliveriesFor(aProjectState(), failed)).toEqual([]);
  });

  it("sends Slack its incoming-webhook JSON: text as the fallback, blocks escaped as Slack's mrkdwn asks", () => {
    const message = slackMessage(failed);
    expect(message.text).toBe(':warning: PromotionFailed in project demo: Promotion p1: Promotion Failed: <push> rejected & done');
    expect(JSON.stringify(message.blocks)).toContain('*Stage*\\nprod');
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':warning: *PromotionFailed* Promotion `p1`' } });
  });

  it('keeps the newest dead letters and tells each as a NotificationFailed event naming the Secret, not the URL', () => {
    const state = aProjectState();
    const letter = (eventId: number) => ({ subscription: 'slack', eventId, eventReason: 'PromotionFailed', endpoint: 'Slack (secret "slack")', attempts: 1, error: 'answered 400 "invalid_payload"', failedAt: T0 });
    const event = recordDeadLetter(state, letter(1), 2);
    recordDeadLetter(state, letter(2), 2);
    recordDeadLetter(state, letter(3), 2);
    expect(listDeadLetters(state).map((l) => l.eventId)).toEqual([3, 2]);
    expect(event).toEqual({
      type: 'Warning',
      reason: 'NotificationFailed',
      message: 'Notification "slack" of event 1 (PromotionFailed) to Slack (secret "slack") failed after 1 attempt(s): answered 400 "invalid_payload"',
      involvedObject: { kind: 'Project', name: 'demo' },
      annotations: { [EVENT_ANNOTATIONS.project]: 'demo' },
    });
  });
});
