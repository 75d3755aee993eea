/**
 * The promotion steps this build of Shunt runs, with Kargo's registration defaults. Pure so that
 * apply-time validation (core/pipeline) can refuse unknown `uses` and the promotion workflow can
 * apply error thresholds and timeouts without importing activities; a test checks this table
 * against activities/steps/registry.ts.
 */
export interface StepKindDefaults {
  /** Go duration; absent = no timeout (Kargo's 0). */
  timeout?: string;
  /** Consecutive errors allowed before the step fails; Kargo's system default is 1. */
  errorThreshold: number;
}

export const STEP_KIND_DEFAULTS = {
  'git-clone': { errorThreshold: 1 },
  'git-commit': { errorThreshold: 1 },
  'git-push': { errorThreshold: 1 },
  'kustomize-set-image': { errorThreshold: 1 },
  'yaml-update': { errorThreshold: 1 },
  'wait-for-approval': { errorThreshold: 1 },
} as const satisfies Record<string, StepKindDefaults>;

export type StepKind = keyof typeof STEP_KIND_DEFAULTS;

export const STEP_KINDS = Object.keys(STEP_KIND_DEFAULTS) as readonly StepKind[];

export function isKnownStepKind(kind: string): kind is StepKind {
  return Object.prototype.hasOwnProperty.call(STEP_KIND_DEFAULTS, kind);
}

export function stepDefaults(kind: string): StepKindDefaults {
  return isKnownStepKind(kind) ? STEP_KIND_DEFAULTS[kind] : { errorThreshold: 1 };
}
