/**
 * The lifecycle events' types and Kargo's names for them (api/v1alpha1/event.go): what the
 * project state keeps (core/project/state.ts) and what core/events/lifecycle.ts derives.
 */
export const KARGO_EVENT_REASONS = [
  'PromotionCreated',
  'PromotionSucceeded',
  'PromotionFailed',
  'PromotionErrored',
  'PromotionAborted',
  'FreightApproved',
  'FreightVerificationSucceeded',
  'FreightVerificationFailed',
  'FreightVerificationErrored',
  'FreightVerificationAborted',
  'FreightVerificationInconclusive',
] as const;
/** Shunt's own reasons (Kargo has no event for these). */
export const SHUNT_EVENT_REASONS = ['PromotionApprovalNeeded', 'NotificationFailed'] as const;
export const EVENT_REASONS = [...KARGO_EVENT_REASONS, ...SHUNT_EVENT_REASONS] as const;
export type EventReason = (typeof EVENT_REASONS)[number];

/** How many events a project keeps (newest). */
export const EVENT_RING_SIZE = 100;
/** And at most this much of the project state's budget (JSON bytes; annotations list a freight's artifacts). */
export const EVENT_RING_BYTES = 128 * 1024;

/** Kargo's annotation keys (api/v1alpha1/event.go). */
export const EVENT_ANNOTATIONS = {
  actor: 'event.kargo.akuity.io/actor',
  project: 'event.kargo.akuity.io/project',
  promotionName: 'event.kargo.akuity.io/promotion-name',
  promotionCreateTime: 'event.kargo.akuity.io/promotion-create-time',
  freightAlias: 'event.kargo.akuity.io/freight-alias',
  freightName: 'event.kargo.akuity.io/freight-name',
  freightCreateTime: 'event.kargo.akuity.io/freight-create-time',
  freightWarehouseName: 'event.kargo.akuity.io/freight-warehouse-name',
  freightCommits: 'event.kargo.akuity.io/freight-commits',
  freightImages: 'event.kargo.akuity.io/freight-images',
  freightCharts: 'event.kargo.akuity.io/freight-charts',
  freightArtifacts: 'event.kargo.akuity.io/freight-artifacts',
  stageName: 'event.kargo.akuity.io/stage-name',
  analysisRunName: 'event.kargo.akuity.io/analysis-run-name',
  verificationPending: 'event.kargo.akuity.io/verification-pending',
  verificationStartTime: 'event.kargo.akuity.io/verification-start-time',
  verificationFinishTime: 'event.kargo.akuity.io/verification-finish-time',
  rollback: 'event.kargo.akuity.io/rollback',
} as const;

/** The actor of what Shunt did by itself (auto-promotion), in Kargo's `controller:` form. */
export const CONTROLLER_ACTOR = 'controller:shunt';

/** One lifecycle event, as the project keeps it. */
export interface LifecycleEvent {
  /** Grows by one per event in the project, never reused: the resume token. */
  id: number;
  /** When it was recorded (ISO). */
  time: string;
  /** Kubernetes' event type: `Warning` for failures, else `Normal`. */
  type: 'Normal' | 'Warning';
  reason: EventReason;
  message: string;
  involvedObject: { kind: 'Promotion' | 'Freight' | 'Project'; name: string };
  annotations: Record<string, string>;
}

/** An event before it is recorded (no id, no time yet). */
export type NewEvent = Omit<LifecycleEvent, 'id' | 'time'>;

/** The project's kept events: newest last, at most EVENT_RING_SIZE; `next` is the id the next one gets. */
export interface EventRing {
  next: number;
  items: LifecycleEvent[];
}


/** Where a delivery goes: Secret names and a plain URL only, never a resolved credential. */
export type NotificationTarget =
  | { slack: { webhookSecretRef: { name: string; key?: string } } }
  | { webhook: { url?: string; urlSecretRef?: { name: string; key?: string }; headersSecretRef?: { name: string } } };

/** One event to one subscription: the notification workflow's input. */
export interface NotificationDelivery {
  project: string;
  subscription: string;
  target: NotificationTarget;
  retry: { maxAttempts: number; initialInterval: string; maxInterval: string };
  event: LifecycleEvent;
}

/** A delivery given up on, as the api shows it. */
export interface DeadLetter {
  subscription: string;
  eventId: number;
  eventReason: string;
  /** The endpoint's kind and how it is named, never its URL when that comes from a Secret. */
  endpoint: string;
  attempts: number;
  error: string;
  failedAt: string;
}

export interface NotificationState {
  /** Deliveries decided but not started yet (the project workflow starts them in its loop). */
  outbox: NotificationDelivery[];
  /** Newest last, at most DEAD_LETTER_RING_SIZE. */
  deadLetters: DeadLetter[];
}
