/**
 * What a stage may be promoted to now, freight by freight, with the reason when it may not: the
 * api renders it on each Stage (`status.freightAvailability`) so the page shows what the backend
 * decides instead of deciding again. Built from promotionAdmission, the rule a promotion request
 * is refused by, so the two cannot disagree. Pure: `nowMs` is passed in.
 */
import type { AvailabilityBlocker } from './availability.js';
import { promotionAdmission } from './promotions.js';
import type { ProjectState } from './state.js';

export interface FreightAvailabilityEntry {
  /** The freight's id. */
  freight: string;
  alias: string;
  /** The freight's warehouse. */
  origin: string;
  available: boolean;
  /** How it is available: approved for the stage, straight from the warehouse, or verified upstream. */
  via?: 'approval' | 'direct' | 'upstream';
  /** Why not, as the refusal of a promotion would say it. */
  reason?: string;
  /** Why not, as data: each condition that is not met. */
  blockers?: AvailabilityBlocker[];
}

/** Every freight of the project for the stage, newest first (ties by id); empty for an unknown stage. */
export function stageFreightAvailability(state: ProjectState, stageName: string, nowMs: number): FreightAvailabilityEntry[] {
  const stage = state.specs.stages[stageName];
  if (!stage) return [];
  const freight = Object.values(state.freight).sort((a, b) => b.discoveredAt.localeCompare(a.discoveredAt) || a.name.localeCompare(b.name));
  return freight.map((f) => {
    const admission = promotionAdmission(state, stage, f, nowMs);
    const entry: FreightAvailabilityEntry = { freight: f.name, alias: f.alias, origin: f.origin.name, available: admission.available };
    if (admission.available) entry.via = admission.via;
    else {
      entry.reason = admission.reason;
      entry.blockers = admission.blockers;
    }
    return entry;
  });
}
