/**
 * The structural rules Kargo's webhooks enforce on promotion steps, in a Stage's
 * `promotionTemplate` and in a (Cluster)PromotionTask: plain functions over already-typed
 * data, so that core/pipeline (and the project workflow) apply them to specs that did not come
 * through the parser, without the schemas (steps.ts).
 */
import { URL_PASSWORD_MESSAGE, urlHasPassword } from '../freight/url-userinfo.js';
import { type LocalIssue, under } from './issues.js';

/** What a user-chosen step alias must look like. */
export const STEP_ALIAS = /^[a-zA-Z][\w-]*$/;
/** Aliases Kargo keeps for unnamed steps (`step-<n>`, `task-<n>`). */
export const RESERVED_STEP_ALIAS = /^(step|task)-\d+$/;

/** The fields of a promotion step the rules read (steps.ts PromotionStepSpec is the whole step). */
export interface StepFields {
  uses?: string | undefined;
  task?: object | undefined;
  as?: string | undefined;
  if?: string | undefined;
  continueOnError?: boolean | undefined;
  retry?: object | undefined;
  config?: Record<string, unknown> | undefined;
}

const TASK_STEP_FORBIDDEN = ['if', 'config', 'continueOnError', 'retry'] as const;

/** The alias a step gets when it has none: `step-<n>` / `task-<n>`, n 1-based. */
export function defaultStepAlias(step: StepFields, index: number): string {
  return `${step.task !== undefined ? 'task' : 'step'}-${index + 1}`;
}

/**
 * Every `repoURL` in a step's config (at any depth: git-clone, argocd-update sources, …) that
 * carries a password or token: it would be shown to every viewer of the spec.
 */
function configURLIssues(steps: readonly StepFields[]): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const walk = (value: unknown, at: (string | number)[]): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
    else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        if (typeof v === 'string' && k.toLowerCase() === 'repourl' && urlHasPassword(v)) {
          issues.push({ path: [...at, k], message: URL_PASSWORD_MESSAGE });
        } else walk(v, [...at, k]);
      }
    }
  };
  steps.forEach((step, i) => walk(step.config, [i, 'config']));
  return issues;
}

function aliasIssues(steps: readonly StepFields[]): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const seen = new Map<string, number>();
  steps.forEach((step, i) => {
    const alias = step.as?.trim();
    if (alias === undefined || alias === '') return;
    if (RESERVED_STEP_ALIAS.test(alias)) {
      issues.push({
        path: [i, 'as'],
        message: `step alias ${JSON.stringify(alias)} is reserved (Kargo names unnamed steps step-<n> and task-<n>)`,
      });
    }
    const first = seen.get(alias);
    if (first !== undefined) {
      issues.push({ path: [i, 'as'], message: `step alias ${JSON.stringify(alias)} duplicates that of steps[${first}]` });
    } else {
      seen.set(alias, i);
    }
  });
  return issues;
}

/**
 * Rules for a Stage's promotion template steps: exactly one of `uses`/`task`; a task step
 * carries only `task`, `as` and `vars`; aliases unique and not reserved. Paths are
 * relative to the `steps` list.
 */
export function templateStepIssues(steps: readonly StepFields[]): LocalIssue[] {
  const issues: LocalIssue[] = [];
  steps.forEach((step, i) => {
    const hasUses = step.uses !== undefined;
    const hasTask = step.task !== undefined;
    if (hasUses && hasTask) {
      issues.push({ path: [i], message: 'expected exactly one of uses or task, got both' });
    } else if (!hasUses && !hasTask) {
      issues.push({ path: [i], message: 'expected exactly one of uses or task' });
    } else if (hasTask) {
      const extra = TASK_STEP_FORBIDDEN.filter((k) => step[k] !== undefined);
      if (extra.length > 0) {
        issues.push({
          path: [i],
          message: `a task step may carry only task, as and vars; remove ${extra.join(', ')}`,
        });
      }
    }
  });
  return [...issues, ...aliasIssues(steps), ...configURLIssues(steps)];
}

/**
 * Rules for a (Cluster)PromotionTask's steps: each uses `uses` (tasks cannot reference
 * tasks); aliases unique and not reserved. Paths are relative to the `steps` list.
 */
export function taskStepIssues(steps: readonly StepFields[]): LocalIssue[] {
  const issues: LocalIssue[] = [];
  steps.forEach((step, i) => {
    if (step.task !== undefined) {
      issues.push({ path: [i, 'task'], message: 'a task cannot reference another task; use uses' });
    } else if (step.uses === undefined) {
      issues.push({ path: [i, 'uses'], message: 'required' });
    }
  });
  return [...issues, ...aliasIssues(steps), ...configURLIssues(steps)];
}

/** Rules inside a (Cluster)PromotionTask spec; paths relative to `spec`. */
export function taskSpecIssues(spec: { steps: readonly StepFields[] }): LocalIssue[] {
  return under(['steps'], taskStepIssues(spec.steps));
}
