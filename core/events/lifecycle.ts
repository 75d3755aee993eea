/**
 * Kargo's lifecycle events (api/v1alpha1/event.go, pkg/event/), derived from what the project
 * workflow records. Pure: the project workflow keeps the facts it last saw (`eventFacts`),
 * and after each change asks `lifecycleEvents` what happened since; the events go into a ring
 * of the newest EVENT_RING_SIZE (`recordEvents`), each with an id that only grows, so a reader
 * resumes after the last id it saw.
 *
 * Reasons are Kargo's, except two of Shunt's own: `PromotionApprovalNeeded` (a promotion waits
 * for a person: the stage's approval gate or a `wait-for-approval` step) and
 * `NotificationFailed` (a notification was given up on: core/events/notifications.ts).
 * Annotations use Kargo's `event.kargo.akuity.io/*` keys.
 */
import type { FreightRecord, ProjectState, PromotionRecord, VerificationPhase, VerificationRecord } from '../project/state.js';
import type { FreightReference, PromotionPhase } from '../promotion/types.js';
import { CONTROLLER_ACTOR, EVENT_ANNOTATIONS, EVENT_RING_BYTES, EVENT_RING_SIZE, type EventReason, type EventRing, type LifecycleEvent, type NewEvent } from './types.js';

/** What the events are derived from: the facts last seen, compared with the state after a change. */
export interface EventFacts {
  /** Promotion name → phase, and `gate@since` while it waits for approval. */
  promotions: Record<string, { phase: PromotionPhase; waiting?: string }>;
  /** Verification id → phase. */
  verifications: Record<string, VerificationPhase>;
  /** `freight/stage` of every approval. */
  approvals: string[];
}

export function eventFacts(state: ProjectState): EventFacts {
  const promotions: EventFacts['promotions'] = {};
  for (const p of state.promotions) promotions[p.name] = { phase: p.phase, ...(p.waitingForApproval ? { waiting: waitingKey(p) } : {}) };
  const verifications: EventFacts['verifications'] = {};
  for (const v of verificationsOf(state)) verifications[v.id] = v.phase;
  const approvals: string[] = [];
  for (const f of Object.values(state.freight)) for (const stage of Object.keys(f.approvedFor)) approvals.push(`${f.name}/${stage}`);
  return { promotions, verifications, approvals };
}

/**
 * The events between `before` and `state`, in a stable order: promotions (oldest first; created,
 * approval needed, finished), then verifications that finished, then approvals.
 */
export function lifecycleEvents(before: EventFacts, state: ProjectState): NewEvent[] {
  const events: NewEvent[] = [];
  for (const p of state.promotions) {
    const was = before.promotions[p.name];
    if (!was) events.push(promotionCreated(state, p));
    if (p.waitingForApproval && was?.waiting !== waitingKey(p) && !isFinished(p.phase)) events.push(approvalNeeded(state, p));
    const phase = p.phase;
    if (isFinished(phase) && (!was || !isFinished(was.phase))) events.push(promotionFinished(state, p, phase));
  }
  for (const v of verificationsOf(state)) {
    const was = before.verifications[v.id];
    if (VERIFICATION_REASON[v.phase] && was !== v.phase && (was === undefined || !VERIFICATION_REASON[was])) {
      events.push(verificationFinished(state, v));
    }
  }
  const approved = new Set(before.approvals);
  for (const f of Object.values(state.freight)) {
    for (const [stage, approval] of Object.entries(f.approvedFor)) {
      if (approved.has(`${f.name}/${stage}`)) continue;
      events.push(freightApproved(state, f, stage, approval.approvedBy));
    }
  }
  return events;
}

/**
 * Appends `events` to the project's ring with ids and `time`, drops the oldest past `size` events
 * or `bytes` of JSON (the newest one is always kept), and answers the recorded ones.
 */
export function recordEvents(
  state: ProjectState,
  events: readonly NewEvent[],
  time: string,
  limits: { size?: number; bytes?: number } = {},
): LifecycleEvent[] {
  if (events.length === 0) return [];
  const { size = EVENT_RING_SIZE, bytes = EVENT_RING_BYTES } = limits;
  const ring = (state.events ??= { next: 1, items: [] });
  const recorded = events.map((e) => ({ id: ring.next++, time, ...e }));
  ring.items.push(...recorded);
  if (ring.items.length > size) ring.items.splice(0, ring.items.length - size);
  const sizes = ring.items.map((e) => JSON.stringify(e).length);
  let total = sizes.reduce((a, b) => a + b, 0);
  let drop = 0;
  while (total > bytes && drop < ring.items.length - 1) total -= sizes[drop++]!;
  if (drop) ring.items.splice(0, drop);
  return recorded;
}

