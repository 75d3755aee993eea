/**
 * projectWorkflow: one per project, the single writer of its state (specs, freight, stage
 * state, the per-stage promotion queues). Updates change the state after a validator has
 * checked them with the same pure functions the api uses; promotions run as child workflows,
 * one at a time per stage, and report back with a signal.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { DomainError } from '../core/errors.js';
import { failureCause } from '../core/failure-cause.js';
import { eventFacts, lifecycleEvents, listEvents, recordEvents } from '../core/events/lifecycle.js';
import { deliveriesFor, listDeadLetters, queueDeliveries, recordDeadLetter, takeDeliveries } from '../core/events/notifications.js';
import { applyIssues, applyResources, deleteIssue, deleteResource, emptyProjectState } from '../core/project/apply.js';
import { applyPromotionEffects, metadataSnapshot } from '../core/project/effects.js';
import { freightStatusOf } from '../core/project/freight-status.js';
import {
  finishPromotion,
  findFreight,
  markStarted,
  planFor,
  promotionIssue,
  queuePromotion,
  startablePromotions,
} from '../core/project/promotions.js';
import { stageApprovalGate } from '../core/project/approval-gate.js';
import { applyHolds, dueAutoPromotions, nextSoakDeadline } from '../core/project/auto-promotion.js';
import { approveFreight, approveFreightIssue } from '../core/project/approvals.js';
import { deleteFreight, deleteFreightIssue } from '../core/project/delete-freight.js';
import { promoteDownstreamIssue, queueDownstreamPromotions } from '../core/project/downstream.js';
import { freightAliasIssue, setFreightAlias } from '../core/project/freight-alias.js';
import { recordStageRefresh, refreshStageIssue } from '../core/project/refresh-stage.js';
import { trimPromotionRecord } from '../core/project/promotion-trim.js';
import { pruneIssue, pruneProject } from '../core/project/prune.js';
import { collectFreight } from '../core/project/retention.js';
import { applyGrowth, measureState, nearBudget, requestGrowth, shrinkToFit, STATE_SHRINK_TRIGGER_BYTES, stateBudgetIssue } from '../core/project/state-budget.js';
import { settleControlFlowStages } from '../core/project/control-flow.js';
import { recordProgress } from '../core/project/promotions.js';
import { abortIssue, claimWorkspaces, queueRetry, retryIssue } from '../core/project/retry-abort.js';
import {
  abortVerificationIssue,
  finishVerification,
  markVerificationStarted,
  pendingVerifications,
  recordVerificationProgress,
  requestVerification,
  stageTemplates,
  verificationArgEnv,
  verificationConfigured,
  verifyIssue,
} from '../core/project/verification.js';
import type { ProjectState, PromotionRecord, VerificationRecord } from '../core/project/state.js';
import { freightPage, freightRead, projectCounts, stageReadState } from '../core/project/reads.js';
import { promotionContext } from '../core/promotion/context.js';
import { TERMINAL_PHASES } from '../core/promotion/types.js';
import {
  abortVerificationUpdate,
  verificationFinishedSignal,
  verificationProgressSignal,
  verificationWorkflowId,
  verifyStageUpdate,
  abortPromotionUpdate,
  approveFreightUpdate,
  deleteFreightUpdate,
  promoteDownstreamUpdate,
  promotionRefreshSignal,
  refreshStageUpdate,
  updateFreightAliasUpdate,
  promotionPingSignal,
  promotionProgressSignal,
  pruneProjectUpdate,
  retryPromotionUpdate,
  applySpecsUpdate,
  deleteResourceUpdate,
  projectStateQuery,
  freightStatusQuery,
  projectCountsQuery,
  stageReadQuery,
  freightReadQuery,
  freightPageQuery,
  projectRevisionQuery,
  promoteUpdate,
  promotionFinishedSignal,
  promotionWorkflowId,
  notificationDeadLetterSignal,
  notificationWorkflowId,
  lifecycleEventsQuery,
  deadLettersQuery,
  SEARCH_ATTRIBUTES,
  type ProjectWorkflowInput,
} from './definitions.js';
import { handlersFirst } from './handlers-first.js';
import { registerWarehouseDiscovery } from './project-discovery.js';
import { notificationWorkflow } from './notification.js';
import { promotionWorkflow } from './promotion.js';
import { verificationWorkflow } from './verification.js';

/** Continue as new well before Temporal's history limits. */
const MAX_HISTORY_EVENTS = 5000;

