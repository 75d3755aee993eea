import { filterAuditEvents, type AuditFilter } from '../../core/audit/filter.js';
import { listEvents, type EventQuery } from '../../core/events/lifecycle.js';
import { listDeadLetters } from '../../core/events/notifications.js';
import type { DeadLetter, LifecycleEvent } from '../../core/events/types.js';
import YAML from 'yaml';
import type {
  ApplyResult,
  HealthStatus,
  ManifestFile,
  ProjectSummary,
  PromoteRequest,
  PromotionWait,
  RefreshResult,
  ShuntBackend,
} from '../../api/backend.js';
import type { AuditEvent } from '../../core/audit/event.js';
import type { GitReadRequest, GitReadResult } from '../../core/changes/git-reads.js';
import type { ClusterConfig } from '../../core/model.js';
import { DomainError } from '../../core/errors.js';
import { sha1Hex } from '../../core/hash.js';
import { emptyProjectState } from '../../core/project/apply.js';
import { approveFreight, approveFreightIssue, type FreightApproval } from '../../core/project/approvals.js';
import { approverIssue } from '../../core/project/approval-gate.js';
import { deleteFreight, deleteFreightIssue, type DeletedFreight } from '../../core/project/delete-freight.js';
import { promoteDownstreamIssue, queueDownstreamPromotions, type PromoteDownstreamResult } from '../../core/project/downstream.js';
import { freightAliasIssue, setFreightAlias, type FreightAliasChange } from '../../core/project/freight-alias.js';
import { pruneIssue, pruneProject, type PruneOutcome, type PruneRequest } from '../../core/project/prune.js';
import { recordStageRefresh, refreshStageIssue, type StageRefresh } from '../../core/project/refresh-stage.js';
import { findFreight, promotionIssue } from '../../core/project/promotions.js';
import { abortIssue, retryIssue } from '../../core/project/retry-abort.js';
import type { ProjectState, PromotionRecord, VerificationRecord } from '../../core/project/state.js';
import { freightPage, freightRead, projectCounts, stageReadState, type FreightPage, type FreightPageRequest, type FreightRead } from '../../core/project/reads.js';
import { abortVerificationIssue, finishVerification, requestVerification, verifyIssue } from '../../core/project/verification.js';

/**
 * A hand-written ShuntBackend over in-memory ProjectStates, for driving the api and the CLI
 * without Temporal. It keeps just enough of the real rules to exercise every route: applies
 * Project / Warehouse / Stage documents, checks freight availability (direct, verified upstream,
 * or approved), and queues promotions. Tests arrange state through `projects` and the helpers.
 */
export class FakeBackend implements ShuntBackend {
  readonly projects = new Map<string, ProjectState>();
  /** The ClusterConfig getClusterConfig answers (tests set it). */
  clusterConfig: ClusterConfig | undefined;
  healthStatus: HealthStatus = { temporal: true, worker: true };
  /** When set, every call throws it (to test error mapping). */
  failWith: unknown;
  /** Every call, in order, with its arguments: for asserting what the routes passed. */
  readonly calls: { method: keyof ShuntBackend; args: unknown[] }[] = [];
  /** Promotion name → updates applied one per getPromotion call (to script a running promotion). */
  private readonly progress = new Map<string, Partial<PromotionRecord>[]>();
  private clock = Date.parse('2026-01-01T00:00:00Z');

