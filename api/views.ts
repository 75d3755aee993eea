/**
 * Renders what the project workflow knows (ProjectState) as Kargo-shaped JSON objects, so that
 * scripts written against Kargo's API keep working. Pure: no clock, no I/O.
 *
 * Shunt-only fields are few and marked below (`status.workflowId`, `status.temporalUiUrl`,
 * `status.stats.freight`, `status.freightAvailability`). Views that depend on the time take it.
 */
import { KARGO_API_VERSION, type FreightOrigin, type ObjectMeta, type Stage, type Warehouse } from '../core/model.js';
import { autoPromotionEnabled } from '../core/project/auto-promotion.js';
import { formatDuration } from '../core/duration.js';
import { stageFreightAvailability, type FreightAvailabilityEntry } from '../core/project/promotable-freight.js';
import { verifiedCondition, type StageCondition, type VerificationSummary } from '../core/project/verification-status.js';
import { stageVerificationFacts, type VerificationFacts } from '../core/project/verification-facts.js';
import type {
  ApprovalRequest,
  FreightRecord,
  ProjectState,
  PromotionApproval,
  PromotionRecord,
  StageState,
  VerificationRecord,
} from '../core/project/state.js';
import { freightPage } from '../core/project/reads.js';
import { warehouseDiscoveryView, type WarehouseDiscoveryView } from './warehouse-status.js';
import type { FreightReference, PromotionPhase, StepStatus } from '../core/promotion/types.js';
import type { ProjectSummary } from './backend.js';

export const ALIAS_LABEL = 'kargo.akuity.io/alias';
export const STAGE_LABEL = 'kargo.akuity.io/stage';
export const CREATE_ACTOR_ANNOTATION = 'kargo.akuity.io/create-actor';

export interface ListView<T> {
  apiVersion: 'v1';
  kind: 'List';
  /** Only on a page that has more after it (Kubernetes' list chunking). */
  metadata?: { continue: string; remainingItemCount: number };
  items: T[];
}

export function renderList<T>(items: T[]): ListView<T> {
  return { apiVersion: 'v1', kind: 'List', items };
}

// ---- Freight -----------------------------------------------------------------------------

/** Kargo's FreightReference as it appears inside Stage and Promotion status. */
export interface FreightReferenceView {
  name: string;
  origin: FreightOrigin;
  images: FreightReference['images'];
  commits: FreightReference['commits'];
  charts: FreightReference['charts'];
  artifacts?: FreightReference['artifacts'];
}

export interface FreightView {
  apiVersion: string;
  kind: 'Freight';
  metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string };
  alias: string;
  discoveredAt: string;
  origin: FreightOrigin;
  images: FreightReference['images'];
  commits: FreightReference['commits'];
  charts: FreightReference['charts'];
  artifacts?: FreightReference['artifacts'];
  status: {
    currentlyIn: Record<string, { since: string }>;
    verifiedIn: Record<string, { verifiedAt: string; longestSoak?: string }>;
    approvedFor: Record<string, { approvedAt: string; approvedBy?: string }>;
    /** Shunt: stage → the freight's latest verification there, with its phase and message (core/project/verification-status.ts). */
    lastVerificationIn?: Record<string, VerificationSummary>;
  };
}

