/**
 * The parts of a project's state one read needs, so a query answers what was asked instead of the
 * whole state: the counts of the project list, what one stage's view is rendered from, one freight,
 * a page of freight. The project workflow answers its queries with these; the api falls back to
 * them over the whole state when a workflow predates those queries. Pure.
 */
import { findFreight } from './promotions.js';
import type { FreightRecord, ProjectState } from './state.js';
import { lastVerificationIn, type VerificationSummary } from './verification-status.js';

export interface ProjectCounts {
  stages: number;
  warehouses: number;
  freight: number;
}

export function projectCounts(state: ProjectState): ProjectCounts {
  return {
    stages: Object.keys(state.specs.stages).length,
    warehouses: Object.keys(state.specs.warehouses).length,
    freight: Object.keys(state.freight).length,
  };
}

/**
 * The state as far as the view of `stage` reads it (api/views.ts renderStage): the specs and the
 * freight catalog (every freight's availability is shown), that stage's own state and promotions.
 * Undefined for an unknown stage.
 */
export function stageReadState(state: ProjectState, stage: string): ProjectState | undefined {
  if (!state.specs.stages[stage]) return undefined;
  const own = state.stages[stage];
  return {
    project: state.project,
    specs: state.specs,
    freight: state.freight,
    stages: own ? { [stage]: own } : {},
    promotions: state.promotions.filter((p) => p.stage === stage),
    updatedAt: state.updatedAt,
  };
}

/** One freight and its latest verification in each stage that held it. */
export interface FreightRead {
  freight: FreightRecord;
  lastVerificationIn: Record<string, VerificationSummary>;
}

/** By id, else by alias; undefined when neither names one. */
export function freightRead(state: ProjectState, idOrAlias: string): FreightRead | undefined {
  const freight = findFreight(state, idOrAlias);
  return freight && { freight, lastVerificationIn: lastVerificationIn(state, freight.name) };
}

export interface FreightPageRequest {
  /** How many to skip, newest first; default 0. */
  offset?: number;
  /** At most this many; default all. */
  limit?: number;
}

export interface FreightPage {
  items: FreightRead[];
  /** How many freight the project holds. */
  total: number;
}

/** Largest page a query answers: a page of freight stays far below Temporal's payload limit. */
export const MAX_FREIGHT_PAGE = 1000;

/** Freight newest first (ties by id), `offset` skipped, at most `limit` (capped at MAX_FREIGHT_PAGE when given). */
export function freightPage(state: ProjectState, request: FreightPageRequest = {}): FreightPage {
  const all = Object.values(state.freight).sort((a, b) => b.discoveredAt.localeCompare(a.discoveredAt) || a.name.localeCompare(b.name));
  const offset = Math.max(0, Math.floor(request.offset ?? 0));
  const end = request.limit === undefined ? all.length : offset + Math.min(MAX_FREIGHT_PAGE, Math.max(0, Math.floor(request.limit)));
  return {
    items: all.slice(offset, end).map((freight) => ({ freight, lastVerificationIn: lastVerificationIn(state, freight.name) })),
    total: all.length,
  };
}