  async apply(files: ManifestFile[], options: { dryRun: boolean; actor?: string }): Promise<ApplyResult> {
    this.record('apply', files, options);
    const docs: { file: string; doc: Record<string, unknown> }[] = [];
    const problems: string[] = [];
    for (const file of files) {
      for (const [i, document] of YAML.parseAllDocuments(file.content).entries()) {
        if (document.errors.length > 0) {
          problems.push(`${file.name}: document ${i + 1}: ${document.errors[0]?.message ?? 'invalid YAML'}`);
          continue;
        }
        const doc = document.toJS() as unknown;
        if (doc === null || doc === undefined) continue;
        if (typeof doc !== 'object' || Array.isArray(doc)) {
          problems.push(`${file.name}: document ${i + 1}: expected a mapping`);
          continue;
        }
        // A List stands for its items, as in the real parser.
        const items = (doc as { kind?: unknown; items?: unknown }).kind === 'List' ? (doc as { items?: unknown }).items : undefined;
        if (Array.isArray(items)) {
          for (const item of items) docs.push({ file: file.name, doc: item as Record<string, unknown> });
          continue;
        }
        const kind = (doc as { kind?: unknown }).kind;
        if (kind !== 'Project' && kind !== 'Warehouse' && kind !== 'Stage') {
          problems.push(`${file.name}: document ${i + 1}: kind: unsupported kind ${JSON.stringify(kind)}`);
          continue;
        }
        docs.push({ file: file.name, doc: doc as Record<string, unknown> });
      }
    }
    if (problems.length > 0) {
      throw new DomainError('InvalidManifest', `${problems.length} problem(s) in the manifests`, problems);
    }

    const projects = new Map([...this.projects].map(([k, v]) => [k, structuredClone(v)]));
    const results: ApplyResult['results'] = [];
    const hints: string[] = [];
    for (const { file, doc } of docs) {
      const metadata = (doc['metadata'] ?? {}) as { name?: string; namespace?: string };
      const name = metadata.name ?? '';
      if (doc['kind'] === 'Project') {
        const existed = projects.has(name);
        if (!existed) projects.set(name, emptyProject(name, this.now()));
        results.push({ kind: 'Project', name, action: existed ? 'unchanged' : 'created' });
        continue;
      }
      const project = metadata.namespace ?? '';
      const state = projects.get(project);
      if (state === undefined) {
        throw new DomainError('InvalidManifest', `${file}: metadata.namespace: project "${project}" does not exist`);
      }
      const bucket = (doc['kind'] === 'Stage' ? state.specs.stages : state.specs.warehouses) as Record<string, unknown>;
      const previous = bucket[name];
      const action = previous === undefined ? 'created' : JSON.stringify(previous) === JSON.stringify(doc) ? 'unchanged' : 'configured';
      bucket[name] = doc;
      results.push({ project, kind: doc['kind'] as string, name, action });
      if (JSON.stringify(doc).includes('"semverConstraint"') && doc['kind'] === 'Warehouse') {
        hints.push(`${file}: warehouse ${name}: image subscription field "semverConstraint" is now "constraint"`);
      }
    }
    if (!options.dryRun) {
      this.projects.clear();
      for (const [k, v] of projects) this.projects.set(k, v);
    }
    return { results, hints, dryRun: options.dryRun };
  }

  async getClusterConfig(): Promise<ClusterConfig | undefined> {
    this.record('getClusterConfig');
    return this.clusterConfig;
  }

  async listProjects(): Promise<ProjectSummary[]> {
    this.record('listProjects');
    return [...this.projects.values()].map((s) => ({
      name: s.project,
      stages: Object.keys(s.specs.stages).length,
      warehouses: Object.keys(s.specs.warehouses).length,
      freight: Object.keys(s.freight).length,
    }));
  }

  async getProject(project: string, revision?: string): Promise<ProjectState> {
    this.record('getProject', project, ...(revision === undefined ? [] : [revision]));
    return structuredClone(this.project(project));
  }

  async listEvents(project: string, query: EventQuery): Promise<LifecycleEvent[]> {
    this.record('listEvents', project);
    return listEvents(structuredClone(this.project(project)).events, query);
  }

  async listDeadLetters(project: string, limit?: number): Promise<DeadLetter[]> {
    this.record('listDeadLetters', project);
    return listDeadLetters(structuredClone(this.project(project)), limit);
  }

  /** The state's own fingerprint: it changes exactly when the state does. */
  async getProjectRevision(project: string): Promise<string | undefined> {
    this.record('getProjectRevision', project);
    return sha1Hex(JSON.stringify(this.project(project)));
  }

