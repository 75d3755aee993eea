import type { AuditFilter } from '../core/audit/filter.js';
import type { ApplyReportLine } from '../core/apply/plan.js';
import type { ClusterConfig } from '../core/model.js';
import type { FreightApproval } from '../core/project/approvals.js';
import type { DeletedFreight } from '../core/project/delete-freight.js';
import type { PromoteDownstreamResult } from '../core/project/downstream.js';
import type { FreightAliasChange } from '../core/project/freight-alias.js';
import type { PruneOutcome, PruneRequest } from '../core/project/prune.js';
import type { StageRefresh } from '../core/project/refresh-stage.js';
import type { ProjectState, PromotionRecord, VerificationRecord } from '../core/project/state.js';
import type { AuditEvent } from '../core/audit/event.js';
import type { EventQuery } from '../core/events/lifecycle.js';
import type { DeadLetter, LifecycleEvent } from '../core/events/types.js';
import type { GitReadRequest, GitReadResult } from '../core/changes/git-reads.js';
import type { FreightPage, FreightPageRequest, FreightRead } from '../core/project/reads.js';

/**
 * What the REST API needs from the rest of Shunt. The production implementation
 * (api/temporal-backend.ts) talks to the project workflows through Temporal; tests of the
 * routes use a hand-written fake of this interface.
 *
 * Every method throws DomainError (core/errors.ts) for failures the user can act on; the
 * routes map its `code` to an HTTP status in one table (api/http-errors.ts).
 */
