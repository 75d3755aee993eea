/**
 * The domain model shared by every layer: Kargo's resources (`kargo.akuity.io/v1alpha1`) as Shunt
 * holds them after parsing, and the records the project workflow keeps about them.
 *
 * Everything here is plain JSON data: it crosses the workflow boundary and is stored in history.
 */

import type { ArtifactReference, Chart, FreightOrigin, GitCommit, Image } from './manifests/artifacts.js';
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
import type { ChartSubscription, GitSubscription, ImageSubscription, RepoSubscription, Warehouse, WarehouseSpec } from './manifests/warehouse.js';
import type { ARGO_ROLLOUTS_API_VERSION } from './api-versions.js';

export { ARGO_ROLLOUTS_API_VERSION, KARGO_API_VERSION } from './api-versions.js';
// Types inferred from their schemas in core/manifests, named here with the rest of the model.
export type {
  AnalysisTemplateReference,
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

interface ResourceBase<K extends string> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
}

// ---- artifacts and Freight --------------------------------------------------------------

/** What a Freight carries; its id is derived from exactly this (see core/freight/freight-id.ts). */
export interface FreightContent {
  origin: FreightOrigin;
  commits: GitCommit[];
  images: Image[];
  charts: Chart[];
  /** Generic artifacts; absent when there are none (as in every freight from discovery). */
  artifacts?: ArtifactReference[];
}

/** A `kind: Freight` document as applied (before the id is computed). */
export interface FreightManifest extends ResourceBase<'Freight'> {
  alias?: string;
  origin: FreightOrigin;
  commits?: GitCommit[];
  images?: Image[];
  charts?: Chart[];
  artifacts?: ArtifactReference[];
}

// ---- Argo Rollouts AnalysisTemplate (argoproj.io/v1alpha1), what stage verification runs ----

export interface AnalysisArg {
  name: string;
  value?: string;
}

export interface WebMetricProvider {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: { key: string; value: string }[];
  body?: string;
  /** Kubernetes JSONPath, e.g. `{$.data.ok}`; default the whole body. */
  jsonPath?: string;
  timeoutSeconds?: number;
  insecure?: boolean;
}

export interface PrometheusMetricProvider {
  address: string;
  query: string;
  /** Go duration for the query (Argo's `timeout`, seconds as a number). */
  timeout?: number;
}

export interface MetricProvider {
  web?: WebMetricProvider;
  prometheus?: PrometheusMetricProvider;
  /** Providers Shunt can run only through a cluster's Argo Rollouts (job, kayenta, datadog, …). */
  [other: string]: unknown;
}

export interface AnalysisMetric {
  name: string;
  provider: MetricProvider;
  successCondition?: string;
  failureCondition?: string;
  /** Measurements to take; default 1 without an interval, unbounded with one. */
  count?: number;
  /** Go duration between measurements. */
  interval?: string;
  initialDelay?: string;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
}

export interface AnalysisTemplate {
  apiVersion: typeof ARGO_ROLLOUTS_API_VERSION;
  kind: 'AnalysisTemplate';
  metadata: ObjectMeta;
  spec: { args?: AnalysisArg[]; metrics: AnalysisMetric[] };
}

/** Argo Rollouts' cluster-scoped AnalysisTemplate: the same spec, no namespace, usable by every project. */
export interface ClusterAnalysisTemplate {
  apiVersion: typeof ARGO_ROLLOUTS_API_VERSION;
  kind: 'ClusterAnalysisTemplate';
  metadata: ObjectMeta;
  spec: AnalysisTemplate['spec'];
}

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