/** Freight retention, trimmed promotion records and the state size budget since this patch. */
export const BOUNDED_STATE_PATCH = 'bounded-project-state';

/** Lifecycle events kept in the state, and their notifications, since this patch. */
export const LIFECYCLE_EVENTS_PATCH = 'lifecycle-events';

/**
 * The state is shrunk past 7/8 of its budget, promotion records oldest first and then the older
 * freight history entries, since this patch: many stages with long histories keep taking promotions.
 */
export const ROOMY_STATE_PATCH = 'roomy-project-state';

/**
 * Since this patch a promotion whose end arrives before its start was confirmed ends as it
 * reported; before, the confirmation then marked it Running again and its stage stayed busy.
 */
export const EARLY_FINISH_PATCH = 'promotion-finished-before-started';

/**
 * Since this patch the promotions that can start are started together (their start commands in
 * one workflow task, up to PROMOTION_STARTS_PER_TASK), not one start confirmed before the next:
 * 20 stages promoted at once took 2.7 s to start one by one.
 */
export const STARTS_TOGETHER_PATCH = 'promotions-started-together';
/** Keeps one workflow task's start commands (each carries its plan) well under the gRPC message limit. */
const PROMOTION_STARTS_PER_TASK = 20;

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<void> {
  const state: ProjectState = input.state ?? emptyProjectState(input.project, nowIso());
  let dirty = true;
  let deleting = false;
  const eventsOn = patched(LIFECYCLE_EVENTS_PATCH);
  /** What the last lifecycle events were derived from (core/events/lifecycle.ts). */
  let facts = eventFacts(state);
  /** Records the lifecycle events since the last call and queues their notifications; whether there were any. */
  const observe = (): boolean => {
    if (!eventsOn) return false;
    const recorded = recordEvents(state, lifecycleEvents(facts, state), nowIso());
    facts = eventFacts(state);
    for (const event of recorded) queueDeliveries(state, deliveriesFor(state, event));
    return recorded.length > 0;
  };

  const refuseWhileDeleting = (): void => {
    if (deleting) throw ApplicationFailure.create({ type: 'FailedPrecondition', message: `project "${state.project}" is being deleted` });
  };

  const promotionIds = (name: string): string => promotionWorkflowId(state.project, name);

  /** Refuses (in a validator) a change that would take the state past its budget. */
  const refuseOverBudget = (what: string, added: number): void => {
    const issue = stateBudgetIssue(state, what, added);
    if (issue) throw failure(issue);
  };

  setHandler(projectStateQuery, () => state);
  // A query adds no command: histories recorded before it still replay.
  setHandler(freightStatusQuery, (name) => freightStatusOf(state, name));
  setHandler(projectCountsQuery, () => projectCounts(state));
  setHandler(stageReadQuery, (stage) => stageReadState(state, stage) ?? null);
  setHandler(freightReadQuery, (idOrAlias) => freightRead(state, idOrAlias) ?? null);
  setHandler(freightPageQuery, (request) => freightPage(state, request));
  setHandler(lifecycleEventsQuery, (query) => listEvents(state.events, query));
  setHandler(deadLettersQuery, (query) => listDeadLetters(state, query.limit));
  setHandler(projectRevisionQuery, () => `${workflowInfo().runId}:${workflowInfo().historyLength}`);
  const discovery = registerWarehouseDiscovery(state, () => (dirty = true));

  setHandler(
    applySpecsUpdate,
    (request) => {
      const results = applyResources(state, request, nowIso(), Math.random);
      dirty = true;
      return { results };
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        refuseOverBudget('apply', applyGrowth(state, request));
        const issues = applyIssues(state, request);
        if (issues.length) throw failure(new DomainError('InvalidManifest', issues.join('\n'), issues));
      },
    },
  );

  setHandler(
    promoteUpdate,
    (request) => {
      const freight = findFreight(state, request.freight)!;
      const record = queuePromotion(state, request.stage, freight, queueContext(promotionIds, request.actor));
      dirty = true;
      return record;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = promotionIssue(state, request.stage, request.freight, Date.now());
        if (issue) throw failure(issue);
        refuseOverBudget('promote', requestGrowth(request));
      },
    },
  );

  setHandler(
    deleteResourceUpdate,
    (request) => {
      if (request.kind === 'Project') {
        deleting = true;
        discovery.projectDeleted();
        for (const s of Object.values(state.stages)) {
          for (const name of s.queue) abortQueued(state, name, `project deleted by ${request.actor ?? 'anonymous'}`);
          s.queue = [];
        }
      } else {
        deleteResource(state, request.kind, request.name, nowIso());
      }
      dirty = true;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        if (request.kind === 'Project') return;
        const issue = deleteIssue(state, request.kind, request.name);
        if (issue) throw failure(new DomainError(issue.includes('not found') ? 'NotFound' : 'FailedPrecondition', issue));
      },
    },
  );

  // Defined before the signal handlers: a buffered signal runs its handler inside setHandler.
  const verificationOptions = (actor?: string) => queueContext((id) => verificationWorkflowId(state.project, id), actor);

  /** Who asked to abort a running promotion, for its final message. */
  const abortRequests = new Map<string, string>();
  setHandler(promotionFinishedSignal, (done) => {
    // A promotion can report its end before its start is confirmed (one workflow task carries
    // both, and signals come first): only a started promotion reports, so it is recorded as started.
    const unconfirmed = state.promotions.find((p) => p.name === done.name && p.phase === 'Pending');
    if (unconfirmed && patched(EARLY_FINISH_PATCH)) markStarted(state, unconfirmed, [], nowIso());
    const abortedBy = abortRequests.get(done.name);
    abortRequests.delete(done.name);
    finishPromotion(state, done.phase === 'Aborted' && abortedBy ? { ...done, message: abortedBy } : done, Date.now());
    applyPromotionEffects(state, done);
    applyHolds(state, done.name, Date.now(), nowIso());
    const promotion = state.promotions.find((p) => p.name === done.name);
    if (promotion && patched(BOUNDED_STATE_PATCH)) trimPromotionRecord(promotion);
    if (done.phase === 'Succeeded' && promotion && verificationConfigured(state.specs.stages[promotion.stage])) {
      requestVerification(state, promotion.stage, verificationOptions());
    }
    dirty = true;
  });

  setHandler(promotionProgressSignal, (progress) => {
    recordProgress(state, progress, nowIso());
    // A promotion that starts waiting for approval is an event (and maybe a notification to start).
    if (observe()) dirty = true;
  });

  // A notification given up on: kept as a dead letter, and an event (never notified itself).
  setHandler(notificationDeadLetterSignal, (letter) => {
    if (!eventsOn) return;
    recordEvents(state, [recordDeadLetter(state, letter)], nowIso());
    dirty = true;
  });

  setHandler(
    approveFreightUpdate,
    (request) => {
      const approval = approveFreight(state, request.freight, request.stage, {
        now: nowIso(),
        ...(request.actor ? { actor: request.actor } : {}),
      });
      settleControlFlowStages(state, nowIso());
      dirty = true;
      return approval;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = approveFreightIssue(state, request.freight, request.stage);
        if (issue) throw failure(issue);
        refuseOverBudget('approve freight', requestGrowth(request));
      },
    },
  );

  setHandler(
    abortPromotionUpdate,
    async (request) => {
      const promotion = state.promotions.find((p) => p.name === request.promotion)!;
      const by = `aborted by ${request.actor ?? 'anonymous'}`;
      if (promotion.phase === 'Pending') {
        abortQueued(state, promotion.name, by);
      } else {
        promotion.message = `abort requested (${by})`;
        abortRequests.set(promotion.name, by);
        try {
          // The promotion marks its running step Aborted, cleans up and reports back.
          await getExternalWorkflowHandle(promotion.workflowId).cancel();
        } catch {
          // Its workflow is gone (terminated from outside): nothing will report back.
          abortQueued(state, promotion.name, `${by}; its workflow had already ended`);
        }
      }
      dirty = true;
      return promotion;
    },
    {
      validator: (request) => {
        const issue = abortIssue(state, request.promotion);
        if (issue) throw failure(issue);
      },
    },
  );

  setHandler(
    retryPromotionUpdate,
    (request) => {
      const record = queueRetry(state, request.promotion, queueContext(promotionIds, request.actor));
      dirty = true;
      return record;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = retryIssue(state, request.promotion, Date.now());
        if (issue) throw failure(issue);
        refuseOverBudget('retry', requestGrowth(request));
      },
    },
  );

  setHandler(
    promoteDownstreamUpdate,
    (request) => {
      const result = queueDownstreamPromotions(state, request, queueContext(promotionIds));
      dirty = true;
      return result;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = promoteDownstreamIssue(state, request, Date.now());
        if (issue) throw failure(issue);
        refuseOverBudget('promote downstream', requestGrowth(request));
      },
    },
  );

  setHandler(
    deleteFreightUpdate,
    (request) => {
      const deleted = deleteFreight(state, request, Date.now(), nowIso());
      dirty = true;
      return deleted;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = deleteFreightIssue(state, request.freight);
        if (issue) throw failure(issue);
      },
    },
  );

  setHandler(
    updateFreightAliasUpdate,
    (request) => {
      const change = setFreightAlias(state, request, nowIso());
      dirty = true;
      return change;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = freightAliasIssue(state, request);
        if (issue) throw failure(issue);
        refuseOverBudget('alias change', requestGrowth(request));
      },
    },
  );

  setHandler(
    pruneProjectUpdate,
    (request) => {
      const outcome = pruneProject(state, request, Date.now(), nowIso());
      log.info('project pruned', { actor: request.actor ?? 'anonymous', ...outcome, droppedFreight: outcome.droppedFreight.length });
      dirty = true;
      return outcome;
    },
    {
      validator: (request) => {
        // Never refused for size: it is how an oversized project is brought back.
        const issue = pruneIssue(request);
        if (issue) throw failure(issue);
      },
    },
  );

  setHandler(verificationProgressSignal, (progress) => recordVerificationProgress(state, progress));
  /** Who asked to abort a running verification, for its final message. */
  const verificationAborts = new Map<string, string>();
  setHandler(verificationFinishedSignal, (done) => {
    const abortedBy = verificationAborts.get(done.id);
    verificationAborts.delete(done.id);
    finishVerification(state, done.phase === 'Aborted' && abortedBy ? { ...done, message: abortedBy } : done);
    dirty = true;
  });

  setHandler(
    verifyStageUpdate,
    (request) => {
      const record = requestVerification(state, request.stage, verificationOptions(request.actor))!;
      dirty = true;
      return record;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = verifyIssue(state, request.stage);
        if (issue) throw failure(issue);
        refuseOverBudget('verify', requestGrowth(request));
      },
    },
  );

  setHandler(
    abortVerificationUpdate,
    async (request) => {
      const record = state.stages[request.stage]!.currentVerification!;
      const by = `aborted by ${request.actor ?? 'anonymous'}`;
      if (record.phase === 'Pending') {
        finishVerification(state, { id: record.id, stage: record.stage, phase: 'Aborted', message: by, finishTime: nowIso() });
      } else {
        // Set before the cancel: the verification may report back before the cancel resolves.
        record.message = `abort requested (${by})`;
        verificationAborts.set(record.id, by);
        try {
          await getExternalWorkflowHandle(record.workflowId).cancel();
        } catch {
          verificationAborts.delete(record.id);
          finishVerification(state, { id: record.id, stage: record.stage, phase: 'Aborted', message: `${by}; its workflow had already ended`, finishTime: nowIso() });
        }
      }
      dirty = true;
      return record;
    },
    {
      validator: (request) => {
        const issue = abortVerificationIssue(state, request.stage);
        if (issue) throw failure(issue);
      },
    },
  );

  /** A verification's workflow closed without reporting: record it as errored so the stage moves on. */
  const verificationClosedWithoutReport = (record: VerificationRecord, reason: string): void => {
    if (state.stages[record.stage]?.currentVerification?.id !== record.id) return;
    finishVerification(state, {
      id: record.id,
      stage: record.stage,
      phase: 'Error',
      message: `the verification's workflow ended without reporting: ${reason}`,
      finishTime: nowIso(),
    });
    dirty = true;
  };

  /** A promotion's workflow closed without reporting (terminated from outside): free its stage. */
  const closedWithoutReport = (name: string, reason: string): void => {
    const p = state.promotions.find((x) => x.name === name);
    if (!p || TERMINAL_PHASES.includes(p.phase)) return;
    abortQueued(state, name, `the promotion's workflow ended without reporting: ${reason}`, 'Errored');
    dirty = true;
  };
  setHandler(
    refreshStageUpdate,
    async (request) => {
      settleControlFlowStages(state, nowIso());
      const before = new Set(state.promotions.map((p) => p.name));
      queueAutoPromotions(state, request.stage);
      const autoPromotions = state.promotions.filter((p) => !before.has(p.name)).map((p) => p.name);
      const s = state.stages[request.stage];
      const promotion = s?.currentPromotion ? state.promotions.find((p) => p.name === s.currentPromotion) : undefined;
      const verification = s?.currentVerification?.phase === 'Running' ? s.currentVerification : undefined;
      // The refresh signal doubles as a liveness check: it fails for a workflow that is gone.
      if (promotion) {
        await getExternalWorkflowHandle(promotion.workflowId)
          .signal(promotionRefreshSignal)
          .catch((err: unknown) => closedWithoutReport(promotion.name, err instanceof Error ? err.message : String(err)));
      }
      if (verification) {
        await getExternalWorkflowHandle(verification.workflowId)
          .signal(promotionPingSignal)
          .catch((err: unknown) => verificationClosedWithoutReport(verification, err instanceof Error ? err.message : String(err)));
      }
      dirty = true;
      return recordStageRefresh(
        state,
        request,
        {
          autoPromotions,
          ...(promotion ? { promotion: promotion.name } : {}),
          ...(s?.currentVerification ? { verification: s.currentVerification.id } : verification ? { verification: verification.id } : {}),
        },
        nowIso(),
      );
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = refreshStageIssue(state, request.stage);
        if (issue) throw failure(issue);
      },
    },
  );

  // Promotions started by an earlier run of this workflow (before continue-as-new) are not our
  // children any more: look at them now and then, so a terminated one cannot block its stage.
  const inherited = Object.values(state.stages).flatMap((s) => (s.currentPromotion ? [s.currentPromotion] : []));
  const inheritedVerifications = Object.values(state.stages).flatMap((s) =>
    s.currentVerification?.phase === 'Running' ? [s.currentVerification] : [],
  );
  if ((inherited.length || inheritedVerifications.length) && patched('watch-inherited-promotions')) {
    for (const name of inherited) {
      const p = state.promotions.find((x) => x.name === name);
      if (!p) continue;
      void watchInherited(
        p.workflowId,
        () => !TERMINAL_PHASES.includes(p.phase),
        (reason) => closedWithoutReport(name, reason),
      );
    }
    for (const v of inheritedVerifications) {
      void watchInherited(
        v.workflowId,
        () => state.stages[v.stage]?.currentVerification?.id === v.id,
        (reason) => verificationClosedWithoutReport(v, reason),
      );
    }
  }

  /** Freight count when retention last ran: retention runs when freight was added since. */
  let freightRetained = -1;
  let warned = false;
  /** Retention when freight was added, the size measured, a warning past the threshold, and never over the budget. */
  const keepBounded = (): void => {
    const freightCount = Object.keys(state.freight).length;
    if (freightCount > freightRetained) {
      const dropped = collectFreight(state, Date.now());
      if (dropped.length) log.info('freight dropped by retention', { count: dropped.length, freight: dropped.slice(0, 20) });
    }
    freightRetained = Object.keys(state.freight).length;
    let size = measureState(state);
    // Since this patch: shrunk before it reaches the budget (room for validated updates), gradually.
    const roomy = patched(ROOMY_STATE_PATCH);
    const shrinkAbove = roomy ? STATE_SHRINK_TRIGGER_BYTES : size.budgetBytes;
    if (size.bytes > shrinkAbove) {
      const shrunk = shrinkToFit(state, Date.now(), roomy ? { above: shrinkAbove, gradual: true } : {});
      const dropped = shrunk.droppedFreight.length + shrunk.droppedPromotions.length + shrunk.droppedHistoryEntries;
      if (dropped || !roomy) log.warn('project state was near or over its budget and was shrunk', {
        before: shrunk.before,
        after: shrunk.after,
        budget: size.budgetBytes,
        droppedFreight: shrunk.droppedFreight.length,
        droppedPromotions: shrunk.droppedPromotions.length,
        droppedHistoryEntries: shrunk.droppedHistoryEntries,
      });
      freightRetained = Object.keys(state.freight).length;
      size = measureState(state);
    }
    if (nearBudget(size) !== warned) {
      warned = nearBudget(size);
      if (warned) log.warn('project state is past its warning size', { bytes: size.bytes, warn: size.warnBytes, budget: size.budgetBytes });
    }
    state.size = size;
  };

  for (;;) {
    // A required soak upstream of an auto-promoted stage ends at a known time: wake up then.
    const soakEnds = nextSoakDeadline(state, Date.now());
    if (soakEnds === undefined) await condition(() => dirty);
    else await condition(() => dirty, Math.max(1, soakEnds - Date.now()));
    dirty = false;
    await handlersFirst();
    if (deleting) {
      const running = Object.values(state.stages).some((s) => s.currentPromotion);
      if (!running) break;
      continue;
    }
    if (patched(BOUNDED_STATE_PATCH)) keepBounded();
    queueAutoPromotions(state);
    for (const v of pendingVerifications(state)) {
      await handlersFirst();
      await startVerification(state, v, verificationClosedWithoutReport);
    }
    const startable = startablePromotions(state);
    if (startable.length > 0 && patched(STARTS_TOGETHER_PATCH)) {
      for (let i = 0; i < startable.length; i += PROMOTION_STARTS_PER_TASK) {
        await handlersFirst();
        await Promise.all(startable.slice(i, i + PROMOTION_STARTS_PER_TASK).map((promotion) => startPromotion(state, promotion, closedWithoutReport)));
      }
    } else {
      for (const promotion of startable) {
        await handlersFirst();
        await startPromotion(state, promotion, closedWithoutReport);
      }
    }
    if (eventsOn) {
      observe();
      await startNotifications(state);
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.continueAsNewAfterEvents ?? MAX_HISTORY_EVENTS)) {
      await condition(allHandlersFinished);
      // Events of what the handlers changed meanwhile go with the state (the new run starts
      // their notifications from the outbox); the new run derives only what happens after.
      observe();
      // What the handlers changed meanwhile is measured too: the new run's input always fits.
      if (patched(BOUNDED_STATE_PATCH)) keepBounded();
      await continueAsNew<typeof projectWorkflow>({
        project: state.project,
        state,
        ...(input.continueAsNewAfterEvents ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}),
      });
    }
  }
  await discovery.drained();
  await condition(allHandlersFinished);
}