export interface ShuntBackend {
  /** Parse, validate and apply manifest files. Nothing changes unless every file is valid. */
  apply(files: ManifestFile[], options: { dryRun: boolean; actor?: string }): Promise<ApplyResult>;
  listProjects(): Promise<ProjectSummary[]>;
  /** The applied ClusterConfig (its webhook receivers), or undefined when none was. */
  getClusterConfig(): Promise<ClusterConfig | undefined>;
  /**
   * Throws DomainError('NotFound') for an unknown project. With `revision` (from
   * getProjectRevision), the state as of that revision or later: never an answer read before it.
   */
  getProject(project: string, revision?: string): Promise<ProjectState>;
  /**
   * Where the project's state is (a small read): the same answer means the same state, so the
   * event stream's watcher reads the whole state only when it changed. Undefined when the
   * project's workflow predates this read (then every read is a whole read). NotFound for an
   * unknown project.
   */
  getProjectRevision(project: string): Promise<string | undefined>;
  /** The project's lifecycle events, newest first (core/events/lifecycle.ts); NotFound for an unknown project. */
  listEvents(project: string, query: EventQuery): Promise<LifecycleEvent[]>;
  /** The notifications given up on, newest first; NotFound for an unknown project. */
  listDeadLetters(project: string, limit?: number): Promise<DeadLetter[]>;
  /** The project's counts (the project list's read); NotFound for an unknown project. */
  getProjectSummary(project: string): Promise<ProjectSummary>;
  /** The state as far as one stage's view reads it (core/project/reads.ts); NotFound for an unknown project or stage. */
  getStageState(project: string, stage: string): Promise<ProjectState>;
  /** One freight by id or alias; NotFound for an unknown project or freight. */
  getFreight(project: string, idOrAlias: string): Promise<FreightRead>;
  /** Freight newest first, a page of it when `page` says so. */
  listFreight(project: string, page?: FreightPageRequest): Promise<FreightPage>;
  /** Queues a promotion; throws FailedPrecondition when the freight is not available to the stage. */
  promote(project: string, request: PromoteRequest): Promise<PromotionRecord>;
  /**
   * Queues a promotion to every stage immediately downstream of `stage` (Kargo's
   * PromoteDownstream), all or none; `authorizedStages` are the stages the caller was checked for.
   */
  promoteDownstream(
    project: string,
    request: { stage: string; freight: string; actor?: string; authorizedStages?: string[] },
  ): Promise<PromoteDownstreamResult>;
  /** Deletes a freight; FailedPrecondition while a stage holds it or a promotion of it runs. */
  deleteFreight(project: string, freight: string, actor?: string): Promise<DeletedFreight>;
  /** Sets the project's freight retention and brings its state under its budget (core/project/prune.ts). */
  pruneProject(project: string, request: PruneRequest): Promise<PruneOutcome>;
  /** Gives a freight a new alias; BadRequest for an invalid one, Conflict for one in use. */
  updateFreightAlias(project: string, request: { freight: string; alias: string; actor?: string }): Promise<FreightAliasChange>;
  /** Re-evaluates a stage now (Kargo's refresh); NotFound for an unknown stage. */
  refreshStage(project: string, stage: string, actor?: string): Promise<StageRefresh>;
  /**
   * The promotion with live step status when it is running. With `wait`, answers once it has
   * ended (Succeeded, Failed, Errored, Aborted), or as it is after `waitMs` or when `signal` aborts.
   */
  getPromotion(project: string, name: string, wait?: PromotionWait): Promise<PromotionRecord>;
  deleteResource(project: string, kind: 'Stage' | 'Warehouse', name: string, actor?: string): Promise<void>;
  /** Makes freight available to a stage (Kargo's approvedFor); NotFound for an unknown freight or stage. */
  approveFreight(project: string, request: { freight: string; stage: string; actor?: string }): Promise<FreightApproval>;
  /** Releases a promotion waiting for approval; FailedPrecondition when it is not waiting. */
  approvePromotion(project: string, name: string, actor?: string): Promise<PromotionRecord>;
  /** Queues a new promotion re-running a failed, errored or aborted one; answers with the new one. */
  retryPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord>;
  /** Stops a pending or running promotion; FailedPrecondition for a finished one. */
  abortPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord>;
  /** Re-runs the stage's verification for its current freight; FailedPrecondition when one runs or none is configured. */
  verifyStage(project: string, stage: string, actor?: string): Promise<VerificationRecord>;
  /** Stops the stage's running verification; FailedPrecondition when none runs. */
  abortVerification(project: string, stage: string, actor?: string): Promise<VerificationRecord>;
  deleteProject(project: string, actor?: string): Promise<void>;
  /** Starts a scan of the warehouse now; throws NotFound for an unknown project or warehouse. */
  refreshWarehouse(project: string, warehouse: string, actor?: string): Promise<RefreshResult>;
  health(): Promise<HealthStatus>;
  /** Appends to the durable audit trail of `project` (undefined: the cluster-wide trail). */
  recordAudit(project: string | undefined, event: AuditEvent): Promise<void>;
  /** The audit trail, newest first; empty when nothing was ever recorded. */
  /** The trail's entries that pass `filter`, newest first (filtered where the trail is kept). */
  listAudit(project: string | undefined, filter: AuditFilter): Promise<AuditEvent[]>;
  /** Reads the worker's git mirrors (a promotion's changes, commits between revisions); answers are bounded and cached. */
  readGit<R extends GitReadRequest>(request: R): Promise<GitReadResult<R>>;
}

export interface ManifestFile {
  name: string;
  content: string;
}

export interface ApplyResult {
  /** One line per resource: what happened to it (core/apply/plan.ts). */
  results: ApplyReportLine[];
  /** Older spellings that were accepted, each with the current one. */
  hints: string[];
  dryRun: boolean;
}

export interface ProjectSummary {
  name: string;
  stages: number;
  warehouses: number;
  freight: number;
  /** Set when the project could not be read (the counts are then 0): the list still answers. */
  error?: string;
}

export interface PromoteRequest {
  stage: string;
  /** Freight id or alias. */
  freight: string;
  actor?: string;
}

export interface RefreshResult {
  project: string;
  warehouse: string;
  /** The on-demand scan workflow that runs (or will run once more) for this refresh. */
  workflowId: string;
}

export interface HealthStatus {
  temporal: boolean;
  worker: boolean;
  message?: string;
}

/** How long a read of a promotion may wait for its end (GET …/promotions/:name?wait=). */
export interface PromotionWait {
  waitMs: number;
  /** The reader went away. */
  signal?: AbortSignal;
}