  async getProjectSummary(project: string): Promise<ProjectSummary> {
    this.record('getProjectSummary', project);
    return { name: project, ...projectCounts(this.project(project)) };
  }

  async getStageState(project: string, stage: string): Promise<ProjectState> {
    this.record('getStageState', project, stage);
    const read = stageReadState(this.project(project), stage);
    if (!read) throw new DomainError('NotFound', `stage "${stage}" not found in project "${project}"`);
    return structuredClone(read);
  }

  async getFreight(project: string, idOrAlias: string): Promise<FreightRead> {
    this.record('getFreight', project, idOrAlias);
    const read = freightRead(this.project(project), idOrAlias);
    if (!read) throw new DomainError('NotFound', `freight "${idOrAlias}" (id or alias) not found in project "${project}"`);
    return structuredClone(read);
  }

  async listFreight(project: string, page?: FreightPageRequest): Promise<FreightPage> {
    this.record('listFreight', project, page);
    return structuredClone(freightPage(this.project(project), page));
  }

  async promote(project: string, request: PromoteRequest): Promise<PromotionRecord> {
    this.record('promote', project, request);
    const state = this.project(project);
    // The same admission rules as the project workflow (core/project/promotions.ts).
    const issue = promotionIssue(state, request.stage, request.freight, this.clock);
    if (issue) throw issue;
    const stage = state.specs.stages[request.stage]!;
    const freight = findFreight(state, request.freight)!;
    const steps = stage.spec.promotionTemplate?.spec.steps ?? [];
    const record: PromotionRecord = {
      name: `${request.stage}.${String(state.promotions.length + 1).padStart(6, '0')}.${freight.name.slice(0, 7)}`,
      stage: request.stage,
      freight: freight.name,
      freightAlias: freight.alias,
      origin: `Warehouse/${freight.origin.name}`,
      phase: 'Pending',
      createdAt: this.now(),
      workflowId: `promotion:${project}:${request.stage}:${freight.name}`,
      steps: steps.map((s, i) => ({ alias: s.as ?? `step-${i + 1}`, uses: s.uses ?? '', status: 'Pending', errorCount: 0 })),
    };
    if (request.actor !== undefined) record.actor = request.actor;
    state.promotions.push(record);
    (state.stages[request.stage] ??= { freightHistory: [], queue: [] }).queue.push(record.name);
    return structuredClone(record);
  }

  async promoteDownstream(
    project: string,
    request: { stage: string; freight: string; actor?: string; authorizedStages?: string[] },
  ): Promise<PromoteDownstreamResult> {
    this.record('promoteDownstream', project, request);
    const state = this.project(project);
    // The same rules and the same queueing as the project workflow.
    const issue = promoteDownstreamIssue(state, request, this.clock);
    if (issue) throw issue;
    const now = this.now();
    return structuredClone(
      queueDownstreamPromotions(state, request, { now, nowMs: this.clock, random: () => 0.5, workflowIdFor: (n) => `promotion:${project}:${n}` }),
    );
  }

  async deleteFreight(project: string, freight: string, actor?: string): Promise<DeletedFreight> {
    this.record('deleteFreight', project, freight, actor);
    const state = this.project(project);
    const issue = deleteFreightIssue(state, freight);
    if (issue) throw issue;
    const now = this.now();
    return deleteFreight(state, { freight, ...(actor ? { actor } : {}) }, this.clock, now);
  }

  async pruneProject(project: string, request: PruneRequest): Promise<PruneOutcome> {
    this.record('pruneProject', project, request);
    const issue = pruneIssue(request);
    if (issue) throw issue;
    return pruneProject(this.project(project), request, this.clock, this.now());
  }

  async updateFreightAlias(project: string, request: { freight: string; alias: string; actor?: string }): Promise<FreightAliasChange> {
    this.record('updateFreightAlias', project, request);
    const state = this.project(project);
    const issue = freightAliasIssue(state, request);
    if (issue) throw issue;
    return setFreightAlias(state, request, this.now());
  }

