/**
 * ShuntBackend over Temporal: an apply is planned by core/apply/plan.ts and executed here as
 * updates of the cluster and project workflows; reads are queries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditFilter } from '../core/audit/filter.js';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  ServiceError,
  isGrpcServiceError,
  type Connection,
} from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { AuditEvent } from '../core/audit/event.js';
import type { GitReadRequest, GitReadResult } from '../core/changes/git-reads.js';
import { DomainError, isErrorCode } from '../core/errors.js';
import { TERMINAL_PHASES } from '../core/promotion/types.js';
import { filesRefusal, planApply, projectsToRead, reportedLines } from '../core/apply/plan.js';
import { parseManifestFiles } from '../core/manifests/files.js';
import type { ClusterConfig } from '../core/model.js';
import type { ProjectState, PromotionRecord, VerificationRecord } from '../core/project/state.js';
import { listEvents, type EventQuery } from '../core/events/lifecycle.js';
import { listDeadLetters } from '../core/events/notifications.js';
import type { DeadLetter, LifecycleEvent } from '../core/events/types.js';
import { freightPage, freightRead, projectCounts, stageReadState, type FreightPage, type FreightPageRequest, type FreightRead } from '../core/project/reads.js';
import type { FreightApproval } from '../core/project/approvals.js';
import type { DeletedFreight } from '../core/project/delete-freight.js';
import type { PromoteDownstreamResult } from '../core/project/downstream.js';
import type { FreightAliasChange } from '../core/project/freight-alias.js';
import type { PruneOutcome, PruneRequest } from '../core/project/prune.js';
import type { StageRefresh } from '../core/project/refresh-stage.js';
import {
  abortPromotionUpdate,
  abortVerificationUpdate,
  approveFreightUpdate,
  deleteFreightUpdate,
  promoteDownstreamUpdate,
  refreshStageUpdate,
  updateFreightAliasUpdate,
  pruneProjectUpdate,
  verifyStageUpdate,
  approvePromotionUpdate,
  retryPromotionUpdate,
  applyClusterUpdate,
  applySpecsUpdate,
  auditEventsQuery,
  auditWorkflowId,
  CLUSTER_WORKFLOW_ID,
  clusterStateQuery,
  deleteResourceUpdate,
  projectStateQuery,
  projectRevisionQuery,
  projectCountsQuery,
  lifecycleEventsQuery,
  deadLettersQuery,
  stageReadQuery,
  freightReadQuery,
  freightPageQuery,
  projectWorkflowId,
  promoteUpdate,
  promotionStatusQuery,
  recordAuditSignal,
  removeProjectUpdate,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  type ApplyClusterRequest,
  type ClusterState,
} from '../workflows/definitions.js';
import type {
  ApplyResult,
  HealthStatus,
  ManifestFile,
  ProjectSummary,
  PromoteRequest,
  RefreshResult,
  PromotionWait,
  ShuntBackend,
} from './backend.js';
import { payloadSizeInterceptor } from './payload-size-interceptor.js';
import { GitReads } from './git-reads.js';
import { KeyedLimit } from './keyed-limit.js';
import { ProjectReads } from './project-reads.js';
import { waitForEnd } from './workflow-end.js';
import { endedRecord, withLiveStatus } from '../core/project/promotion-end.js';
import { refreshWarehouseScan } from './warehouse-refresh.js';

// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
const { temporal } = proto;

export interface TemporalBackendOptions {
  connection: Connection;
  namespace: string;
  taskQueue?: string;
  /** Told when an update the workflow never accepted is sent again, and why it was not. */
  onResend?: (attempt: number, reason: string) => void;
  /** How long one project read serves other readers, in ms (SHUNT_READ_SNAPSHOT_MS; api/project-reads.ts). */
  readSnapshotMs?: number;
  /** How many updates this api has in flight to one project's workflows at once (default UPDATES_IN_FLIGHT_PER_PROJECT). */
  updatesInFlightPerProject?: number;
}

/**
 * Updates this api keeps in flight to one project's workflows at once, unless
 * SHUNT_UPDATES_IN_FLIGHT_PER_PROJECT says otherwise; the others wait here. Temporal refuses an
 * update past its `history.maxInFlightUpdates` (10 by default), and the refusal clears the
 * workflow's whole update registry: every update in flight is aborted and sent again after the
 * client's backoff, and the workflow task carrying them is lost. 20 promote requests at once took
 * 2.2 s to be answered that way, and 0.35–0.5 s below the limit (`npm run bench --
 * shared-branch`). Below Temporal's default, so a stock cluster is safe; the embedded server and
 * deploy/temporal/dynamicconfig.yaml allow more (launcher/embedded-temporal.ts).
 */
