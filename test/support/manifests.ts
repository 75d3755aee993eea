/**
 * Builders for Kargo's manifests, shared by every suite: each gives a minimal valid object with
 * the defaults below and takes overrides for what a test cares about. `yamlOf` turns them into
 * the multi-document YAML that `shunt apply`, the api and the backend take.
 */
import { stringify } from 'yaml';
import type {
  ClusterPromotionTask,
  ExpressionVariable,
  FreightManifest,
  FreightRequest,
  FreightSources,
  Image,
  ObjectMeta,
  Project,
  ProjectConfig,
  ProjectConfigSpec,
  PromotionStepSpec,
  PromotionTask,
  RepoSubscription,
  Stage,
  StageSpec,
  VerificationSpec,
  Warehouse,
  WarehouseSpec,
} from '../../core/model.js';
import { KARGO_API_VERSION } from '../../core/model.js';

export const PROJECT = 'demo';
export const WAREHOUSE = 'app';
export const APP_IMAGE = 'ghcr.io/example/app';
export const GITOPS_REPO = 'https://example.com/gitops.git';

/** One step, enough for a Stage or a PromotionTask to be valid. */
export const ONE_STEP: PromotionStepSpec[] = [{ uses: 'git-clone', config: { repoURL: GITOPS_REPO } }];

/** A yaml-update step that sets `a: b` in values.yaml (aliased `as` when given): a step that changes something. */
export function aYamlUpdate(as?: string): PromotionStepSpec {
  return { uses: 'yaml-update', ...(as ? { as } : {}), config: { path: 'values.yaml', updates: [{ key: 'a', value: 'b' }] } };
}

export function aProject(name = PROJECT, labels?: Record<string, string>): Project {
  return { apiVersion: KARGO_API_VERSION, kind: 'Project', metadata: { name, ...(labels ? { labels } : {}) } };
}

export interface WarehouseOptions {
  project?: string;
  /** Default: one subscription to `image` (default APP_IMAGE). */
  subscriptions?: RepoSubscription[];
  image?: string;
  /** The rest of the spec (interval, freightCreationCriteria, ...). */
  spec?: Partial<WarehouseSpec>;
}

export function aWarehouse(name = WAREHOUSE, opts: WarehouseOptions = {}): Warehouse {
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Warehouse',
    metadata: { name, namespace: opts.project ?? PROJECT },
    spec: { subscriptions: opts.subscriptions ?? [{ image: { repoURL: opts.image ?? APP_IMAGE } }], ...opts.spec },
  };
}

/** A request for a warehouse's freight (default WAREHOUSE) from `sources`. */
export function request(warehouse: string, sources: FreightSources): FreightRequest {
  return { origin: { kind: 'Warehouse', name: warehouse }, sources };
}

export interface StageOptions {
  project?: string;
  /** Where its freight comes from (default: straight from WAREHOUSE); ignored when `requests` is given. */
  sources?: FreightSources;
  requests?: FreightRequest[];
  /** Default ONE_STEP; `null` for a stage without a promotion template (control flow). */
  steps?: PromotionStepSpec[] | null;
  /** The promotion template's vars. */
  templateVars?: ExpressionVariable[];
  verification?: VerificationSpec;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The rest of the spec (vars, shard, ...). */
  spec?: Partial<StageSpec>;
}

export function aStage(name: string, opts: StageOptions = {}): Stage {
  const steps = opts.steps === undefined ? ONE_STEP : opts.steps;
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Stage',
    metadata: {
      name,
      namespace: opts.project ?? PROJECT,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      requestedFreight: opts.requests ?? [request(WAREHOUSE, opts.sources ?? { direct: true })],
      ...(steps === null ? {} : { promotionTemplate: { spec: { steps, ...(opts.templateVars ? { vars: opts.templateVars } : {}) } } }),
      ...(opts.verification ? { verification: opts.verification } : {}),
      ...opts.spec,
    },
  };
}

export function aPromotionTask(name: string, spec: Partial<PromotionTask['spec']> = {}, project = PROJECT): PromotionTask {
  return { apiVersion: KARGO_API_VERSION, kind: 'PromotionTask', metadata: { name, namespace: project }, spec: { steps: ONE_STEP, ...spec } };
}

export function aClusterPromotionTask(name: string, spec: Partial<ClusterPromotionTask['spec']> = {}): ClusterPromotionTask {
  return { apiVersion: KARGO_API_VERSION, kind: 'ClusterPromotionTask', metadata: { name }, spec: { steps: ONE_STEP, ...spec } };
}

/** A digest made from the tag, so each tag has its own and the same tag always the same. */
export function digestOf(tag: string): string {
  return `sha256:${Buffer.from(tag).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

/** An image reference at `tag`; with its digest (digestOf) unless `digest` is null. */
export function anImage(tag: string, repoURL = APP_IMAGE, digest: string | null = digestOf(tag)): Image {
  return { repoURL, tag, ...(digest === null ? {} : { digest }) };
}

export interface FreightOptions extends Partial<Omit<FreightManifest, 'apiVersion' | 'kind' | 'metadata'>> {
  project?: string;
  /** The one image's tag (default 1.0.0), when `images` is not given. */
  tag?: string;
  image?: string;
  /** The one image's digest (default digestOf(tag)); null for none. */
  digest?: string | null;
}

/** A Freight document as applied: without a name, which Shunt derives from the content. */
export type FreightDocument = Omit<FreightManifest, 'metadata'> & { metadata: Omit<ObjectMeta, 'name'> };

/** Freight of WAREHOUSE with one image of APP_IMAGE at `tag`, unless told otherwise. */
export function aFreight(opts: FreightOptions = {}): FreightDocument {
  const { project, tag = '1.0.0', image, digest, ...content } = opts;
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Freight',
    metadata: { namespace: project ?? PROJECT },
    origin: { kind: 'Warehouse', name: WAREHOUSE },
    images: [anImage(tag, image, digest === undefined ? digestOf(tag) : digest)],
    ...content,
  };
}

/** The same with a name, as core/ sees a parsed Freight. */
export function aFreightManifest(name: string, opts: FreightOptions = {}): FreightManifest {
  const doc = aFreight(opts);
  return { ...doc, metadata: { ...doc.metadata, name } };
}

export function aProjectConfig(spec: ProjectConfigSpec, project = PROJECT): ProjectConfig {
  return { apiVersion: KARGO_API_VERSION, kind: 'ProjectConfig', metadata: { name: project, namespace: project }, spec };
}

/** A Kubernetes Secret labelled as Kargo's credential of `type`, its fields as stringData. */
export interface CredentialSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  stringData: Record<string, string>;
}

export function aCredentialSecret(
  name: string,
  type: 'git' | 'helm' | 'image' | 'generic' | undefined,
  stringData: Record<string, string>,
  namespace: string | null = PROJECT,
): CredentialSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, ...(namespace === null ? {} : { namespace }), ...(type ? { labels: { 'kargo.akuity.io/cred-type': type } } : {}) },
    stringData,
  };
}

/** The same Secret with base64 `data`, as the Kubernetes API returns it. */
export function asKubeSecret(secret: CredentialSecret): Omit<CredentialSecret, 'stringData'> & { data: Record<string, string> } {
  const { stringData, ...rest } = secret;
  return { ...rest, data: Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}

/** Documents as one multi-document YAML text. */
export function yamlOf(...docs: object[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