  async refreshStage(project: string, stage: string, actor?: string): Promise<StageRefresh> {
    this.record('refreshStage', project, stage, actor);
    const state = this.project(project);
    const issue = refreshStageIssue(state, stage);
    if (issue) throw issue;
    // No workflows here: nothing runs, nothing is queued by auto-promotion (the workflow tests cover those).
    const s = state.stages[stage];
    return recordStageRefresh(
      state,
      { stage, ...(actor ? { actor } : {}) },
      { autoPromotions: [], ...(s?.currentPromotion ? { promotion: s.currentPromotion } : {}), ...(s?.currentVerification ? { verification: s.currentVerification.id } : {}) },
      this.now(),
    );
  }

  /** A scripted promotion answers its next update at once, waited for or not; the call records how long it could have waited. */
  async getPromotion(project: string, name: string, wait?: PromotionWait): Promise<PromotionRecord> {
    this.record('getPromotion', project, name, ...(wait ? [{ waitMs: wait.waitMs }] : []));
    const state = this.project(project);
    const record = state.promotions.find((p) => p.name === name);
    if (record === undefined) throw new DomainError('NotFound', `promotion "${name}" not found in project "${project}"`);
    const next = this.progress.get(name)?.shift();
    if (next !== undefined) Object.assign(record, next);
    return structuredClone(record);
  }

  async deleteResource(project: string, kind: 'Stage' | 'Warehouse', name: string, actor?: string): Promise<void> {
    this.record('deleteResource', project, kind, name, actor);
    const state = this.project(project);
    const bucket: Record<string, unknown> = kind === 'Stage' ? state.specs.stages : state.specs.warehouses;
    if (bucket[name] === undefined) {
      throw new DomainError('NotFound', `${kind.toLowerCase()} "${name}" not found in project "${project}"`);
    }
    delete bucket[name];
  }

  async approveFreight(project: string, request: { freight: string; stage: string; actor?: string }): Promise<FreightApproval> {
    this.record('approveFreight', project, request);
    const state = this.project(project);
    const issue = approveFreightIssue(state, request.freight, request.stage);
    if (issue) throw issue;
    return approveFreight(state, request.freight, request.stage, { now: this.now(), ...(request.actor ? { actor: request.actor } : {}) });
  }

