/**
 * The domain model shared by every layer: Kargo's resources (`kargo.akuity.io/v1alpha1`) as Shunt
 * holds them after parsing, and the records the project workflow keeps about them.
 *
 * Everything here is plain JSON data: it crosses the workflow boundary and is stored in history.
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
// Types inferred from their schemas in core/manifests, named here with the rest of the model.
export type {
  FreightContent,
  FreightManifest,
  AnalysisArg,
  AnalysisMetric,
  AnalysisTemplate,
  AnalysisTemplateReference,
  ClusterAnalysisTemplate,
  MetricProvider,
  PrometheusMetricProvider,
  WebMetricProvider,
  ClusterConfig,
  ProjectConfig,
  ProjectConfigSpec,
  PromotionPolicy,
  ChartSubscription,
  GitSubscription,
  ImageSubscription,
  RepoSubscription,
  Warehouse,
  WarehouseSpec,
  ClusterPromotionTask,
  Project,
  PromotionTask,
  PromotionTaskSpec,
  ArtifactReference,
  AutoPromotionSelectionPolicy,
  AvailabilityStrategy,
  Chart,
  ExpressionVariable,
  FreightOrigin,
  FreightRequest,
  FreightSources,
  GitCommit,
  Image,
  ObjectMeta,
  PromotionStepSpec,
  PromotionTaskReference,
  PromotionTemplateSpec,
  Stage,
  StageSpec,
  StepRetry,
  VerificationSpec,
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
