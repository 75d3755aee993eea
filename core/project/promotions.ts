import { DomainError } from '../errors.js';
import { freightCollectionId } from '../freight/freight-id.js';
import { planPromotion } from '../promotion/plan.js';
import type { FreightCollection, FreightReference, PromotionPhase, PromotionPlan } from '../promotion/types.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import { monotonicUlid } from '../ulid.js';
import type { Stage } from '../model.js';
import { freightAvailability, type Availability } from './availability.js';
import { settleControlFlowStages } from './control-flow.js';
import type {
  ApprovalRequest,
  FreightRecord,
  KeptWorkspace,
  ProjectState,
  PromotionApproval,
  PromotionRecord,
  StageState,
  StepRecord,
} from './state.js';

/** Terminal promotions kept per stage; older ones are dropped from the project state. */
export const PROMOTIONS_KEPT_PER_STAGE = 20;
/** Kargo keeps the last 10 freight collections per stage. */
export const FREIGHT_HISTORY_LENGTH = 10;

export function findFreight(state: ProjectState, idOrAlias: string): FreightRecord | undefined {
  return state.freight[idOrAlias] ?? Object.values(state.freight).find((f) => f.alias === idOrAlias);
}

export function stageState(state: ProjectState, stage: string): StageState {
  let s = state.stages[stage];
  if (!s) {
    s = { freightHistory: [], queue: [] };
    state.stages[stage] = s;
  }
  return s;
}

/**
 * Why `freight` may not be promoted to `stage` now (undefined when it may): the stage must
 * exist and have steps, the freight must exist and be available to it (Kargo's admission rules).
 */
export function promotionIssue(state: ProjectState, stageName: string, freightRef: string, nowMs: number): DomainError | undefined {
  const stage = state.specs.stages[stageName];
  if (!stage) return new DomainError('NotFound', `stage "${stageName}" not found in project "${state.project}"`);
  const stepless = noStepsIssue(stage);
  if (stepless) return new DomainError('FailedPrecondition', stepless.reason);
  const freight = findFreight(state, freightRef);
  if (!freight) return new DomainError('NotFound', `freight "${freightRef}" not found in project "${state.project}"`);
  const admission = promotionAdmission(state, stage, freight, nowMs);
  return admission.available ? undefined : new DomainError('FailedPrecondition', admission.reason);
}

/**
 * Whether `freight` may be promoted to `stage` now, and why not: the rule promotionIssue refuses
 * a promotion by, and what the api shows per stage (core/project/promotable-freight.ts).
 */
export function promotionAdmission(state: ProjectState, stage: Stage, freight: FreightRecord, nowMs: number): Availability {
  const stepless = noStepsIssue(stage);
  if (stepless) return stepless;
  const availability = freightAvailability(stage, freight, nowMs);
  if (availability.available || !isRollback(state, stage.metadata.name, freight)) return availability;
  return { ...availability, reason: `rolling stage "${stage.metadata.name}" back to freight ${freight.alias} is refused: ${availability.reason}` };
}

function noStepsIssue(stage: Stage): Extract<Availability, { available: false }> | undefined {
  if (stage.spec.promotionTemplate?.spec.steps.length) return undefined;
  return {
    available: false,
    reason: `stage "${stage.metadata.name}" has no promotion steps, so it cannot be promoted to`,
    blockers: [{ kind: 'NoPromotionSteps' }],
  };
}

/**
 * Whether promoting `freight` to the stage rolls it back: the stage has held this freight
 * before (it is in its freight history) but holds another freight of that origin now.
 */
export function isRollback(state: ProjectState, stageName: string, freight: FreightRecord): boolean {
  const history = state.stages[stageName]?.freightHistory ?? [];
  const slot = `Warehouse/${freight.origin.name}`;
  const current = history[0]?.collection.items[slot];
  if (!current || current.name === freight.name) return false;
  return history.slice(1).some((entry) => entry.collection.items[slot]?.name === freight.name);
}

/** The collection the stage will hold after promoting `freight`: its other origins carried over. */
export function nextCollection(state: ProjectState, stageName: string, freight: FreightRecord): FreightCollection {
  const current = state.stages[stageName]?.freightHistory[0]?.collection;
  const items: Record<string, FreightReference> = { ...(current?.items ?? {}) };
  items[`Warehouse/${freight.origin.name}`] = toReference(freight);
  return { id: collectionId(items), items };
}