export function renderFreight(project: string, freight: FreightRecord, verifications: Record<string, VerificationSummary> = {}): FreightView {
  const verifiedIn: FreightView['status']['verifiedIn'] = {};
  for (const [stage, v] of Object.entries(freight.verifiedIn)) {
    verifiedIn[stage] =
      v.longestSoakMs === undefined
        ? { verifiedAt: v.verifiedAt }
        : { verifiedAt: v.verifiedAt, longestSoak: formatDuration(v.longestSoakMs) };
  }
  const approvedFor: FreightView['status']['approvedFor'] = {};
  for (const [stage, a] of Object.entries(freight.approvedFor)) {
    approvedFor[stage] = a.approvedBy === undefined ? { approvedAt: a.approvedAt } : { approvedAt: a.approvedAt, approvedBy: a.approvedBy };
  }
  const currentlyIn: FreightView['status']['currentlyIn'] = {};
  for (const [stage, c] of Object.entries(freight.currentlyIn)) {
    currentlyIn[stage] = { since: c.since };
  }
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Freight',
    metadata: {
      name: freight.name,
      namespace: project,
      labels: { [ALIAS_LABEL]: freight.alias },
      creationTimestamp: freight.discoveredAt,
    },
    alias: freight.alias,
    discoveredAt: freight.discoveredAt,
    origin: freight.origin,
    images: freight.images,
    commits: freight.commits,
    charts: freight.charts,
    ...(freight.artifacts?.length ? { artifacts: freight.artifacts } : {}),
    status: { currentlyIn, verifiedIn, approvedFor, ...(Object.keys(verifications).length ? { lastVerificationIn: verifications } : {}) },
  };
}

/** All freight of the project, newest first (ties: by id, for a stable order). */
export function renderFreightList(state: ProjectState): ListView<FreightView> {
  return renderList(freightPage(state).items.map((r) => renderFreight(state.project, r.freight, r.lastVerificationIn)));
}

/** Finds freight by id, else by alias. */
export function findFreight(state: ProjectState, idOrAlias: string): FreightRecord | undefined {
  return state.freight[idOrAlias] ?? Object.values(state.freight).find((f) => f.alias === idOrAlias);
}

function freightReference(ref: FreightReference): FreightReferenceView {
  return {
    name: ref.name,
    origin: ref.origin,
    images: ref.images,
    commits: ref.commits,
    charts: ref.charts,
    ...(ref.artifacts?.length ? { artifacts: ref.artifacts } : {}),
  };
}

// ---- Stage -------------------------------------------------------------------------------

export interface PromotionReferenceView {
  name: string;
  freight: FreightReferenceView | { name: string };
  status?: { phase: PromotionPhase; finishedAt?: string };
  finishedAt?: string;
}

export interface StageView {
  apiVersion: string;
  kind: 'Stage';
  metadata: ObjectMeta & { namespace: string };
  spec: Stage['spec'];
  status: {
    freightHistory: {
      id: string;
      items: Record<string, FreightReferenceView>;
      promotedAt?: string;
      promotion?: string;
      verificationHistory?: VerificationRecord[];
    }[];
    /** Shunt: the verification of the current freight that is pending or running. */
    currentVerification?: VerificationRecord;
    /**
     * Shunt: what the current freight's latest verification here passed (or is checking): each
     * metric's measurements with the conditions they were judged by, and the soak served against
     * the one required (core/project/verification-facts.ts).
     */
    lastVerification?: VerificationFacts;
    /** Kargo's conditions; Shunt sets `Verified` (core/project/verification-status.ts) while the stage holds freight. */
    conditions?: StageCondition[];
    autoPromotionEnabled: boolean;
    autoPromotionHolds?: NonNullable<StageState['autoPromotionHolds']>;
    currentPromotion?: PromotionReferenceView;
    lastPromotion?: PromotionReferenceView;
    freightSummary: string;
    health?: { status: 'Healthy' | 'Unknown' };
    /** When the stage was last refreshed (Kargo echoes its refresh token here; Shunt the time). */
    lastHandledRefresh?: string;
    /**
     * Shunt: every freight of the project, newest first, and whether it may be promoted to this
     * stage now (the rule a promotion request is refused by), with the reason when it may not.
     */
    freightAvailability: FreightAvailabilityEntry[];
  };
}