async function startPromotion(
  state: ProjectState,
  promotion: PromotionRecord,
  onClosedWithoutReport: (name: string, reason: string) => void,
): Promise<void> {
  const freight = state.freight[promotion.freight];
  let plan;
  try {
    if (!freight) throw new DomainError('NotFound', `freight ${promotion.freight} no longer exists`);
    plan = planFor(state, promotion.stage);
  } catch (err) {
    abortQueued(state, promotion.name, err instanceof Error ? err.message : String(err), 'Errored');
    return;
  }
  const stage = state.specs.stages[promotion.stage]!;
  const gate = stageApprovalGate(stage);
  const workspaces = claimWorkspaces(state, promotion);
  const child = await startChild(promotionWorkflow, {
    workflowId: promotion.workflowId,
    taskQueue: workflowInfo().taskQueue,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Promote ${freight.alias} to ${promotion.stage}`,
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.project, value: state.project },
      { key: SEARCH_ATTRIBUTES.stage, value: promotion.stage },
      { key: SEARCH_ATTRIBUTES.freight, value: freight.name },
      { key: SEARCH_ATTRIBUTES.warehouse, value: freight.origin.name },
    ],
    args: [
      {
        ...promotionContext(state, promotion, freight),
        plan,
        parentWorkflowId: workflowInfo().workflowId,
        metadata: metadataSnapshot(state),
        ...(gate.required ? { approvalGate: { approverNotRequester: gate.approverNotRequester } } : {}),
        ...(workspaces.resume ? { resume: workspaces.resume } : {}),
        ...(workspaces.stale.length ? { staleWorkspaces: workspaces.stale } : {}),
      },
    ],
  });
  // A promotion reports its end with a signal before its workflow completes; one that closes
  // without reporting was terminated (or timed out) from outside.
  void child.result().then(
    () => undefined,
    (err: unknown) => onClosedWithoutReport(promotion.name, childFailureReason(err)),
  );
  // It already reported its end (the finished handler recorded its start): not started again.
  if (promotion.startedAt !== undefined && patched(EARLY_FINISH_PATCH)) return;
  markStarted(
    state,
    promotion,
    plan.steps.map((s) => ({ alias: s.alias, uses: s.uses, status: 'Pending', errorCount: 0, continueOnError: s.continueOnError })),
    nowIso(),
  );
}

/** Starts a notification workflow for each delivery in the outbox; it reports back only a dead letter. */
async function startNotifications(state: ProjectState): Promise<void> {
  for (const delivery of takeDeliveries(state)) {
    try {
      await startChild(notificationWorkflow, {
        workflowId: notificationWorkflowId(state.project, delivery.event.id, delivery.subscription),
        taskQueue: workflowInfo().taskQueue,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Notify ${delivery.subscription} of ${delivery.event.reason} (event ${delivery.event.id})`,
        typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.project, value: state.project }],
        args: [delivery],
      });
    } catch (err) {
      // Its id is taken by a running workflow (a project deleted and made again): said, not retried.
      log.warn('notification not started', { subscription: delivery.subscription, event: delivery.event.id, error: failureCause(err) });
    }
  }
}