export function toReference(f: FreightRecord): FreightReference {
  return {
    name: f.name,
    alias: f.alias,
    origin: f.origin,
    commits: f.commits,
    images: f.images,
    charts: f.charts,
    ...(f.artifacts?.length ? { artifacts: f.artifacts } : {}),
  };
}

/** Kargo's collection id: SHA-1 of the sorted freight names. */
function collectionId(items: Record<string, FreightReference>): string {
  return freightCollectionId(Object.values(items).map((f) => f.name));
}

/** Queues a promotion; callers have checked promotionIssue first. */
export function queuePromotion(
  state: ProjectState,
  stageName: string,
  freight: FreightRecord,
  opts: { nowMs: number; now: string; random: () => number; actor?: string; workflowIdFor: (name: string) => string },
): PromotionRecord {
  const previous = state.promotions.at(-1)?.name.split('.').at(-2);
  const name = `${stageName}.${monotonicUlid(opts.nowMs, opts.random, previous)}.${freight.name.slice(0, 7)}`;
  const record: PromotionRecord = {
    name,
    stage: stageName,
    freight: freight.name,
    freightAlias: freight.alias,
    origin: freight.origin.name,
    phase: 'Pending',
    createdAt: opts.now,
    workflowId: opts.workflowIdFor(name),
    steps: [],
  };
  if (opts.actor) record.actor = opts.actor;
  if (isRollback(state, stageName, freight)) record.rollback = true;
  state.promotions.push(record);
  stageState(state, stageName).queue.push(name);
  state.updatedAt = opts.now;
  return record;
}

export function findPromotion(state: ProjectState, name: string): PromotionRecord | undefined {
  return state.promotions.find((p) => p.name === name);
}

/** Stages whose queue head can start now: nothing running there. */
export function startablePromotions(state: ProjectState): PromotionRecord[] {
  const ready: PromotionRecord[] = [];
  for (const s of Object.values(state.stages)) {
    // As in Kargo, the next promotion also waits for the current freight's verification.
    if (s.currentPromotion || s.currentVerification) continue;
    // A name without a record (should not happen) is dropped, and the next one considered.
    while (s.queue.length > 0 && !findPromotion(state, s.queue[0]!)) s.queue.shift();
    const p = s.queue.length > 0 ? findPromotion(state, s.queue[0]!) : undefined;
    if (p) ready.push(p);
  }
  return ready;
}

export function markStarted(state: ProjectState, promotion: PromotionRecord, steps: StepRecord[], now: string): void {
  const s = stageState(state, promotion.stage);
  s.queue = s.queue.filter((n) => n !== promotion.name);
  s.currentPromotion = promotion.name;
  promotion.phase = 'Running';
  promotion.startedAt = now;
  promotion.steps = steps;
  state.updatedAt = now;
}

export function planFor(state: ProjectState, stageName: string): PromotionPlan {
  const stage = state.specs.stages[stageName];
  if (!stage) throw new DomainError('NotFound', `stage "${stageName}" not found`);
  return planPromotion(stage, {
    promotionTasks: Object.values(state.specs.tasks),
    clusterTasks: Object.values(state.specs.clusterTasks),
  });
}

export interface FinishedPromotion {
  name: string;
  phase: PromotionPhase;
  message?: string;
  steps: StepRecord[];
  state: Record<string, Record<string, unknown>>;
  finishedAt: string;
  approvals?: PromotionApproval[];
  workspace?: KeptWorkspace;
}

/** A running promotion now waits for a person, or has been approved. */
export function recordProgress(
  state: ProjectState,
  progress: { name: string; waitingForApproval?: ApprovalRequest; approvals: PromotionApproval[] },
  now: string,
): void {
  const promotion = findPromotion(state, progress.name);
  if (!promotion || TERMINAL_PHASES.includes(promotion.phase)) return;
  if (progress.waitingForApproval) {
    promotion.waitingForApproval = progress.waitingForApproval;
    const gate = progress.waitingForApproval.gate === 'stage' ? `stage "${promotion.stage}" requires approval` : `step "${progress.waitingForApproval.gate}"`;
    promotion.message = `waiting for approval (${gate})${progress.waitingForApproval.message ? `: ${progress.waitingForApproval.message}` : ''}`;
  } else {
    delete promotion.waitingForApproval;
    delete promotion.message;
  }
  if (progress.approvals.length) promotion.approvals = progress.approvals;
  state.updatedAt = now;
}