/** `nowMs`: the time availability is judged at (soak times depend on it). */
export function renderStage(state: ProjectState, stage: Stage, nowMs: number): StageView {
  const name = stage.metadata.name;
  const stageState: StageState = state.stages[name] ?? { freightHistory: [], queue: [] };
  const freightHistory = stageState.freightHistory.map((entry) => {
    const items: Record<string, FreightReferenceView> = {};
    for (const [key, ref] of Object.entries(entry.collection.items)) items[key] = freightReference(ref);
    return {
      id: entry.collection.id,
      items,
      promotedAt: entry.promotedAt,
      ...(entry.promotion ? { promotion: entry.promotion } : {}),
      ...(entry.verificationHistory ? { verificationHistory: entry.verificationHistory } : {}),
    };
  });
  const status: StageView['status'] = {
    freightHistory,
    freightSummary: freightSummary(stage, stageState),
    autoPromotionEnabled: autoPromotionEnabled(state, name),
    freightAvailability: stageFreightAvailability(state, name, nowMs),
  };
  if (stageState.autoPromotionHolds && Object.keys(stageState.autoPromotionHolds).length) status.autoPromotionHolds = stageState.autoPromotionHolds;
  if (stageState.currentVerification) status.currentVerification = stageState.currentVerification;
  const facts = stageVerificationFacts(state, name, nowMs);
  if (facts) status.lastVerification = facts;
  if (stageState.lastHandledRefresh) status.lastHandledRefresh = stageState.lastHandledRefresh;
  const verified = verifiedCondition(state, name);
  if (verified) status.conditions = [verified];

  if (stageState.currentPromotion !== undefined) {
    const running = state.promotions.find((p) => p.name === stageState.currentPromotion);
    status.currentPromotion = {
      name: stageState.currentPromotion,
      freight: running ? freightRefById(state, running.freight) : { name: '' },
    };
  }
  const last = stageState.lastPromotion;
  if (last !== undefined) {
    const finished = last.finishedAt === undefined ? {} : { finishedAt: last.finishedAt };
    status.lastPromotion = {
      name: last.name,
      freight: freightRefById(state, last.freight),
      status: { phase: last.phase, ...finished },
      ...finished,
    };
  }
  // Shunt has no live health checks of its own yet: a stage whose last promotion (which waits
  // for its health checks) succeeded is Healthy; one holding freight otherwise is Unknown.
  if (last?.phase === 'Succeeded') status.health = { status: 'Healthy' };
  else if (freightHistory.length > 0) status.health = { status: 'Unknown' };

  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Stage',
    metadata: { ...stage.metadata, namespace: state.project },
    spec: stage.spec,
    status,
  };
}

export function renderStageList(state: ProjectState, nowMs: number): ListView<StageView> {
  return renderList(sortedByName(Object.values(state.specs.stages)).map((s) => renderStage(state, s, nowMs)));
}

function freightRefById(state: ProjectState, id: string): FreightReferenceView | { name: string } {
  const record = state.freight[id];
  return record ? freightReference(record) : { name: id };
}

/**
 * Kargo's `status.freightSummary`: the freight's name when the stage requests one piece of
 * freight and holds it, else `<held>/<requested> Fulfilled`.
 */
export function freightSummary(stage: Stage, stageState: StageState): string {
  const requested = stage.spec.requestedFreight.length;
  const current = stageState.freightHistory[0]?.collection.items ?? {};
  const held = Object.values(current);
  if (requested === 1 && held.length === 1 && held[0] !== undefined) return held[0].name;
  return `${held.length}/${requested} Fulfilled`;
}

// ---- Warehouse ---------------------------------------------------------------------------

export interface WarehouseView {
  apiVersion: string;
  kind: 'Warehouse';
  metadata: ObjectMeta & { namespace: string };
  spec: Warehouse['spec'];
  status: { lastFreightID?: string } & WarehouseDiscoveryView;
}

export function renderWarehouse(state: ProjectState, warehouse: Warehouse): WarehouseView {
  const name = warehouse.metadata.name;
  let newest: FreightRecord | undefined;
  for (const f of Object.values(state.freight)) {
    if (f.origin.name !== name) continue;
    if (newest === undefined || f.discoveredAt >= newest.discoveredAt) newest = f;
  }
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Warehouse',
    metadata: { ...warehouse.metadata, namespace: state.project },
    spec: warehouse.spec,
    status: { ...(newest === undefined ? {} : { lastFreightID: newest.name }), ...warehouseDiscoveryView(state, name) },
  };
}