export const UPDATES_IN_FLIGHT_PER_PROJECT = 8;

/** How often a wait for a promotion's end reads it while it has no running workflow to wait on. */
const PROMOTION_RECHECK_MS = 250;

/** The cluster workflow's reads share ProjectReads under this name (project names are never empty). */
const CLUSTER = '';

export class TemporalBackend implements ShuntBackend {
  private readonly client: Client;
  private readonly taskQueue: string;
  /** Every query of a project or cluster workflow goes through this: one query for many readers. */
  readonly reads: ProjectReads;
  private readonly gitReads: GitReads;
  private readonly updates: KeyedLimit;

  constructor(private readonly opts: TemporalBackendOptions) {
    this.client = new Client({ connection: opts.connection, namespace: opts.namespace, interceptors: { workflow: [payloadSizeInterceptor] } });
    this.taskQueue = opts.taskQueue ?? TASK_QUEUE;
    this.reads = new ProjectReads(opts.readSnapshotMs === undefined ? {} : { snapshotMs: opts.readSnapshotMs });
    this.gitReads = new GitReads(this.client, this.taskQueue);
    this.updates = new KeyedLimit(opts.updatesInFlightPerProject ?? UPDATES_IN_FLIGHT_PER_PROJECT);
  }

  readGit<R extends GitReadRequest>(request: R): Promise<GitReadResult<R>> {
    return this.gitReads.read(request);
  }

  async apply(files: ManifestFile[], options: { dryRun: boolean; actor?: string }): Promise<ApplyResult> {
    // The same parse as the api's permission check (api/auth/permissions.ts): what was checked is what is applied.
    const parsed = parseManifestFiles(files);
    const unusable = filesRefusal(parsed);
    if (unusable) throw unusable; // before Temporal is asked anything
    // Planned from fresh reads, not a snapshot: what the plan reports must be what it changes.
    this.reads.invalidate(CLUSTER);
    const cluster = await this.clusterState();
    const states: Record<string, ProjectState> = {};
    for (const project of projectsToRead(parsed, cluster)) {
      this.reads.invalidate(project);
      states[project] = await this.projectState(project);
    }
    const plan = planApply(parsed, cluster, states, { ...options, now: new Date().toISOString(), random: Math.random });
    if (!plan.ok) throw plan.error;
    if (plan.dryRun) return { results: plan.results, hints: plan.hints, dryRun: true };

    await this.updateCluster(plan.cluster);
    const results = [...plan.results];
    for (const project of plan.projects) {
      const outcome = await this.write(project.project, () =>
        this.client.workflow.executeUpdateWithStart(applySpecsUpdate, {
          args: [project.input],
          startWorkflowOperation: this.projectStart(project.project),
        }),
      );
      results.push(...reportedLines(project, outcome.results));
    }
    return { results, hints: plan.hints, dryRun: false };
  }

  async getClusterConfig(): Promise<ClusterConfig | undefined> {
    return (await this.clusterState()).config;
  }

