/**
 * Builders of project state for the core/project unit tests: plain data, no parsing. Each gives
 * a minimal valid object and takes overrides for what a test cares about. The manifests in it
 * come from the test kit's builders (test/support/manifests.ts).
 */
import type { Stage, Warehouse } from '../../../core/model.js';
import type { FreightRecord, ProjectState, PromotionRecord } from '../../../core/project/state.js';
import { anImage, aWarehouse, PROJECT } from '../../support/manifests.js';

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