export function renderWarehouseList(state: ProjectState): ListView<WarehouseView> {
  return renderList(sortedByName(Object.values(state.specs.warehouses)).map((w) => renderWarehouse(state, w)));
}

// ---- Promotion ---------------------------------------------------------------------------

export interface StepExecutionView {
  alias: string;
  /** Shunt: the step kind, so a failure can say which step it was. */
  uses: string;
  startedAt?: string;
  finishedAt?: string;
  errorCount: number;
  status: StepStatus;
  message?: string;
  continueOnError?: boolean;
}

export interface PromotionView {
  apiVersion: string;
  kind: 'Promotion';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    creationTimestamp: string;
  };
  spec: { stage: string; freight: string };
  status: {
    phase: PromotionPhase;
    message?: string;
    freight: { name: string; origin: FreightOrigin };
    startedAt?: string;
    finishedAt?: string;
    currentStep: number;
    stepExecutionMetadata: StepExecutionView[];
    state?: Record<string, Record<string, unknown>>;
    /** Shunt: the Temporal workflow that runs the promotion. */
    workflowId: string;
    /** Shunt: a link to that workflow in the Temporal Web UI, when its address is configured. */
    temporalUiUrl?: string;
    /** Shunt: the promotion waits for a person (`shunt approve promotion NAME`). */
    waitingForApproval?: ApprovalRequest;
    /** Shunt: who approved it, and when. */
    approvals?: PromotionApproval[];
    /** Shunt: the freight is older than the stage's current freight. */
    rollback?: boolean;
    /** Shunt: the promotion this one retries. */
    retryOf?: string;
    /** Shunt: created by auto-promotion, not by a person. */
    autoPromotion?: boolean;
  };
}

export interface PromotionViewOptions {
  /** Base address of the Temporal Web UI, e.g. `http://localhost:8233`. */
  temporalUiUrl?: string;
  /** Temporal namespace of the workflows; default `default`. */
  namespace?: string;
}

export function renderPromotion(
  project: string,
  promotion: PromotionRecord,
  options: PromotionViewOptions = {},
): PromotionView {
  const annotations: Record<string, string> = {};
  if (promotion.actor !== undefined) annotations[CREATE_ACTOR_ANNOTATION] = promotion.actor;
  const stepExecutionMetadata = promotion.steps
    .filter((s) => s.status !== 'Pending' || s.startedAt !== undefined)
    .map((s): StepExecutionView => {
      const view: StepExecutionView = { alias: s.alias, uses: s.uses, errorCount: s.errorCount, status: s.status };
      if (s.startedAt !== undefined) view.startedAt = s.startedAt;
      if (s.finishedAt !== undefined) view.finishedAt = s.finishedAt;
      if (s.message !== undefined) view.message = s.message;
      if (s.continueOnError !== undefined) view.continueOnError = s.continueOnError;
      return view;
    });
  const status: PromotionView['status'] = {
    phase: promotion.phase,
    freight: { name: promotion.freight, origin: parseOrigin(promotion.origin) },
    currentStep: currentStep(promotion),
    stepExecutionMetadata,
    workflowId: promotion.workflowId,
  };
  if (promotion.message !== undefined) status.message = promotion.message;
  if (promotion.startedAt !== undefined) status.startedAt = promotion.startedAt;
  if (promotion.finishedAt !== undefined) status.finishedAt = promotion.finishedAt;
  if (promotion.state !== undefined) status.state = promotion.state;
  if (promotion.waitingForApproval !== undefined) status.waitingForApproval = promotion.waitingForApproval;
  if (promotion.approvals !== undefined) status.approvals = promotion.approvals;
  if (promotion.rollback) status.rollback = true;
  if (promotion.retryOf !== undefined) status.retryOf = promotion.retryOf;
  if (promotion.auto) status.autoPromotion = true;
  if (options.temporalUiUrl !== undefined && options.temporalUiUrl !== '') {
    status.temporalUiUrl = temporalWorkflowUrl(options.temporalUiUrl, options.namespace ?? 'default', promotion.workflowId);
  }
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Promotion',
    metadata: {
      name: promotion.name,
      namespace: project,
      labels: { [STAGE_LABEL]: promotion.stage },
      annotations,
      creationTimestamp: promotion.createdAt,
    },
    spec: { stage: promotion.stage, freight: promotion.freight },
    status,
  };
}

