/**
 * Kargo's resource kinds (`kargo.akuity.io/v1alpha1`) as zod schemas, and the YAML entry
 * point {@link parseManifests}. Schemas share their type's name (`Stage` is both).
 */
export {
  ApiVersion,
  Duration,
  ExpressionVariable,
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
export { formatPath, under, type LocalIssue } from './issues.js';
export { stageSpecIssues } from './stage-rules.js';
export { defaultStepAlias, RESERVED_STEP_ALIAS, STEP_ALIAS, taskSpecIssues, taskStepIssues, templateStepIssues } from './step-rules.js';
export { warehouseSpecIssues } from './warehouse-rules.js';
export { Chart, FreightManifest, GitCommit, Image } from './freight.js';
export { credentialSecretIssues, isPemPrivateKey, serviceAccountKeyProblem, type SecretIssue } from './credential-secret.js';
export { formatIssue, MANIFEST_KINDS, parseManifests, type ManifestIssue, type ParsedManifests } from './parse.js';
export { ProjectConfig, ProjectConfigSpec, PromotionPolicy, projectConfigIssues } from './project-config.js';
export { Project } from './project.js';
export { ClusterPromotionTask, PromotionTask, PromotionTaskSpec } from './promotion-task.js';
export {
  FreightOrigin,
  FreightRequest,
  FreightSources,
  PromotionTemplateSpec,
  Stage,
  StageSpec,
  VerificationSpec,
} from './stage.js';
export {
  PromotionStepSpec,
  PromotionTaskReference,
  StepRetry,
} from './steps.js';
export {
  ChartSubscription,
  GitSubscription,
  ImageSubscription,
  RepoSubscription,
  Warehouse,
  WarehouseSpec,
} from './warehouse.js';
