/**
 * Small builders for the core/project unit tests: plain data, no parsing. Each builder gives a
 * minimal valid object and takes overrides for what a test cares about.
 */
import type {
  FreightManifest,
  FreightRequest,
  FreightSources,
  Image,
  PromotionStepSpec,
  RepoSubscription,
  Stage,
  VerificationSpec,
  Warehouse,
} from '../../../core/model.js';
import { KARGO_API_VERSION } from '../../../core/model.js';
import type { FreightRecord, ProjectState, PromotionRecord } from '../../../core/project/state.js';

export const PROJECT = 'demo';
export const T0 = '2024-01-01T00:00:00.000Z';
export const T0_MS = Date.parse(T0);

/** `ms` after T0, as an ISO string. */
export function at(ms: number): string {
  return new Date(T0_MS + ms).toISOString();
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** A fixed sequence of "random" numbers, repeated. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

export function request(origin: string, sources: FreightSources): FreightRequest {
  return { origin: { kind: 'Warehouse', name: origin }, sources };
}

export const ONE_STEP: PromotionStepSpec[] = [{ uses: 'git-clone', config: { repoURL: 'https://example.com/gitops.git' } }];

export function aStage(
  name: string,
  opts: { requests?: FreightRequest[]; steps?: PromotionStepSpec[]; verification?: VerificationSpec } = {},
): Stage {
  const stage: Stage = {
    apiVersion: KARGO_API_VERSION,
    kind: 'Stage',
    metadata: { name, namespace: PROJECT },
    spec: {
      requestedFreight: opts.requests ?? [request('app', { direct: true })],
      promotionTemplate: { spec: { steps: opts.steps ?? ONE_STEP } },
    },
  };
  if (opts.verification) stage.spec.verification = opts.verification;
  return stage;
}

export const APP_IMAGE = 'ghcr.io/acme/app';

export function aWarehouse(name: string, subscriptions: RepoSubscription[] = [{ image: { repoURL: APP_IMAGE } }]): Warehouse {
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Warehouse',
    metadata: { name, namespace: PROJECT },
    spec: { subscriptions },
  };
}

export function anImage(tag: string, repoURL = APP_IMAGE): Image {
  return { repoURL, tag, digest: `sha256:${tag.replace(/[^0-9a-f]/g, '').padEnd(64, '0')}` };
}

export function aFreightManifest(opts: Partial<Omit<FreightManifest, 'kind' | 'apiVersion'>> & { tag?: string } = {}): FreightManifest {
  const { tag, ...rest } = opts;
  return {
    apiVersion: KARGO_API_VERSION,
    kind: 'Freight',
    metadata: { name: 'f', namespace: PROJECT },
    origin: { kind: 'Warehouse', name: 'app' },
    images: [anImage(tag ?? '1.0.0')],
    ...rest,
  };
}

export function aFreight(name: string, overrides: Partial<FreightRecord> = {}): FreightRecord {
  return {
    name,
    alias: `alias-${name}`,
    origin: { kind: 'Warehouse', name: 'app' },
    commits: [],
    images: [anImage('1.0.0')],
    charts: [],
    discoveredAt: T0,
    currentlyIn: {},
    verifiedIn: {},
    approvedFor: {},
    ...overrides,
  };
}

export function aState(opts: { stages?: Stage[]; warehouses?: Warehouse[]; freight?: FreightRecord[] } = {}): ProjectState {
  const stages = opts.stages ?? [];
  return {
    project: PROJECT,
    specs: {
      warehouses: Object.fromEntries((opts.warehouses ?? [aWarehouse('app')]).map((w) => [w.metadata.name, w])),
      stages: Object.fromEntries(stages.map((s) => [s.metadata.name, s])),
      tasks: {},
      clusterTasks: {},
    },
    freight: Object.fromEntries((opts.freight ?? []).map((f) => [f.name, f])),
    stages: Object.fromEntries(stages.map((s) => [s.metadata.name, { freightHistory: [], queue: [] }])),
    promotions: [],
    updatedAt: T0,
  };
}

export function aPromotion(name: string, stage: string, freight: FreightRecord, overrides: Partial<PromotionRecord> = {}): PromotionRecord {
  return {
    name,
    stage,
    freight: freight.name,
    freightAlias: freight.alias,
    origin: freight.origin.name,
    phase: 'Pending',
    createdAt: T0,
    workflowId: `wf-${name}`,
    steps: [],
    ...overrides,
  };
}