/**
 * Pings a workflow this run inherited (started before continue-as-new, so not our child any
 * more) every few minutes while it counts as running; a failed ping means it is gone.
 */
async function watchInherited(workflowId: string, running: () => boolean, onGone: (reason: string) => void): Promise<void> {
  while (running()) {
    await sleep('5 minutes');
    if (!running()) return;
    try {
      await getExternalWorkflowHandle(workflowId).signal(promotionPingSignal);
    } catch (err) {
      // Promotions and verifications signal their end before completing, so one still counted
      // as running here never reported.
      if (running()) onGone(err instanceof Error ? err.message : String(err));
      return;
    }
  }
}

async function startVerification(
  state: ProjectState,
  record: VerificationRecord,
  onClosedWithoutReport: (record: VerificationRecord, reason: string) => void,
): Promise<void> {
  const stage = state.specs.stages[record.stage]!;
  const verification = stage.spec.verification ?? {};
  const child = await startChild(verificationWorkflow, {
    workflowId: record.workflowId,
    taskQueue: workflowInfo().taskQueue,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `Verify ${record.stage} (${record.freight.map((f) => state.freight[f]?.alias ?? f).join(', ')})`,
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.project, value: state.project },
      { key: SEARCH_ATTRIBUTES.stage, value: record.stage },
      ...(record.freight[0] ? [{ key: SEARCH_ATTRIBUTES.freight, value: record.freight[0] }] : []),
    ],
    args: [
      {
        project: state.project,
        stage: record.stage,
        id: record.id,
        templates: stageTemplates(state, stage),
        args: verification.args ?? [],
        ...(verification.soak ? { soak: verification.soak.duration } : {}),
        parentWorkflowId: workflowInfo().workflowId,
        ...(verification.analysisRunMetadata ? { analysisRunMetadata: verification.analysisRunMetadata } : {}),
        ...verificationArgEnv(state, record),
      },
    ],
  });
  markVerificationStarted(record, nowIso());
  void child.result().then(
    () => undefined,
    (err: unknown) => onClosedWithoutReport(record, childFailureReason(err)),
  );
}

