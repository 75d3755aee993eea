/**
 * The domain model shared by every layer: Kargo's resources (`kargo.akuity.io/v1alpha1`) as Shunt
 * holds them after parsing, and the records the project workflow keeps about them.
 *
 * Everything here is plain JSON data: it crosses the workflow boundary and is stored in history.
 * Each type is inferred from its zod schema in core/manifests (one definition per shape; the few
 * written by hand there say why); this module names them in one place.
 */
import type { ArtifactReference, Chart, FreightContent, FreightOrigin, GitCommit, Image } from './manifests/artifacts.js';
import type { FreightManifest } from './manifests/freight.js';
import type { ExpressionVariable, ObjectMeta } from './manifests/common.js';
import type { PromotionStepSpec, PromotionTaskReference, StepRetry } from './manifests/steps.js';
import type {
  AnalysisTemplateReference,
  AutoPromotionSelectionPolicy,
  AvailabilityStrategy,
  FreightRequest,
  FreightSources,
  PromotionTemplateSpec,
  Stage,
  StageSpec,
  VerificationSpec,
} from './manifests/stage.js';
import type { ClusterPromotionTask, PromotionTask, PromotionTaskSpec } from './manifests/promotion-task.js';
import type { Project } from './manifests/project.js';
import type { PromotionPolicy, ProjectConfig, ProjectConfigSpec } from './manifests/project-config.js';
import type { ClusterConfig } from './manifests/cluster-config.js';
import type {
  AnalysisArg,
  AnalysisMetric,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  MetricProvider,
  PrometheusMetricProvider,
  WebMetricProvider,
} from './manifests/analysis-template.js';
import type { ChartSubscription, GitSubscription, ImageSubscription, RepoSubscription, Warehouse, WarehouseSpec } from './manifests/warehouse.js';

export { ARGO_ROLLOUTS_API_VERSION, KARGO_API_VERSION } from './api-versions.js';
export type {
  AnalysisArg,
  AnalysisMetric,
  AnalysisTemplate,
  AnalysisTemplateReference,
  ArtifactReference,
  AutoPromotionSelectionPolicy,
  AvailabilityStrategy,
  Chart,
  ChartSubscription,
  ClusterAnalysisTemplate,
  ClusterConfig,
  ClusterPromotionTask,
  ExpressionVariable,
  FreightContent,
  FreightManifest,
  FreightOrigin,
  FreightRequest,
  FreightSources,
  GitCommit,
  GitSubscription,
  Image,
  ImageSubscription,
  MetricProvider,
  ObjectMeta,
  Project,
  ProjectConfig,
  ProjectConfigSpec,
  PrometheusMetricProvider,
  PromotionPolicy,
  PromotionStepSpec,
  PromotionTask,
  PromotionTaskReference,
  PromotionTaskSpec,
  PromotionTemplateSpec,
  RepoSubscription,
  Stage,
  StageSpec,
  StepRetry,
  VerificationSpec,
  Warehouse,
  WarehouseSpec,
  WebMetricProvider,
};

export type Manifest =
  | AnalysisTemplate
  | ClusterAnalysisTemplate
  | Project
  | ProjectConfig
  | Warehouse
  | Stage
  | PromotionTask
  | ClusterPromotionTask
  | ClusterConfig
  | FreightManifest;

export type ManifestKind = Manifest['kind'];

/** Resources that belong to a project (namespaced in Kargo). */
export type ProjectScopedManifest = ProjectConfig | Warehouse | Stage | PromotionTask | FreightManifest | AnalysisTemplate;
