/**
 * Names both sides of the Temporal boundary use: task queues, workflow ids, signals, queries,
 * updates and search attributes. The api imports this file; it must stay free of side effects.
 */
import type { FreightPage, FreightPageRequest, FreightRead, ProjectCounts } from '../core/project/reads.js';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AuditEvent } from '../core/audit/event.js';
import type { AuditFilter } from '../core/audit/filter.js';
import type { EventQuery } from '../core/events/lifecycle.js';
import type { DeadLetter, LifecycleEvent } from '../core/events/types.js';
import type { ClusterAnalysisTemplate, ClusterConfig, ClusterPromotionTask } from '../core/model.js';
import type { ApplyInput, ApplyResultLine } from '../core/project/apply.js';
import type { FreightApproval } from '../core/project/approvals.js';
import type { DeletedFreight, DeleteFreightRequest } from '../core/project/delete-freight.js';
import type { PromoteDownstreamRequest, PromoteDownstreamResult } from '../core/project/downstream.js';
import type { FreightAliasChange, FreightAliasRequest } from '../core/project/freight-alias.js';
import type { PruneOutcome, PruneRequest } from '../core/project/prune.js';
import type { RefreshStageRequest, StageRefresh } from '../core/project/refresh-stage.js';
import type { VerificationFinished } from '../core/project/verification.js';
import type { MetricResult } from '../core/verification/analysis.js';
import type {
  ApprovalRequest,
  KeptWorkspace,
  ProjectState,
  PromotionApproval,
  PromotionRecord,
  StepRecord,
  VerificationPhase,
  VerificationRecord,
} from '../core/project/state.js';
import type { StepEffect } from '../core/project/effects.js';
import type { FreightStatusAnswer } from '../core/project/freight-status.js';
import type { PromotionPhase } from '../core/promotion/types.js';

/** The shared task queue: every workflow, and the activities that may run on any worker. */
export const TASK_QUEUE = 'shunt';

export const projectWorkflowId = (project: string): string => `project:${project}`;
export const promotionWorkflowId = (project: string, promotion: string): string =>
  `promotion:${project}:${promotion}`;