/** Why a child workflow closed without reporting: the innermost cause, not Temporal's wrappers ("Activity task failed"). */
function childFailureReason(err: unknown): string {
  if (patched('child-failure-cause')) return failureCause(err);
  return err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
}

/**
 * Queues what auto-promotion asks for (for one stage, when given), replacing older
 * auto-promotions still waiting in the queue.
 */
function queueAutoPromotions(state: ProjectState, onlyStage?: string): void {
  for (const due of dueAutoPromotions(state, Date.now())) {
    if (onlyStage !== undefined && due.stage !== onlyStage) continue;
    const freight = state.freight[due.freight]!;
    for (const name of due.replaces) abortQueued(state, name, `superseded by newer freight ${freight.alias}`);
    const record = queuePromotion(state, due.stage, freight, queueContext((name) => promotionWorkflowId(state.project, name)));
    record.auto = true;
  }
}

/** What queueing a promotion or a verification needs from the workflow: time, randomness, ids, and who asked. */
function queueContext(workflowIdFor: (name: string) => string, actor?: string) {
  return { now: nowIso(), nowMs: Date.now(), random: Math.random, workflowIdFor, ...(actor ? { actor } : {}) };
}

function abortQueued(state: ProjectState, name: string, message: string, phase: 'Aborted' | 'Errored' = 'Aborted'): void {
  const p = state.promotions.find((x) => x.name === name);
  if (!p) return;
  finishPromotion(state, { name, phase, message, steps: p.steps, state: {}, finishedAt: nowIso() }, Date.now());
}

/** A DomainError as the failure an update validator or handler throws: its code becomes the type. */
function failure(err: DomainError): ApplicationFailure {
  return ApplicationFailure.create({ type: err.code, message: err.message, details: [...err.details], nonRetryable: true });
}

function nowIso(): string {
  return new Date().toISOString();
}
