/**
 * Kargo's resource kinds (`kargo.akuity.io/v1alpha1`) as zod schemas, and the YAML entry
 * point {@link parseManifests}. Schemas share their type's name (`Stage` is both).
 */
export {
  ApiVersion,
  Duration,
  ExpressionVariable,
  formatPath,
  LabelName,
  plainErrors,
  ResourceName,
  RFC1123_LABEL,
  RFC1123_SUBDOMAIN,
  ShuntDuration,
  toPathIssues,
  type PathIssue,
} from './common.js';
export { AnalysisTemplate, analysisTemplateIssues } from './analysis-template.js';
export { Chart, FreightManifest, GitCommit, Image } from './freight.js';
export { credentialSecretIssues, isPemPrivateKey, serviceAccountKeyProblem, type SecretIssue } from './credential-secret.js';
export { formatIssue, MANIFEST_KINDS, parseManifests, type ManifestIssue, type ParsedManifests } from './parse.js';
export { ProjectConfig, ProjectConfigSpec, PromotionPolicy, projectConfigIssues } from './project-config.js';
export { Project } from './project.js';
export { ClusterPromotionTask, PromotionTask, PromotionTaskSpec, taskSpecIssues } from './promotion-task.js';
export {
  FreightOrigin,
  FreightRequest,
  FreightSources,
  PromotionTemplateSpec,
  Stage,
  StageSpec,
  stageSpecIssues,
  VerificationSpec,
} from './stage.js';
export {
  defaultStepAlias,
  PromotionStepSpec,
  PromotionTaskReference,
  RESERVED_STEP_ALIAS,
  STEP_ALIAS,
  StepRetry,
  templateStepIssues,
  taskStepIssues,
  type LocalIssue,
} from './steps.js';
export {
  ChartSubscription,
  GitSubscription,
  ImageSubscription,
  RepoSubscription,
  Warehouse,
  WarehouseSpec,
  warehouseSpecIssues,
} from './warehouse.js';