export interface EventQuery {
  /** Only events after this id (a number), or at or after this time (RFC 3339). */
  since?: number | string;
  limit?: number;
}

/** The kept events, newest first, filtered by `since` and cut to `limit`. */
export function listEvents(ring: EventRing | undefined, query: EventQuery = {}): LifecycleEvent[] {
  const items = (ring?.items ?? []).filter((e) => {
    if (query.since === undefined) return true;
    if (typeof query.since === 'number') return e.id > query.since;
    return Date.parse(e.time) >= Date.parse(query.since);
  });
  return items.reverse().slice(0, query.limit ?? items.length);
}

const VERIFICATION_REASON: Partial<Record<VerificationPhase, EventReason>> = {
  Successful: 'FreightVerificationSucceeded',
  Failed: 'FreightVerificationFailed',
  Error: 'FreightVerificationErrored',
  Aborted: 'FreightVerificationAborted',
  Inconclusive: 'FreightVerificationInconclusive',
};

const PROMOTION_REASON: Record<'Succeeded' | 'Failed' | 'Errored' | 'Aborted', EventReason> = {
  Succeeded: 'PromotionSucceeded',
  Failed: 'PromotionFailed',
  Errored: 'PromotionErrored',
  Aborted: 'PromotionAborted',
};

function isFinished(phase: PromotionPhase): phase is keyof typeof PROMOTION_REASON {
  return phase in PROMOTION_REASON;
}

function waitingKey(p: PromotionRecord): string {
  return `${p.waitingForApproval?.gate ?? ''}@${p.waitingForApproval?.since ?? ''}`;
}

function promotionCreated(state: ProjectState, p: PromotionRecord): NewEvent {
  const actor = p.auto ? CONTROLLER_ACTOR : (p.actor ?? 'unknown actor');
  // Kargo's messages (pkg/webhook/kubernetes/promotion/webhook.go, pkg/controller/stages/regular_stages.go).
  const message = p.auto
    ? `Automatically promoted Freight from origin ${JSON.stringify(p.origin)} for Stage ${JSON.stringify(p.stage)}`
    : `Promotion created for Stage ${JSON.stringify(p.stage)} by ${JSON.stringify(actor)}`;
  return promotionEvent(state, p, 'PromotionCreated', message, actor);
}

function approvalNeeded(state: ProjectState, p: PromotionRecord): NewEvent {
  const gate = p.waitingForApproval?.gate === 'stage' ? `Stage ${JSON.stringify(p.stage)} requires approval` : `step ${JSON.stringify(p.waitingForApproval?.gate)} waits for approval`;
  const detail = p.waitingForApproval?.message ? `: ${p.waitingForApproval.message}` : '';
  return promotionEvent(state, p, 'PromotionApprovalNeeded', `Promotion waiting for approval (${gate})${detail}`, p.actor);
}

function promotionFinished(state: ProjectState, p: PromotionRecord, phase: keyof typeof PROMOTION_REASON): NewEvent {
  // Kargo: "Promotion <phase>" and ": <message>" when there is one (pkg/controller/promotions/promotions.go).
  const message = `Promotion ${phase}${p.message && phase !== 'Succeeded' ? `: ${p.message}` : ''}`;
  const event = promotionEvent(state, p, PROMOTION_REASON[phase], message, p.actor);
  if (phase === 'Succeeded') {
    const stage = state.specs.stages[p.stage];
    event.annotations[EVENT_ANNOTATIONS.verificationPending] = String(stage?.spec.verification !== undefined);
  }
  return event;
}

function promotionEvent(state: ProjectState, p: PromotionRecord, reason: EventReason, message: string, actor: string | undefined): NewEvent {
  const freight = state.freight[p.freight];
  const annotations: Record<string, string> = {
    [EVENT_ANNOTATIONS.project]: state.project,
    [EVENT_ANNOTATIONS.promotionName]: p.name,
    [EVENT_ANNOTATIONS.promotionCreateTime]: p.createdAt,
    [EVENT_ANNOTATIONS.stageName]: p.stage,
    [EVENT_ANNOTATIONS.freightName]: p.freight,
    [EVENT_ANNOTATIONS.freightAlias]: freight?.alias ?? p.freightAlias,
    [EVENT_ANNOTATIONS.freightWarehouseName]: p.origin,
    ...(freight ? freightAnnotations(freight) : {}),
    ...(actor ? { [EVENT_ANNOTATIONS.actor]: actor } : {}),
    ...(p.rollback ? { [EVENT_ANNOTATIONS.rollback]: 'true' } : {}),
  };
  return { type: typeOf(reason), reason, message, involvedObject: { kind: 'Promotion', name: p.name }, annotations };
}

