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
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { DomainError } from '../core/errors.js';
import { applyIssues, applyResources, deleteIssue, deleteResource, emptyProjectState } from '../core/project/apply.js';
import { applyPromotionEffects, metadataSnapshot } from '../core/project/effects.js';
import {
  finishPromotion,
  findFreight,
  markStarted,
  nextCollection,
  planFor,
  promotionIssue,
  queuePromotion,
  startablePromotions,
  toReference,
} from '../core/project/promotions.js';
import type { ProjectState, PromotionRecord } from '../core/project/state.js';
import {
  applySpecsUpdate,
  deleteResourceUpdate,
  projectStateQuery,
  promoteUpdate,
  promotionFinishedSignal,
  promotionWorkflowId,
  SEARCH_ATTRIBUTES,
  type ProjectWorkflowInput,
} from './definitions.js';
import { registerWarehouseDiscovery } from './project-discovery.js';
import { promotionWorkflow } from './promotion.js';

/** Continue as new well before Temporal's history limits. */
const MAX_HISTORY_EVENTS = 5000;

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<void> {
  const state: ProjectState = input.state ?? emptyProjectState(input.project, nowIso());
  let dirty = true;
  let deleting = false;

  const refuseWhileDeleting = (): void => {
    if (deleting) throw ApplicationFailure.create({ type: 'FailedPrecondition', message: `project "${state.project}" is being deleted` });
  };

  setHandler(projectStateQuery, () => state);
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
        const issues = applyIssues(state, request);
        if (issues.length) throw failure(new DomainError('InvalidManifest', issues.join('\n'), issues));
      },
    },
  );

  setHandler(
    promoteUpdate,
    (request) => {
      const freight = findFreight(state, request.freight)!;
      const record = queuePromotion(state, request.stage, freight, {
        now: nowIso(),
        nowMs: Date.now(),
        random: Math.random,
        workflowIdFor: (name) => promotionWorkflowId(state.project, name),
        ...(request.actor ? { actor: request.actor } : {}),
      });
      dirty = true;
      return record;
    },
    {
      validator: (request) => {
        refuseWhileDeleting();
        const issue = promotionIssue(state, request.stage, request.freight, Date.now());
        if (issue) throw failure(issue);
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

  setHandler(promotionFinishedSignal, (done) => {
    finishPromotion(state, done, Date.now());
    applyPromotionEffects(state, done);
    dirty = true;
  });

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    if (deleting) {
      const running = Object.values(state.stages).some((s) => s.currentPromotion);
      if (!running) break;
      continue;
    }
    for (const promotion of startablePromotions(state)) await startPromotion(state, promotion);
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.continueAsNewAfterEvents ?? MAX_HISTORY_EVENTS)) {
      await condition(allHandlersFinished);
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

async function startPromotion(state: ProjectState, promotion: PromotionRecord): Promise<void> {
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
  await startChild(promotionWorkflow, {
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
        project: state.project,
        stage: promotion.stage,
        promotion: promotion.name,
        ...(promotion.actor ? { actor: promotion.actor } : {}),
        plan,
        freight: nextCollection(state, promotion.stage, freight),
        targetFreight: toReference(freight),
        requestedOrigins: stage.spec.requestedFreight.map((r) => r.origin.name),
        parentWorkflowId: workflowInfo().workflowId,
        metadata: metadataSnapshot(state),
      },
    ],
  });
  markStarted(
    state,
    promotion,
    plan.steps.map((s) => ({ alias: s.alias, uses: s.uses, status: 'Pending', errorCount: 0, continueOnError: s.continueOnError })),
    nowIso(),
  );
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