/** Promotions in creation order (the order the project keeps them in). */
export function renderPromotionList(state: ProjectState, options: PromotionViewOptions = {}): ListView<PromotionView> {
  return renderList(state.promotions.map((p) => renderPromotion(state.project, p, options)));
}

export function temporalWorkflowUrl(base: string, namespace: string, workflowId: string): string {
  // Workflow ids are `promotion:<project>:<stage>:<freight>`: keep the colons readable.
  const id = encodeURIComponent(workflowId).replace(/%3A/gi, ':');
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${id}`;
}

/**
 * Kargo's `currentStep`: the index of the step running now, or of the last step that ran once
 * the promotion is over; 0 before any step started.
 */
function currentStep(promotion: PromotionRecord): number {
  const running = promotion.steps.findIndex((s) => s.status === 'Running');
  if (running >= 0) return running;
  let last = 0;
  promotion.steps.forEach((s, i) => {
    if (s.status !== 'Pending') last = i;
  });
  return last;
}

/** Promotion records keep the origin as `Warehouse/<name>` or just `<name>`. */
function parseOrigin(origin: string): FreightOrigin {
  const slash = origin.indexOf('/');
  return { kind: 'Warehouse', name: slash >= 0 ? origin.slice(slash + 1) : origin };
}

// ---- Project -----------------------------------------------------------------------------

export interface ProjectView {
  apiVersion: string;
  kind: 'Project';
  metadata: { name: string };
  status: {
    stats: {
      warehouses: { count: number };
      stages: { count: number };
      /** Shunt: how many freight the project holds. */
      freight: { count: number };
    };
  };
}

export function renderProject(summary: ProjectSummary): ProjectView | ProjectErrorView {
  if (summary.error !== undefined) {
    return { apiVersion: KARGO_API_VERSION, kind: 'Project', metadata: { name: summary.name }, status: { error: summary.error } };
  }
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Project',
    metadata: { name: summary.name },
    status: {
      stats: {
        warehouses: { count: summary.warehouses },
        stages: { count: summary.stages },
        freight: { count: summary.freight },
      },
    },
  };
}

/** A project of the list that could not be read: its name and why. */
export interface ProjectErrorView {
  apiVersion: string;
  kind: 'Project';
  metadata: { name: string };
  status: { error: string };
}

export function summarizeProject(state: ProjectState): ProjectSummary {
  return {
    name: state.project,
    stages: Object.keys(state.specs.stages).length,
    warehouses: Object.keys(state.specs.warehouses).length,
    freight: Object.keys(state.freight).length,
  };
}

// ---- helpers -----------------------------------------------------------------------------

function sortedByName<T extends { metadata: { name: string } }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

// ---- Status (answer to a delete) ---------------------------------------------------------

export interface DeletedStatusView {
  apiVersion: 'v1';
  kind: 'Status';
  status: 'Success';
  details: { group: 'kargo.akuity.io'; kind: string; name: string; namespace?: string };
}

/** What a delete answers, shaped like the Kubernetes Status object kubectl scripts expect. */
export function deletedStatus(kind: string, name: string, project?: string): DeletedStatusView {
  const details: DeletedStatusView['details'] = { group: 'kargo.akuity.io', kind, name };
  if (project !== undefined) details.namespace = project;
  return { apiVersion: 'v1', kind: 'Status', status: 'Success', details };
}