  async listProjects(): Promise<ProjectSummary[]> {
    const cluster = await this.clusterState();
    const names = Object.keys(cluster.projects).sort();
    // One project that cannot answer shows its error; the others answer.
    return Promise.all(
      names.map(async (name): Promise<ProjectSummary> => {
        try {
          return { name, ...(await this.queryProject(name, 'counts', projectCounts, projectCountsQuery)) };
        } catch (err) {
          return { name, stages: 0, warehouses: 0, freight: 0, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  async getProject(project: string, revision?: string): Promise<ProjectState> {
    await this.requireProject(project);
    // Its own key per revision: no snapshot or query older than the revision answers it.
    return revision === undefined ? this.projectState(project) : this.queryProject(project, `state@${revision}`, (s) => s, projectStateQuery);
  }

  async getProjectRevision(project: string): Promise<string | undefined> {
    await this.requireProject(project);
    // Not shared: one watcher per project asks it, and it must not come from an older snapshot.
    try {
      return await this.client.workflow.getHandle(projectWorkflowId(project)).query(projectRevisionQuery);
    } catch (err) {
      if (isUnknownQuery(err)) return undefined;
      if (err instanceof WorkflowNotFoundError) throw new DomainError('NotFound', `project "${project}" not found`);
      throw unavailable(err);
    }
  }

  async getProjectSummary(project: string): Promise<ProjectSummary> {
    await this.requireProject(project);
    return { name: project, ...(await this.queryProject(project, 'counts', projectCounts, projectCountsQuery)) };
  }

  async listEvents(project: string, query: EventQuery): Promise<LifecycleEvent[]> {
    await this.requireProject(project);
    return this.queryProject(project, `events:${query.since ?? ''}:${query.limit ?? ''}`, (s) => listEvents(s.events, query), lifecycleEventsQuery, query);
  }

  async listDeadLetters(project: string, limit?: number): Promise<DeadLetter[]> {
    await this.requireProject(project);
    return this.queryProject(project, `dead-letters:${limit ?? ''}`, (s) => listDeadLetters(s, limit), deadLettersQuery, limit === undefined ? {} : { limit });
  }

  async getStageState(project: string, stage: string): Promise<ProjectState> {
    await this.requireProject(project);
    const read = await this.queryProject(project, `stage:${stage}`, (s) => stageReadState(s, stage) ?? null, stageReadQuery, stage);
    if (!read) throw new DomainError('NotFound', `stage "${stage}" not found in project "${project}"`);
    return read;
  }

  async getFreight(project: string, idOrAlias: string): Promise<FreightRead> {
    await this.requireProject(project);
    const read = await this.queryProject(project, `freight:${idOrAlias}`, (s) => freightRead(s, idOrAlias) ?? null, freightReadQuery, idOrAlias);
    if (!read) throw new DomainError('NotFound', `freight "${idOrAlias}" (id or alias) not found in project "${project}"`);
    return read;
  }

  async listFreight(project: string, page: FreightPageRequest = {}): Promise<FreightPage> {
    await this.requireProject(project);
    return this.queryProject(project, `freight-page:${page.offset ?? 0}:${page.limit ?? ''}`, (s) => freightPage(s, page), freightPageQuery, page);
  }

  private async requireProject(project: string): Promise<void> {
    const cluster = await this.clusterState();
    if (!cluster.projects[project]) throw new DomainError('NotFound', `project "${project}" not found`);
  }

  async promote(project: string, request: PromoteRequest): Promise<PromotionRecord> {
    // Straight to the project's workflow, whose validator checks the request: no query first.
    // A burst of promotions (200 at once in bench/concurrent) otherwise queues as many queries
    // on busy workflows, and they time out.
    return this.write(project, async () => {
      try {
        return await this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(promoteUpdate, { args: [request] });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || isQueryOnClosed(err)) throw new DomainError('NotFound', `project "${project}" not found`);
        throw err;
      }
    });
  }

  async promoteDownstream(
    project: string,
    request: { stage: string; freight: string; actor?: string; authorizedStages?: string[] },
  ): Promise<PromoteDownstreamResult> {
    await this.getProject(project);
    return this.write(project, () => this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(promoteDownstreamUpdate, { args: [request] }));
  }

  async deleteFreight(project: string, freight: string, actor?: string): Promise<DeletedFreight> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(deleteFreightUpdate, { args: [{ freight, ...(actor ? { actor } : {}) }] }),
    );
  }

  async pruneProject(project: string, request: PruneRequest): Promise<PruneOutcome> {
    await this.getProject(project);
    return this.write(project, () => this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(pruneProjectUpdate, { args: [request] }));
  }

  async updateFreightAlias(project: string, request: { freight: string; alias: string; actor?: string }): Promise<FreightAliasChange> {
    await this.getProject(project);
    return this.write(project, () => this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(updateFreightAliasUpdate, { args: [request] }));
  }

  async refreshStage(project: string, stage: string, actor?: string): Promise<StageRefresh> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(refreshStageUpdate, { args: [{ stage, ...(actor ? { actor } : {}) }] }),
    );
  }

  async getPromotion(project: string, name: string, wait?: PromotionWait): Promise<PromotionRecord> {
    if (!wait) return this.readPromotion(project, name);
    const deadline = Date.now() + wait.waitMs;
    // Once for the whole wait: a read after the promotion's end answers how it ended even if its
    // project was deleted meanwhile (the cluster read is a query of its own, 7-23 ms).
    await this.requireProject(project);
    /** Its workflow had closed by then: only a project read started since shows how it ended. */
    let closedBy: number | undefined;
    for (;;) {
      const record = await this.recordIn(project, name, closedBy);
      if (TERMINAL_PHASES.includes(record.phase) || Date.now() >= deadline || wait.signal?.aborted) return this.withLiveSteps(record);
      if (record.phase === 'Running' && closedBy === undefined) {
        const end = await waitForEnd(this.client, record.workflowId, deadline, wait.signal).catch((err: unknown) => {
          throw unavailable(err);
        });
        if (!end.closed) continue;
        // The promotion told its project it ended before it closed, so the project's reads from now
        // on show that; its result says what they show, without asking the project while it records
        // the ends of other promotions.
        this.reads.invalidate(project);
        const ended = endedRecord(record, end.result);
        if (ended) return ended;
        closedBy = this.reads.clock();
        continue;
      }
      // Not started yet (queued behind its stage's running one), or closed without its project
      // saying so yet: look again a little later.
      // An aborted wait rejects; the loop then answers the promotion as it is.
      await sleep(Math.min(PROMOTION_RECHECK_MS, deadline - Date.now()), undefined, { signal: wait.signal }).catch(() => undefined);
    }
  }

  private async readPromotion(project: string, name: string): Promise<PromotionRecord> {
    return this.withLiveSteps(await this.promotionRecord(project, name));
  }

  private async promotionRecord(project: string, name: string): Promise<PromotionRecord> {
    await this.requireProject(project);
    return this.recordIn(project, name);
  }

  /** The promotion's record in the state of a project known to exist (from a query started at `notBefore` or later, when given). */
  private async recordIn(project: string, name: string, notBefore?: number): Promise<PromotionRecord> {
    const state = await this.queryProjectNotBefore(project, 'state', (s) => s, projectStateQuery, notBefore);
    const record = state.promotions.find((p) => p.name === name);
    if (!record) throw new DomainError('NotFound', `promotion "${name}" not found in project "${project}"`);
    return record;
  }

  /** The record with its steps and outputs as its workflow has them, while it runs or when trimmed. */
  private async withLiveSteps(record: PromotionRecord): Promise<PromotionRecord> {
    // A trimmed record's step outputs and full messages are in its workflow (core/project/promotion-trim.ts).
    if (record.phase !== 'Running' && !record.trimmed) return record;
    try {
      return withLiveStatus(record, await this.client.workflow.getHandle(record.workflowId).query(promotionStatusQuery));
    } catch {
      return record;
    }
  }

  async deleteResource(project: string, kind: 'Stage' | 'Warehouse', name: string, actor?: string): Promise<void> {
    await this.getProject(project);
    await this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(deleteResourceUpdate, { args: [{ kind, name, ...(actor ? { actor } : {}) }] }),
    );
  }

