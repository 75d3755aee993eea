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
  'argocd-update': { timeout: '5m', errorThreshold: 1 },
  'argocd-wait': { timeout: '5m', errorThreshold: 1 },
  'copy': { errorThreshold: 1 },
  'delete': { errorThreshold: 1 },
  'file-write': { errorThreshold: 1 },
  'git-clear': { errorThreshold: 1 },
  'git-tag': { errorThreshold: 1 },
  'json-parse': { errorThreshold: 1 },
  'json-update': { errorThreshold: 1 },
  'tar': { errorThreshold: 1 },
  'toml-parse': { errorThreshold: 1 },
  'toml-update': { errorThreshold: 1 },
  'untar': { errorThreshold: 1 },
  'yaml-merge': { errorThreshold: 1 },
  'yaml-parse': { errorThreshold: 1 },
  'http': { errorThreshold: 1 },
  'http-download': { errorThreshold: 1 },
  'compose-output': { errorThreshold: 1 },
  'fail': { errorThreshold: 1 },
  'send-message': { errorThreshold: 1 },
  'set-metadata': { errorThreshold: 1 },
  'set-freight-alias': { errorThreshold: 1 },
  'kustomize-build': { errorThreshold: 1 },
  'helm-template': { errorThreshold: 1 },
  'helm-update-chart': { errorThreshold: 1 },
  'git-open-pr': { errorThreshold: 1 },
  'git-wait-for-pr': { errorThreshold: 1 },
  'git-merge-pr': { errorThreshold: 1 },
  'git-clone': { errorThreshold: 1 },
  'git-commit': { errorThreshold: 1 },
  'git-push': { errorThreshold: 1 },
  'github-push': { errorThreshold: 1 },
  'kustomize-set-image': { errorThreshold: 1 },
  'oci-download': { errorThreshold: 1 },
  'oci-push': { errorThreshold: 1 },
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