export const SEARCH_ATTRIBUTES = {
  project: defineSearchAttributeKey('ShuntProject', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('ShuntStage', SearchAttributeType.KEYWORD),
  freight: defineSearchAttributeKey('ShuntFreight', SearchAttributeType.KEYWORD),
  warehouse: defineSearchAttributeKey('ShuntWarehouse', SearchAttributeType.KEYWORD),
} as const;

/** `--search-attribute` values for the dev server. */
export const SEARCH_ATTRIBUTE_FLAGS = Object.values(SEARCH_ATTRIBUTES).map((k) => `${k.name}=Keyword`);

// ---- project workflow ------------------------------------------------------------------

export interface ProjectWorkflowInput {
  project: string;
  /** Carried over by continue-as-new. */
  state?: ProjectState;
  /** Continue as new after this many history events (default 5000; tests use fewer). */
  continueAsNewAfterEvents?: number;
}

export type ApplySpecsRequest = ApplyInput;

export interface ApplyOutcome {
  results: ApplyResultLine[];
}

export interface PromoteRequest {
  stage: string;
  /** Freight id or alias. */
  freight: string;
  actor?: string;
}

export interface DeleteResourceRequest {
  kind: 'Stage' | 'Warehouse' | 'Project';
  name: string;
  actor?: string;
}

export const applySpecsUpdate = defineUpdate<ApplyOutcome, [ApplySpecsRequest]>('applySpecs');
export const promoteUpdate = defineUpdate<PromotionRecord, [PromoteRequest]>('promote');
export const deleteResourceUpdate = defineUpdate<void, [DeleteResourceRequest]>('deleteResource');
export const projectStateQuery = defineQuery<ProjectState>('state');
/**
 * One freight's Kargo-shaped status by id or alias (null: no such freight), for the
 * `freightStatus()` expression function; the step activity asks it only when a step calls it.
 */
export const freightStatusQuery = defineQuery<FreightStatusAnswer | null, [string]>('freightStatus');
// Reads of what was asked, not the whole state (core/project/reads.ts); `state` stays for older clients.
/** The counts the project list shows. */
export const projectCountsQuery = defineQuery<ProjectCounts>('counts');
/** What one stage's view reads (null: no such stage). */
export const stageReadQuery = defineQuery<ProjectState | null, [string]>('stageRead');
/** One freight by id or alias (null: no such freight). */
export const freightReadQuery = defineQuery<FreightRead | null, [string]>('freightRead');
/** A page of freight, newest first. */
export const freightPageQuery = defineQuery<FreightPage, [FreightPageRequest]>('freightPage');
/**
 * Which point of its history the project's state is at (`<run id>:<history length>`): the state
 * changes only in workflow tasks, each of which lengthens the history, so while this answer stays
 * the same the state does too. The event stream's watcher asks it first (api/project-streams.ts).
 */
export const projectRevisionQuery = defineQuery<string>('revision');

export interface ApproveFreightRequest {
  /** Freight id or alias. */
  freight: string;
  stage: string;
  actor?: string;
}
/** Makes freight available to a stage (Kargo's approvedFor), recording who and when. */
export const approveFreightUpdate = defineUpdate<FreightApproval, [ApproveFreightRequest]>('approveFreight');

/** Promotes freight to every stage immediately downstream of a stage (Kargo's PromoteDownstream). */
export const promoteDownstreamUpdate = defineUpdate<PromoteDownstreamResult, [PromoteDownstreamRequest]>('promoteDownstream');
/** Deletes a freight no stage holds (Kargo's DeleteFreight). */
export const deleteFreightUpdate = defineUpdate<DeletedFreight, [DeleteFreightRequest]>('deleteFreight');
/** Gives a freight a new alias, unique in the project (Kargo's PatchFreightAlias). */
export const updateFreightAliasUpdate = defineUpdate<FreightAliasChange, [FreightAliasRequest]>('updateFreightAlias');
/** Sets the project's freight retention and brings its state under its budget (core/project/prune.ts). */
export const pruneProjectUpdate = defineUpdate<PruneOutcome, [PruneRequest]>('pruneProject');
/** Re-evaluates a stage now (Kargo's RefreshStage; core/project/refresh-stage.ts). */
export const refreshStageUpdate = defineUpdate<StageRefresh, [RefreshStageRequest]>('refreshStage');
/** Sent by a refresh to the stage's running promotion: check a waiting (Running) step now. */
export const promotionRefreshSignal = defineSignal('refresh');

export interface PromotionActionRequest {
  promotion: string;
  actor?: string;
}
/** Stops a pending (queued) or running promotion; answers with its record. */
export const abortPromotionUpdate = defineUpdate<PromotionRecord, [PromotionActionRequest]>('abortPromotion');
/** Queues a new promotion re-running a failed, errored or aborted one; answers with the new record. */
export const retryPromotionUpdate = defineUpdate<PromotionRecord, [PromotionActionRequest]>('retryPromotion');

/** Sent by a promotion to its project while it runs: it waits for a person, or got an approval. */
export interface PromotionProgress {
  name: string;
  waitingForApproval?: ApprovalRequest;
  approvals: PromotionApproval[];
}
export const promotionProgressSignal = defineSignal<[PromotionProgress]>('promotionProgress');
/** Sent by a project to a promotion it no longer parents, to learn whether it is still there. */
export const promotionPingSignal = defineSignal('ping');

/** Sent by a promotion workflow to its project when it ends, whatever the outcome. */
export interface PromotionFinished {
  name: string;
  phase: PromotionPhase;
  message?: string;
  steps: StepRecord[];
  state: Record<string, Record<string, unknown>>;
  startedAt?: string;
  finishedAt: string;
  approvals?: PromotionApproval[];
  /** A failed promotion keeps its workspace for a retry to resume in. */
  workspace?: KeptWorkspace;
  /** Changes to project state the steps asked for (set-metadata, set-freight-alias). */
  effects?: StepEffect[];
}
export const promotionFinishedSignal = defineSignal<[PromotionFinished]>('promotionFinished');

// ---- promotion workflow ----------------------------------------------------------------

export interface PromotionStatus {
  name: string;
  phase: PromotionPhase;
  currentStep?: number;
  message?: string;
  steps: StepRecord[];
  state: Record<string, Record<string, unknown>>;
  startedAt?: string;
  waitingForApproval?: ApprovalRequest;
  approvals?: PromotionApproval[];
}
export const promotionStatusQuery = defineQuery<PromotionStatus>('status');

export interface ApprovePromotionRequest {
  actor?: string;
}
/** Releases a promotion waiting for a person (stage gate or wait-for-approval step). */
export const approvePromotionUpdate = defineUpdate<PromotionApproval, [ApprovePromotionRequest]>('approvePromotion');

// ---- verification workflow ------------------------------------------------------------

export const verificationWorkflowId = (project: string, id: string): string => `verification:${project}:${id}`;

/** Re-runs the stage's verification for its current freight (`shunt verify`). */
export interface StageActionRequest {
  stage: string;
  actor?: string;
}
export const verifyStageUpdate = defineUpdate<VerificationRecord, [StageActionRequest]>('verifyStage');
/** Stops the stage's pending or running verification (`shunt abort verification`). */
export const abortVerificationUpdate = defineUpdate<VerificationRecord, [StageActionRequest]>('abortVerification');

/** Sent by a verification to its project: metrics so far, or the soak's end. */
export type VerificationProgress = Partial<VerificationRecord> & { id: string; stage: string };
export const verificationProgressSignal = defineSignal<[VerificationProgress]>('verificationProgress');
/** Sent by a verification to its project when it ends, whatever the outcome. */
export const verificationFinishedSignal = defineSignal<[VerificationFinished]>('verificationFinished');

export interface VerificationStatus {
  id: string;
  stage: string;
  phase: VerificationPhase;
  message?: string;
  metrics: MetricResult[];
  soakUntil?: string;
}
export const verificationStatusQuery = defineQuery<VerificationStatus>('verificationStatus');

// ---- cluster workflow ------------------------------------------------------------------

export const CLUSTER_WORKFLOW_ID = 'shunt:cluster';

export interface ClusterState {
  projects: Record<string, { createdAt: string }>;
  clusterTasks: Record<string, ClusterPromotionTask>;
  /** The ClusterConfig (its webhook receivers), once one was applied. */
  config?: ClusterConfig;
  /** Absent in states saved before they were supported. */
  clusterAnalysisTemplates?: Record<string, ClusterAnalysisTemplate>;
}

export interface ApplyClusterRequest {
  projects: string[];
  clusterTasks: ClusterPromotionTask[];
  config?: ClusterConfig;
  clusterAnalysisTemplates?: ClusterAnalysisTemplate[];
}

export const applyClusterUpdate = defineUpdate<ClusterState, [ApplyClusterRequest]>('applyCluster');
export const removeProjectUpdate = defineUpdate<void, [string]>('removeProject');
export const clusterStateQuery = defineQuery<ClusterState>('clusterState');

// ---- warehouse scans -------------------------------------------------------------------

export * from './warehouse-definitions.js';
export * from './git-read-definitions.js';
// ---- audit workflow (one per project, one for cluster-wide entries) ----------------------

export const AUDIT_CLUSTER_SCOPE = 'cluster';
export const auditWorkflowId = (project: string | undefined): string =>
  project === undefined ? `audit:${AUDIT_CLUSTER_SCOPE}` : `audit:project:${project}`;

export interface AuditWorkflowInput {
  /** Carried over by continue-as-new; oldest first. */
  events?: AuditEvent[];
  /** Entries kept (default 1000): older ones are dropped. */
  maxEvents?: number;
  /** Continue as new after this many history events (default 2000; tests use fewer). */
  continueAsNewAfterEvents?: number;
}

export const recordAuditSignal = defineSignal<[AuditEvent]>('recordAudit');
/** Newest first, those that pass the filter (core/audit/filter.ts); without a limit, all that pass. */
export const auditEventsQuery = defineQuery<AuditEvent[], [AuditFilter?]>('auditEvents');

// ---- notifications ---------------------------------------------------------------------

/** One notification workflow per event and subscription. */
export const notificationWorkflowId = (project: string, eventId: number, subscription: string): string =>
  `notification:${project}:${eventId}:${subscription}`;
/** Sent by a notification workflow to its project after its last attempt failed. */
export const notificationDeadLetterSignal = defineSignal<[DeadLetter]>('notificationDeadLetter');
/** The project's lifecycle events, newest first (core/events/lifecycle.ts listEvents). */
export const lifecycleEventsQuery = defineQuery<LifecycleEvent[], [EventQuery]>('lifecycleEvents');
/** The notifications given up on, newest first. */
export const deadLettersQuery = defineQuery<DeadLetter[], [{ limit?: number }]>('notificationDeadLetters');