  async approveFreight(project: string, request: { freight: string; stage: string; actor?: string }): Promise<FreightApproval> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow.getHandle(projectWorkflowId(project)).executeUpdate(approveFreightUpdate, { args: [request] }),
    );
  }

  async approvePromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    const record = await this.getPromotion(project, name);
    if (record.phase !== 'Running' || !record.waitingForApproval) {
      throw new DomainError('FailedPrecondition', `promotion ${name} is not waiting for approval (it is ${record.phase.toLowerCase()})`);
    }
    await this.write(project, () =>
      this.client.workflow.getHandle(record.workflowId).executeUpdate(approvePromotionUpdate, { args: [actor ? { actor } : {}] }),
    );
    return this.getPromotion(project, name);
  }

  async retryPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(retryPromotionUpdate, { args: [{ promotion: name, ...(actor ? { actor } : {}) }] }),
    );
  }

  async abortPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(abortPromotionUpdate, { args: [{ promotion: name, ...(actor ? { actor } : {}) }] }),
    );
  }

  async verifyStage(project: string, stage: string, actor?: string): Promise<VerificationRecord> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(verifyStageUpdate, { args: [{ stage, ...(actor ? { actor } : {}) }] }),
    );
  }

  async abortVerification(project: string, stage: string, actor?: string): Promise<VerificationRecord> {
    await this.getProject(project);
    return this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(abortVerificationUpdate, { args: [{ stage, ...(actor ? { actor } : {}) }] }),
    );
  }

  async deleteProject(project: string, actor?: string): Promise<void> {
    await this.getProject(project);
    await this.write(project, () =>
      this.client.workflow
        .getHandle(projectWorkflowId(project))
        .executeUpdate(deleteResourceUpdate, { args: [{ kind: 'Project', name: project, ...(actor ? { actor } : {}) }] }),
    );
    await this.write(CLUSTER, () =>
      this.client.workflow.getHandle(CLUSTER_WORKFLOW_ID).executeUpdate(removeProjectUpdate, { args: [project] }),
    );
  }

  async refreshWarehouse(project: string, warehouse: string): Promise<RefreshResult> {
    const state = await this.getProject(project);
    if (!state.specs.warehouses[warehouse]) throw new DomainError('NotFound', `warehouse "${warehouse}" not found in project "${project}"`);
    return this.write(project, () => refreshWarehouseScan(this.client, project, warehouse, this.taskQueue));
  }

  async health(): Promise<HealthStatus> {
    try {
      await this.opts.connection.workflowService.getSystemInfo({});
    } catch (err) {
      return { temporal: false, worker: false, message: `Temporal is unreachable: ${firstLine(err)}` };
    }
    try {
      const described = await this.opts.connection.workflowService.describeTaskQueue({
        namespace: this.opts.namespace,
        taskQueue: { name: this.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const worker = (described.pollers?.length ?? 0) > 0;
      return worker ? { temporal: true, worker } : { temporal: true, worker, message: `no worker is polling task queue "${this.taskQueue}"` };
    } catch (err) {
      return { temporal: true, worker: false, message: `cannot describe task queue: ${firstLine(err)}` };
    }
  }

  async recordAudit(project: string | undefined, event: AuditEvent): Promise<void> {
    // Signal-with-start: durable once the server accepts it, even while no worker runs.
    try {
      await this.client.workflow.signalWithStart('auditWorkflow', {
        workflowId: auditWorkflowId(project),
        taskQueue: this.taskQueue,
        args: [{}],
        signal: recordAuditSignal,
        signalArgs: [event],
        staticSummary: project === undefined ? 'Shunt audit trail (cluster)' : `Audit trail of project ${project}`,
        ...(project === undefined ? {} : { typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.project, value: project }] }),
      });
    } catch (err) {
      throw unavailable(err);
    }
  }

  async listAudit(project: string | undefined, filter: AuditFilter): Promise<AuditEvent[]> {
    try {
      return await this.client.workflow.getHandle(auditWorkflowId(project)).query(auditEventsQuery, filter);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return [];
      throw unavailable(err);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private projectStart(project: string): WithStartWorkflowOperation<(input: { project: string }) => Promise<void>> {
    return new WithStartWorkflowOperation('projectWorkflow', {
      workflowId: projectWorkflowId(project),
      taskQueue: this.taskQueue,
      args: [{ project }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Project ${project}`,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.project, value: project }],
    });
  }

  private async clusterState(): Promise<ClusterState> {
    return this.reads.read(CLUSTER, 'state', () => this.updateCluster({ projects: [], clusterTasks: [] }));
  }

  /** Update-with-start: the cluster workflow exists from the first call on. */
  private async updateCluster(request: ApplyClusterRequest): Promise<ClusterState> {
    if (request.projects.length === 0 && request.clusterTasks.length === 0 && request.config === undefined && !request.clusterAnalysisTemplates?.length) {
      try {
        return await this.client.workflow.getHandle(CLUSTER_WORKFLOW_ID).query(clusterStateQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) && !isQueryOnClosed(err)) throw unavailable(err);
      }
    }
    return this.write(CLUSTER, () =>
      this.client.workflow.executeUpdateWithStart(applyClusterUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation('clusterWorkflow', {
          workflowId: CLUSTER_WORKFLOW_ID,
          taskQueue: this.taskQueue,
          args: [{}],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: 'Shunt cluster registry',
        }),
      }),
    );
  }

  private projectState(project: string): Promise<ProjectState> {
    return this.queryProject(project, 'state', (s) => s, projectStateQuery);
  }

  /**
   * A query of the project's workflow, shared with every concurrent reader of the same key. A
   * workflow whose code predates the query (an older worker) is asked for its whole state instead,
   * and `fromState` takes from it what the query would have answered.
   */
  private queryProject<Ret, Args extends unknown[]>(
    project: string,
    key: string,
    fromState: (state: ProjectState) => Ret,
    query: QueryDefinition<Ret, Args>,
    ...args: Args
  ): Promise<Ret> {
    return this.queryProjectNotBefore(project, key, fromState, query, undefined, ...args);
  }

  /** queryProject, answered by a query started at `notBefore` (ProjectReads' clock) or later, when given. */
  private queryProjectNotBefore<Ret, Args extends unknown[]>(
    project: string,
    key: string,
    fromState: (state: ProjectState) => Ret,
    query: QueryDefinition<Ret, Args>,
    notBefore: number | undefined,
    ...args: Args
  ): Promise<Ret> {
    return this.reads.read(project, key, async () => {
      const handle = this.client.workflow.getHandle(projectWorkflowId(project));
      try {
        try {
          return await handle.query(query, ...args);
        } catch (err) {
          if (query.name === projectStateQuery.name || !isUnknownQuery(err)) throw err;
          return fromState(await handle.query(projectStateQuery));
        }
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new DomainError('NotFound', `project "${project}" not found`);
        throw unavailable(err);
      }
    }, notBefore);
  }

  /** A change of `project` (CLUSTER: the cluster registry): its reads start afresh once it is done. */
  private async write<T>(project: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.updates.run(project, () => this.run(call));
    } finally {
      this.reads.invalidate(project);
    }
  }

  /** Runs a Temporal call, turning its failures into DomainErrors the api can map. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await sendAgainIfUnaccepted(call, 200, this.opts.onResend);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause as { type?: string; message?: string; details?: unknown[] } | undefined;
        const code = isErrorCode(cause?.type) ? cause.type : 'Internal';
        const details = Array.isArray(cause?.details) ? cause.details.map(String) : [];
        throw new DomainError(code, cause?.message ?? err.message, details);
      }
      if (err instanceof DomainError) throw err;
      throw unavailable(err);
    }
  }
}

/**
 * How many times an update is sent when the server gives up on it before the workflow accepted
 * it (`unacceptedBecause`): it changed nothing, so a new request is safe.
 */
export const UNACCEPTED_UPDATE_ATTEMPTS = 3;

export async function sendAgainIfUnaccepted<T>(call: () => Promise<T>, pauseMs = 200, onResend?: (attempt: number, reason: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const reason = unacceptedBecause(err);
      if (reason === undefined || attempt >= UNACCEPTED_UPDATE_ATTEMPTS) throw err;
      onResend?.(attempt + 1, reason);
      await new Promise((r) => setTimeout(r, pauseMs * attempt));
    }
  }
}

const FAILED_PRECONDITION = 9;

/**
 * Why the server gave up on an update the workflow never accepted, or undefined when it did not.
 * - "UnprocessedUpdate": the worker completed the workflow task that carried the update without
 *   accepting or rejecting it (seen once in a 200-promotion burst on a loaded machine).
 * - WorkflowNotReady, "unexpected workflow task failure": the workflow task that carried it
 *   failed on the server, as one ending the run does when new events came in meanwhile (the
 *   project workflow's continue-as-new under a stream of promotions: 47 refused requests in
 *   bench/many-stages). Nothing of that task was written, so the update was never accepted.
 *   The server does not retry it itself because the workflow saw it: a workflow failing on it
 *   every time would fail every attempt, hence the bounded number of attempts.
 */
export function unacceptedBecause(err: unknown): string | undefined {
  if (err instanceof WorkflowUpdateFailedError && (err.cause as { type?: string } | undefined)?.type === 'UnprocessedUpdate') {
    return 'the worker did not process it (UnprocessedUpdate)';
  }
  if (
    err instanceof ServiceError &&
    isGrpcServiceError(err.cause) &&
    err.cause.code === FAILED_PRECONDITION &&
    /unexpected workflow task failure/i.test(err.cause.details)
  ) {
    return 'the workflow task that carried it failed before accepting it';
  }
  return undefined;
}

function unavailable(err: unknown): DomainError {
  // The client wraps the gRPC failure ("14 UNAVAILABLE: ...") that says what went wrong.
  const cause = err instanceof Error && err.cause !== undefined ? ` (${firstLine(err.cause)})` : '';
  return new DomainError('Unavailable', `Temporal did not answer: ${firstLine(err)}${cause}`);
}

/** The workflow's code has no handler for the query (a worker older than the query). */
function isUnknownQuery(err: unknown): boolean {
  return err instanceof Error && /did not register a handler for|QueryNotRegistered|unknown queryType/i.test(`${err.name} ${err.message}`);
}

function isQueryOnClosed(err: unknown): boolean {
  return err instanceof Error && /workflow.*(completed|closed)/i.test(err.message);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