function verificationFinished(state: ProjectState, v: VerificationRecord): NewEvent {
  const reason = VERIFICATION_REASON[v.phase]!;
  const freight = v.freight[0] === undefined ? undefined : state.freight[v.freight[0]];
  const message = v.message ?? `Verification ${v.phase} for Stage ${JSON.stringify(v.stage)}`;
  const promotion = state.stages[v.stage]?.freightHistory.find((h) => h.collection.id === v.collection)?.promotion;
  const annotations: Record<string, string> = {
    [EVENT_ANNOTATIONS.project]: state.project,
    [EVENT_ANNOTATIONS.stageName]: v.stage,
    [EVENT_ANNOTATIONS.analysisRunName]: v.id,
    ...(v.freight[0] ? { [EVENT_ANNOTATIONS.freightName]: v.freight[0] } : {}),
    ...(freight ? { [EVENT_ANNOTATIONS.freightAlias]: freight.alias, [EVENT_ANNOTATIONS.freightWarehouseName]: freight.origin.name, ...freightAnnotations(freight) } : {}),
    ...(v.startTime ? { [EVENT_ANNOTATIONS.verificationStartTime]: v.startTime } : {}),
    ...(v.finishTime ? { [EVENT_ANNOTATIONS.verificationFinishTime]: v.finishTime } : {}),
    ...(v.actor ? { [EVENT_ANNOTATIONS.actor]: v.actor } : {}),
    ...(promotion ? { [EVENT_ANNOTATIONS.promotionName]: promotion } : {}),
  };
  return { type: typeOf(reason), reason, message, involvedObject: { kind: 'Freight', name: v.freight[0] ?? v.collection }, annotations };
}

function freightApproved(state: ProjectState, f: FreightRecord, stage: string, actor: string | undefined): NewEvent {
  const by = actor ?? 'unknown actor';
  return {
    type: 'Normal',
    reason: 'FreightApproved',
    // Kargo's message (pkg/webhook/kubernetes/freight/webhook.go).
    message: `Freight approved for Stage ${JSON.stringify(stage)} by ${JSON.stringify(by)}`,
    involvedObject: { kind: 'Freight', name: f.name },
    annotations: {
      [EVENT_ANNOTATIONS.project]: state.project,
      [EVENT_ANNOTATIONS.stageName]: stage,
      [EVENT_ANNOTATIONS.freightName]: f.name,
      [EVENT_ANNOTATIONS.freightAlias]: f.alias,
      [EVENT_ANNOTATIONS.freightWarehouseName]: f.origin.name,
      [EVENT_ANNOTATIONS.actor]: by,
      ...freightAnnotations(f),
    },
  };
}

/** Kargo's freight annotations: create time, and the artifacts as JSON when there are any. */
function freightAnnotations(f: FreightReference & { discoveredAt?: string }): Record<string, string> {
  return {
    ...(f.discoveredAt ? { [EVENT_ANNOTATIONS.freightCreateTime]: f.discoveredAt } : {}),
    ...(f.commits.length ? { [EVENT_ANNOTATIONS.freightCommits]: JSON.stringify(f.commits) } : {}),
    ...(f.images.length ? { [EVENT_ANNOTATIONS.freightImages]: JSON.stringify(f.images) } : {}),
    ...(f.charts.length ? { [EVENT_ANNOTATIONS.freightCharts]: JSON.stringify(f.charts) } : {}),
    ...(f.artifacts?.length ? { [EVENT_ANNOTATIONS.freightArtifacts]: JSON.stringify(f.artifacts) } : {}),
  };
}

function typeOf(reason: EventReason): 'Normal' | 'Warning' {
  return /Failed|Errored|Aborted|Inconclusive/.test(reason) ? 'Warning' : 'Normal';
}

/** Each stage's current verification and those in its freight history, by id. */
function verificationsOf(state: ProjectState): VerificationRecord[] {
  const byId = new Map<string, VerificationRecord>();
  for (const s of Object.values(state.stages)) {
    for (const entry of s.freightHistory) for (const v of entry.verificationHistory ?? []) byId.set(v.id, v);
    if (s.currentVerification) byId.set(s.currentVerification.id, s.currentVerification);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
