/**
 * The step kinds this worker runs: an explicit map, no registration side effects. A test checks
 * it against core/promotion/step-kinds.ts (STEP_KIND_DEFAULTS) and the files of this folder.
 */
import { DomainError } from '../../core/errors.js';
import { gitClone } from './git-clone.js';
import { gitCommit } from './git-commit.js';
import { gitPush } from './git-push.js';
import { kustomizeSetImage } from './kustomize-set-image.js';
import type { StepDefinition } from './step.js';
import { waitForApproval } from './wait-for-approval.js';
import { yamlUpdate } from './yaml-update.js';

// Each definition is typed by its own config; the registry only hands them to run-step, which
// validates the config with the definition's own schema before calling run.
 
type AnyStep = StepDefinition<any>;

export const STEP_REGISTRY: Readonly<Record<string, AnyStep>> = Object.freeze({
  'git-clone': gitClone,
  'git-commit': gitCommit,
  'git-push': gitPush,
  'kustomize-set-image': kustomizeSetImage,
  'yaml-update': yamlUpdate,
  'wait-for-approval': waitForApproval,
});

/** The registered kinds, sorted. */
export function registeredStepKinds(): string[] {
  return Object.keys(STEP_REGISTRY).sort();
}

/** The step for `kind`, or undefined. */
export function findStep(kind: string): AnyStep | undefined {
  return Object.prototype.hasOwnProperty.call(STEP_REGISTRY, kind) ? STEP_REGISTRY[kind] : undefined;
}

/** @throws DomainError('InvalidStepConfig') for a kind that is not registered. */
export function getStep(kind: string): AnyStep {
  const step = findStep(kind);
  if (!step) throw new DomainError('InvalidStepConfig', `step kind ${JSON.stringify(kind)} is not registered`);
  return step;
}
