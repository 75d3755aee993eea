import type { ArtifactReference, Chart, FreightOrigin, GitCommit, Image } from '../manifests/artifacts.js';
import type { ExpressionVariable } from '../manifests/common.js';

/** Kargo's step statuses, plus `Pending` for a step that has not started. */
export type StepStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Errored' | 'Aborted' | 'Skipped';

/** Kargo's promotion phases. */
export type PromotionPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Errored' | 'Aborted';

export const TERMINAL_PHASES: readonly PromotionPhase[] = ['Succeeded', 'Failed', 'Errored', 'Aborted'];

/** A step that fails its promotion: Failed or Errored, and not continueOnError (Kargo's failure()). */
export function failsPromotion(step: { status: string; continueOnError?: boolean | undefined }): boolean {
  return !step.continueOnError && (step.status === 'Failed' || step.status === 'Errored');
}

/**
 * A step of a promotion after task inflation: what the promotion workflow runs, in order.
 * Expressions inside are still unrendered: they are evaluated in the step activity.
 */
export interface PlannedStep {
  /** `as`, or `step-<n>`; inside a task `<taskAlias>::<innerAlias>`. */
  alias: string;
  uses: string;
  /** Set for steps inflated from a PromotionTask: the task reference's alias. */
  taskAlias?: string;
  if?: string;
  continueOnError: boolean;
  retry: { errorThreshold?: number; timeout?: string };
  /** Step-scoped vars, already merged by Kargo's precedence, evaluated in order. */
  vars: ExpressionVariable[];
  config: Record<string, unknown>;
}

export interface PromotionPlan {
  /** Stage `spec.vars` followed by the template's `vars`. */
  vars: ExpressionVariable[];
  steps: PlannedStep[];
}

/** A Freight as the promotion sees it: content plus its id and alias. */
export interface FreightReference {
  name: string;
  alias: string;
  origin: FreightOrigin;
  commits: GitCommit[];
  images: Image[];
  charts: Chart[];
  /** Generic artifacts (Kargo's `artifacts`); absent when there are none. */
  artifacts?: ArtifactReference[];
}

/** The freight a stage holds after a promotion: one slot per origin, keyed `Warehouse/<name>`. */
export interface FreightCollection {
  id: string;
  items: Record<string, FreightReference>;
}
