import type {
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  ClusterPromotionTask,
  Project,
  ProjectConfig,
  PromotionTask,
  Stage,
  Warehouse,
} from '../model.js';
import type { EventRing, NotificationState } from '../events/types.js';
import type { FreightCollection, FreightReference, PromotionPhase, StepStatus } from '../promotion/types.js';
import type { MetricResult } from '../verification/analysis.js';
import type { DiscoveryState } from '../warehouse/scan-status.js';

/**
 * Everything the project workflow knows about one project. The project workflow is its only
 * writer; the api reads it through a query and renders Kargo-shaped objects from it.
 */
export interface ProjectState {
  project: string;
  specs: ProjectSpecSet;
  /** By freight id. */
  freight: Record<string, FreightRecord>;
  stages: Record<string, StageState>;
  /** Newest last. Terminal promotions beyond a per-stage cap are dropped. */
  promotions: PromotionRecord[];
  /** ISO time of the last change, for clients that poll. */
  updatedAt: string;
  /** What each warehouse's scans found, their last outcome, and the schedules applied. */
  discovery?: DiscoveryState;
  /** Freight retention settings (core/project/retention.ts); absent: Kargo's defaults. */
  retention?: { maxRetainedFreight?: number; minFreightDeletionAgeMs?: number };
  /** The state's own size as last measured by the project workflow (core/project/state-budget.ts). */
  size?: StateSize;
  /** The newest lifecycle events (core/events/lifecycle.ts); absent until the first one. */
  events?: EventRing;
  /** Notification deliveries not started yet and the dead letters kept (core/events/notifications.ts). */
  notifications?: NotificationState;
}

export interface StateSize {
  /** The state's JSON size in bytes. */
  bytes: number;
  /** Changes that would take the state past this are refused. */
  budgetBytes: number;
  /** Past this the project workflow warns. */
  warnBytes: number;
}

export interface ProjectSpecSet {
  project?: Project;
  config?: ProjectConfig;
  warehouses: Record<string, Warehouse>;
  stages: Record<string, Stage>;
  tasks: Record<string, PromotionTask>;
  /** Snapshots of the cluster-scoped tasks this project's stages reference. */
  clusterTasks: Record<string, ClusterPromotionTask>;
  /** Argo Rollouts AnalysisTemplates for stage verification (absent in states saved before them). */
  analysisTemplates?: Record<string, AnalysisTemplate>;
  /** Snapshots of the cluster's ClusterAnalysisTemplates (absent until the cluster has any). */
  clusterAnalysisTemplates?: Record<string, ClusterAnalysisTemplate>;
}

export interface FreightRecord extends FreightReference {
  /** When the freight was created in Shunt (ISO). */
  discoveredAt: string;
  createdBy?: string;
  /** Stage name → since when the stage has held it (ISO). */
  currentlyIn: Record<string, { since: string }>;
  /** Stage name → when verification succeeded there, and the longest continuous time held (ms). */
  verifiedIn: Record<string, { verifiedAt: string; longestSoakMs?: number }>;
  /** Stage name → manual approval. */
  approvedFor: Record<string, { approvedAt: string; approvedBy?: string }>;
  /** Kargo's `status.metadata`, written by the `set-metadata` step (core/project/effects.ts). */
  metadata?: Record<string, unknown>;
}

export interface StageState {
  /** Newest first, at most 10, as Kargo's `freightHistory`. */
  freightHistory: StageFreightEntry[];
  /** Name of the running promotion, if any. */
  currentPromotion?: string;
  /** Promotion names waiting to run, in order. */
  queue: string[];
  lastPromotion?: { name: string; freight: string; phase: PromotionPhase; finishedAt?: string };
  /** Kargo's `status.metadata`, written by the `set-metadata` step (core/project/effects.ts). */
  metadata?: Record<string, unknown>;
  /** Kargo's auto-promotion holds, by `Warehouse/<origin>`: set by a person's rollback. */
  autoPromotionHolds?: Record<string, { freight: string; promotion: string; actor?: string; createdAt: string }>;
  /** The verification of the current freight that is pending or running, if any. */
  currentVerification?: VerificationRecord;
  /** When the stage was last refreshed (Kargo's `status.lastHandledRefresh`; core/project/refresh-stage.ts). */
  lastHandledRefresh?: string;
}

export type VerificationPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Aborted' | 'Inconclusive';

/** One verification of a stage's freight collection (Kargo's verificationHistory entry). */
export interface VerificationRecord {
  /** `<stage>.<ulid>.<first 7 of the collection id>`, as Kargo names AnalysisRuns. */
  id: string;
  stage: string;
  /** The freight collection verified, and the freight in it. */
  collection: string;
  freight: string[];
  phase: VerificationPhase;
  message?: string;
  actor?: string;
  startTime?: string;
  finishTime?: string;
  workflowId: string;
  /** Per-metric results of the analysis, when templates were run. */
  metrics?: MetricResult[];
  /** While soaking: when the soak ends (ISO). */
  soakUntil?: string;
}

export interface StageFreightEntry {
  collection: FreightCollection;
  promotedAt: string;
  promotion?: string;
  /** Finished verifications of this collection, newest first, at most 10. */
  verificationHistory?: VerificationRecord[];
}

export interface StepRecord {
  alias: string;
  uses: string;
  status: StepStatus;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  errorCount: number;
  continueOnError?: boolean;
}

export interface PromotionRecord {
  name: string;
  stage: string;
  /** The freight promoted (id) and its alias at the time. */
  freight: string;
  freightAlias: string;
  origin: string;
  phase: PromotionPhase;
  message?: string;
  actor?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Temporal workflow id of the promotion run, for links to the Web UI. */
  workflowId: string;
  steps: StepRecord[];
  /** Outputs of the steps, by alias (what Kargo keeps in `status.state`). */
  state?: Record<string, Record<string, unknown>>;
  /** Set when the freight is older than the stage's current freight of that origin. */
  rollback?: boolean;
  /** Set on a retry: the promotion it re-runs. */
  retryOf?: string;
  /** Set while the promotion waits for a person (the stage's approval gate or a wait-for-approval step). */
  waitingForApproval?: ApprovalRequest;
  /** Approvals given to this promotion, oldest first. */
  approvals?: PromotionApproval[];
  /** Kept by a failed promotion so that a retry can resume in it. */
  workspace?: KeptWorkspace;
  /** Created by auto-promotion (Kargo's controller actor), not by a person. */
  auto?: boolean;
  /**
   * Set once the record is trimmed (core/project/promotion-trim.ts): step outputs and full step
   * messages live in the promotion workflow, read with its `status` query.
   */
  trimmed?: boolean;
}

export interface ApprovalRequest {
  /** `stage` for the stage's gate, else the step alias. */
  gate: string;
  since: string;
  message?: string;
  /** The approver must be someone other than the promotion's actor. */
  approverNotRequester?: boolean;
}

export interface PromotionApproval {
  gate: string;
  approvedBy: string;
  approvedAt: string;
}

/** A failed promotion's workspace, where its retry may resume at the failed step. */
export interface KeptWorkspace {
  workspaceKey: string;
  taskQueue: string;
  /** Index of the step to resume at. */
  failedStep: number;
  /** Digest of the plan it ran: a retry resumes only with the same plan. */
  planDigest: string;
  /** The step heartbeat timeout of the worker holding it (SHUNT_STEP_HEARTBEAT_TIMEOUT). */
  heartbeatTimeout?: string;
}