/**
 * Records a promotion's end. On success the stage takes the new collection: the freight is
 * currently in it, and (with no verification configured) verified there.
 */
export function finishPromotion(state: ProjectState, done: FinishedPromotion, nowMs: number): void {
  const promotion = findPromotion(state, done.name);
  if (!promotion || TERMINAL_PHASES.includes(promotion.phase)) return;
  recordEnd(promotion, done);
  const s = stageState(state, promotion.stage);
  if (s.currentPromotion === promotion.name) delete s.currentPromotion;
  s.queue = s.queue.filter((n) => n !== promotion.name);
  // A promotion that never ran (aborted in the queue) is not the stage's last promotion.
  if (promotion.startedAt) {
    s.lastPromotion = { name: promotion.name, freight: promotion.freight, phase: done.phase, finishedAt: done.finishedAt };
  }

  const freight = state.freight[promotion.freight];
  if (done.phase === 'Succeeded' && freight) {
    const collection = nextCollection(state, promotion.stage, freight);
    const replaced = s.freightHistory[0]?.collection.items[`Warehouse/${freight.origin.name}`];
    if (replaced && replaced.name !== freight.name) leaveStage(state, replaced.name, promotion.stage, nowMs);
    s.freightHistory.unshift({ collection, promotedAt: done.finishedAt, promotion: promotion.name });
    s.freightHistory.splice(FREIGHT_HISTORY_LENGTH);
    if (!freight.currentlyIn[promotion.stage]) freight.currentlyIn[promotion.stage] = { since: done.finishedAt };
    const stage = state.specs.stages[promotion.stage];
    const verificationConfigured = Boolean(stage?.spec.verification?.analysisTemplates?.length || stage?.spec.verification?.soak);
    if (!verificationConfigured && !freight.verifiedIn[promotion.stage]) {
      freight.verifiedIn[promotion.stage] = { verifiedAt: done.finishedAt };
    }
  }
  prunePromotions(state, promotion.stage);
  settleControlFlowStages(state, done.finishedAt);
  state.updatedAt = done.finishedAt;
}

/** What a promotion's own record says once it has ended as `done` reports (the stage's part is finishPromotion's). */
export function recordEnd(promotion: PromotionRecord, done: FinishedPromotion): void {
  promotion.phase = done.phase;
  promotion.steps = done.steps;
  promotion.state = done.state;
  promotion.finishedAt = done.finishedAt;
  if (done.message !== undefined) promotion.message = done.message;
  else delete promotion.message;
  delete promotion.waitingForApproval;
  if (done.approvals?.length) promotion.approvals = done.approvals;
  if (done.workspace) promotion.workspace = done.workspace;
}

/** Freight leaves a stage: its continuous occupancy counts toward `longestSoak`. */
function leaveStage(state: ProjectState, freightName: string, stage: string, nowMs: number): void {
  const f = state.freight[freightName];
  const current = f?.currentlyIn[stage];
  if (!f || !current) return;
  const held = nowMs - Date.parse(current.since);
  const verified = f.verifiedIn[stage];
  if (verified) verified.longestSoakMs = Math.max(verified.longestSoakMs ?? 0, held);
  delete f.currentlyIn[stage];
}

/** Drops terminal promotions of a stage beyond PROMOTIONS_KEPT_PER_STAGE, oldest first. */
export function prunePromotions(state: ProjectState, stage: string): void {
  const terminal = state.promotions.filter((p) => p.stage === stage && TERMINAL_PHASES.includes(p.phase));
  const drop = new Set(terminal.slice(0, Math.max(0, terminal.length - PROMOTIONS_KEPT_PER_STAGE)).map((p) => p.name));
  if (drop.size) state.promotions = state.promotions.filter((p) => !drop.has(p.name));
}
