/**
 * The step kinds this worker runs: an explicit map, no registration side effects. A test checks
 * it against core/promotion/step-kinds.ts (STEP_KIND_DEFAULTS) and the files of this folder.
 */
import { DomainError } from '../../core/errors.js';
import { argocdUpdate } from './argocd-update.js';
import { argocdWait } from './argocd-wait.js';
import { copy } from './copy.js';
import { deleteStep } from './delete.js';
import { fileWrite } from './file-write.js';
import { gitClear } from './git-clear.js';
import { gitTag } from './git-tag.js';
import { jsonParse } from './json-parse.js';
import { jsonUpdate } from './json-update.js';
import { tar } from './tar.js';
import { tomlParse } from './toml-parse.js';
import { tomlUpdate } from './toml-update.js';
import { untar } from './untar.js';
import { yamlMerge } from './yaml-merge.js';
import { yamlParse } from './yaml-parse.js';
import { httpStep } from './http.js';
import { httpDownload } from './http-download.js';
import { composeOutput } from './compose-output.js';
import { fail } from './fail.js';
import { sendMessage } from './send-message.js';
import { setMetadata } from './set-metadata.js';
import { setFreightAlias } from './set-freight-alias.js';
import { kustomizeBuild } from './kustomize-build.js';
import { helmTemplate } from './helm-template.js';
import { helmUpdateChart } from './helm-update-chart.js';
import { gitOpenPr } from './git-open-pr.js';
import { gitWaitForPr } from './git-wait-for-pr.js';
import { gitMergePr } from './git-merge-pr.js';
import { gitClone } from './git-clone.js';
import { gitCommit } from './git-commit.js';
import { gitPush } from './git-push.js';
import { githubPush } from './github-push.js';
import { kustomizeSetImage } from './kustomize-set-image.js';
import { ociDownload } from './oci-download.js';
import { ociPush } from './oci-push.js';
import type { StepDefinition } from './step.js';
import { waitForApproval } from './wait-for-approval.js';
import { yamlUpdate } from './yaml-update.js';

// Each definition is typed by its own config; the registry only hands them to run-step, which
// validates the config with the definition's own schema before calling run.
 
type AnyStep = StepDefinition<any>;

export const STEP_REGISTRY: Readonly<Record<string, AnyStep>> = Object.freeze({
  'argocd-update': argocdUpdate,
  'argocd-wait': argocdWait,
  'copy': copy,
  'delete': deleteStep,
  'file-write': fileWrite,
  'git-clear': gitClear,
  'git-tag': gitTag,
  'json-parse': jsonParse,
  'json-update': jsonUpdate,
  'tar': tar,
  'toml-parse': tomlParse,
  'toml-update': tomlUpdate,
  'untar': untar,
  'yaml-merge': yamlMerge,
  'yaml-parse': yamlParse,
  'http': httpStep,
  'http-download': httpDownload,
  'compose-output': composeOutput,
  'fail': fail,
  'send-message': sendMessage,
  'set-metadata': setMetadata,
  'set-freight-alias': setFreightAlias,
  'kustomize-build': kustomizeBuild,
  'helm-template': helmTemplate,
  'helm-update-chart': helmUpdateChart,
  'git-open-pr': gitOpenPr,
  'git-wait-for-pr': gitWaitForPr,
  'git-merge-pr': gitMergePr,
  'git-clone': gitClone,
  'git-commit': gitCommit,
  'git-push': gitPush,
  'github-push': githubPush,
  'kustomize-set-image': kustomizeSetImage,
  'oci-download': ociDownload,
  'oci-push': ociPush,
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