  async approvePromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    this.record('approvePromotion', project, name, actor);
    const record = this.promotion(project, name);
    const waiting = record.waitingForApproval;
    if (record.phase !== 'Running' || !waiting) {
      throw new DomainError('FailedPrecondition', `promotion ${name} is not waiting for approval (it is ${record.phase.toLowerCase()})`);
    }
    const issue = approverIssue(waiting, record.actor, actor);
    if (issue) throw new DomainError('FailedPrecondition', issue);
    record.approvals = [...(record.approvals ?? []), { gate: waiting.gate, approvedBy: actor ?? 'anonymous', approvedAt: this.now() }];
    delete record.waitingForApproval;
    return structuredClone(record);
  }

  async retryPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    this.record('retryPromotion', project, name, actor);
    const state = this.project(project);
    const issue = retryIssue(state, name, this.clock);
    if (issue) throw issue;
    const original = this.promotion(project, name);
    const record = await this.promote(project, { stage: original.stage, freight: original.freight, ...(actor ? { actor } : {}) });
    const stored = state.promotions.find((p) => p.name === record.name)!;
    stored.retryOf = name;
    return structuredClone(stored);
  }

  async abortPromotion(project: string, name: string, actor?: string): Promise<PromotionRecord> {
    this.record('abortPromotion', project, name, actor);
    const state = this.project(project);
    const issue = abortIssue(state, name);
    if (issue) throw issue;
    const record = this.promotion(project, name);
    record.phase = 'Aborted';
    record.message = `aborted by ${actor ?? 'anonymous'}`;
    record.finishedAt = this.now();
    const stage = state.stages[record.stage];
    if (stage) stage.queue = stage.queue.filter((n) => n !== name);
    return structuredClone(record);
  }

  async verifyStage(project: string, stage: string, actor?: string): Promise<VerificationRecord> {
    this.record('verifyStage', project, stage, actor);
    const state = this.project(project);
    const issue = verifyIssue(state, stage);
    if (issue) throw issue;
    const record = requestVerification(state, stage, {
      now: this.now(),
      nowMs: this.clock,
      random: () => 0.5,
      workflowIdFor: (id) => `verification:${project}:${id}`,
      ...(actor ? { actor } : {}),
    })!;
    return structuredClone(record);
  }

  async abortVerification(project: string, stage: string, actor?: string): Promise<VerificationRecord> {
    this.record('abortVerification', project, stage, actor);
    const state = this.project(project);
    const issue = abortVerificationIssue(state, stage);
    if (issue) throw issue;
    const current = state.stages[stage]!.currentVerification!;
    const done = finishVerification(state, { id: current.id, stage, phase: 'Aborted', message: `aborted by ${actor ?? 'anonymous'}`, finishTime: this.now() });
    return structuredClone(done!);
  }

  async refreshWarehouse(project: string, warehouse: string, actor?: string): Promise<RefreshResult> {
    this.record('refreshWarehouse', project, warehouse, actor);
    const state = this.project(project);
    if (!state.specs.warehouses[warehouse]) throw new DomainError('NotFound', `warehouse "${warehouse}" not found in project "${project}"`);
    return { project, warehouse, workflowId: `warehouse-scan:${project}:${warehouse}:now` };
  }

  async deleteProject(project: string, actor?: string): Promise<void> {
    this.record('deleteProject', project, actor);
    this.project(project);
    this.projects.delete(project);
  }

  async health(): Promise<HealthStatus> {
    this.record('health');
    return this.healthStatus;
  }

  /** Audit trails by project ('' for the cluster-wide one), oldest first. */
  readonly audit = new Map<string, AuditEvent[]>();

  async recordAudit(project: string | undefined, event: AuditEvent): Promise<void> {
    const log = this.audit.get(project ?? '') ?? [];
    log.push(event);
    this.audit.set(project ?? '', log);
  }

  /** Git reads answered by the test (none by default: the api then answers what a missing worker gets). */
  gitReads: ((request: GitReadRequest) => unknown) | undefined;

  async readGit<R extends GitReadRequest>(request: R): Promise<GitReadResult<R>> {
    this.record('readGit', request.project, request.kind);
    if (this.gitReads === undefined) throw new DomainError('Unavailable', 'reading the git mirror failed: no worker in this test');
    return this.gitReads(request) as GitReadResult<R>;
  }

  async listAudit(project: string | undefined, filter: AuditFilter): Promise<AuditEvent[]> {
    return filterAuditEvents([...(this.audit.get(project ?? '') ?? [])].reverse(), filter);
  }

  // ---- arrangement helpers ---------------------------------------------------------------

  /** Scripts a promotion: each later getPromotion applies the next update. */
  scriptPromotion(name: string, updates: Partial<PromotionRecord>[]): void {
    this.progress.set(name, [...updates]);
  }

  private promotion(project: string, name: string): PromotionRecord {
    const record = this.project(project).promotions.find((p) => p.name === name);
    if (record === undefined) throw new DomainError('NotFound', `promotion "${name}" not found in project "${project}"`);
    return record;
  }

  private project(project: string): ProjectState {
    if (this.failWith !== undefined) throw this.failWith;
    const state = this.projects.get(project);
    if (state === undefined) throw new DomainError('NotFound', `project "${project}" not found`);
    return state;
  }

  private record(method: keyof ShuntBackend, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith !== undefined) throw this.failWith;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }
}

export function emptyProject(project: string, now = '2026-01-01T00:00:00.000Z'): ProjectState {
  return emptyProjectState(project, now);
}

