/**
 * The step plan of a promotion: a Stage's promotion template with every task reference
 * expanded into the task's steps, as Kargo's `InflateSteps` (`pkg/api/promotion.go`) does
 * when a Promotion is created.
 *
 * - An unnamed step gets alias `step-<n>`, an unnamed task reference `task-<n>` (n is the
 *   1-based position in the template).
 * - A task's steps get alias `<taskAlias>::<innerAlias>` (inner default `step-<m>`) and carry
 *   `taskAlias`.
 * - A task step's vars are: the task's defaults for names that promotion-level vars (stage +
 *   template) do not already give a non-empty value, then the task reference's vars, then the
 *   step's own vars. Later entries win when evaluated in order.
 * - A task var without a value is required: the promotion vars or the task reference's vars
 *   must give it a non-empty value.
 *
 * Expressions stay unrendered; they are evaluated in the step activity.
 */
import { DomainError } from '../errors.js';
import type {
  ClusterPromotionTask,
  ExpressionVariable,
  PromotionStepSpec,
  PromotionTask,
  PromotionTaskSpec,
  Stage,
} from '../model.js';
import type { PlannedStep, PromotionPlan } from './types.js';

/** Separates a task reference's alias from the alias of one of its steps. */
export const TASK_ALIAS_SEPARATOR = '::';

export interface PlanTasks {
  promotionTasks: PromotionTask[];
  clusterTasks: ClusterPromotionTask[];
}

function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function copyVars(vars: readonly ExpressionVariable[] | undefined): ExpressionVariable[] {
  return (vars ?? []).map((v) => (v.value === undefined ? { name: v.name } : { name: v.name, value: v.value }));
}

function planned(step: PromotionStepSpec, uses: string, alias: string, vars: ExpressionVariable[], taskAlias?: string): PlannedStep {
  const out: PlannedStep = {
    alias,
    uses,
    continueOnError: step.continueOnError ?? false,
    retry: cloneJson(step.retry ?? {}),
    vars,
    config: cloneJson(step.config ?? {}),
  };
  if (taskAlias !== undefined) out.taskAlias = taskAlias;
  if (step.if !== undefined) out.if = step.if;
  return out;
}

function findTask(stage: Stage, step: PromotionStepSpec, tasks: PlanTasks): PromotionTaskSpec | undefined {
  const ref = step.task;
  if (ref === undefined) return undefined;
  if (ref.kind === 'ClusterPromotionTask') {
    return tasks.clusterTasks.find((t) => t.metadata.name === ref.name)?.spec;
  }
  const ns = stage.metadata.namespace;
  return tasks.promotionTasks.find(
    (t) =>
      t.metadata.name === ref.name &&
      (ns === undefined || t.metadata.namespace === undefined || t.metadata.namespace === ns),
  )?.spec;
}

/**
 * Kargo's `promotionTaskVarsToStepVars`: task defaults not already set (non-empty) at the
 * promotion level, then the task reference's vars. Throws when a required var is missing.
 */
function taskVars(
  stageName: string,
  taskLabel: string,
  task: PromotionTaskSpec,
  promotionVars: readonly ExpressionVariable[],
  refVars: readonly ExpressionVariable[],
): ExpressionVariable[] {
  const setByPromotion = new Set(promotionVars.filter((v) => (v.value ?? '') !== '').map((v) => v.name));
  const setByRef = new Set(refVars.filter((v) => (v.value ?? '') !== '').map((v) => v.name));
  const vars: ExpressionVariable[] = [];
  for (const v of task.vars ?? []) {
    if (setByPromotion.has(v.name)) continue;
    if ((v.value ?? '') !== '') {
      vars.push({ name: v.name, value: v.value ?? '' });
      continue;
    }
    if (!setByRef.has(v.name)) {
      throw new DomainError(
        'FailedPrecondition',
        `Stage ${JSON.stringify(stageName)}: ${taskLabel} requires var ${JSON.stringify(v.name)}, which neither the stage, its promotion template nor the task reference sets`,
      );
    }
  }
  return [...vars, ...copyVars(refVars)];
}

/**
 * Builds the plan of a promotion into `stage`.
 * @throws DomainError('FailedPrecondition') when the stage has no steps (a control-flow
 *   stage never runs promotions), a referenced task does not exist, or a required task var
 *   is not supplied.
 */
export function planPromotion(stage: Stage, tasks: PlanTasks): PromotionPlan {
  const stageName = stage.metadata.name;
  const template = stage.spec.promotionTemplate?.spec;
  if (template === undefined || template.steps.length === 0) {
    throw new DomainError(
      'FailedPrecondition',
      `Stage ${JSON.stringify(stageName)} has no promotion steps: it is a control-flow stage and runs no promotions`,
    );
  }
  const promotionVars = [...copyVars(stage.spec.vars), ...copyVars(template.vars)];
  const steps: PlannedStep[] = [];
  template.steps.forEach((step, i) => {
    const n = i + 1;
    if (step.task !== undefined) {
      const taskAlias = step.as ?? `task-${n}`;
      const kind = step.task.kind ?? 'PromotionTask';
      const taskLabel = `${kind} ${JSON.stringify(step.task.name)} (step ${n}, ${taskAlias})`;
      const task = findTask(stage, step, tasks);
      if (task === undefined) {
        throw new DomainError(
          'FailedPrecondition',
          `Stage ${JSON.stringify(stageName)}: step ${n} (${taskAlias}) references ${kind} ${JSON.stringify(step.task.name)}, which does not exist`,
        );
      }
      const shared = taskVars(stageName, taskLabel, task, promotionVars, step.vars ?? []);
      task.steps.forEach((inner, j) => {
        if (inner.uses === undefined) {
          throw new DomainError(
            'FailedPrecondition',
            `Stage ${JSON.stringify(stageName)}: ${taskLabel} step ${j + 1} has no uses (tasks cannot reference tasks)`,
          );
        }
        const innerAlias = inner.as ?? `step-${j + 1}`;
        const vars = [...copyVars(shared), ...copyVars(inner.vars)];
        steps.push(planned(inner, inner.uses, `${taskAlias}${TASK_ALIAS_SEPARATOR}${innerAlias}`, vars, taskAlias));
      });
      return;
    }
    if (step.uses === undefined) {
      throw new DomainError('FailedPrecondition', `Stage ${JSON.stringify(stageName)}: step ${n} has neither uses nor task`);
    }
    steps.push(planned(step, step.uses, step.as ?? `step-${n}`, copyVars(step.vars)));
  });
  return { vars: promotionVars, steps };
}
