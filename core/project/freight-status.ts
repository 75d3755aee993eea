/**
 * A Freight's whole status as Kargo's `freightStatus(name)` expression function returns it
 * (Kargo's FreightStatus: `currentlyIn`, `verifiedIn`, `approvedFor`, `metadata`), built from the
 * project workflow's state. Pure: the project workflow answers a query with it, and the step
 * activity asks that query only when a step's expressions call `freightStatus()`.
 */
import { formatDuration } from '../duration.js';
import type { FreightRecord, ProjectState } from './state.js';

export interface FreightStatusView {
  /** Stage name → since when the stage has held the freight. */
  currentlyIn: Record<string, { since: string }>;
  /** Stage name → when verification succeeded there, and the longest completed soak (Go duration). */
  verifiedIn: Record<string, { verifiedAt: string; longestSoak?: string }>;
  /** Stage name → when (and by whom) the freight was approved for it. */
  approvedFor: Record<string, { approvedAt: string; approvedBy?: string }>;
  /** Kargo's `status.metadata` (set-metadata); absent when the freight has none. */
  metadata?: Record<string, unknown>;
}

/** What the project workflow's `freightStatus` query answers: the freight's id and its status. */
export interface FreightStatusAnswer {
  /** The freight's id (the query also accepts an alias). */
  name: string;
  status: FreightStatusView;
}

/** The Kargo-shaped status of one freight record (a deep copy: callers may keep it). */
export function freightStatusView(freight: FreightRecord): FreightStatusView {
  const currentlyIn: FreightStatusView['currentlyIn'] = {};
  for (const [stage, c] of Object.entries(freight.currentlyIn)) currentlyIn[stage] = { since: c.since };
  const verifiedIn: FreightStatusView['verifiedIn'] = {};
  for (const [stage, v] of Object.entries(freight.verifiedIn)) {
    verifiedIn[stage] =
      v.longestSoakMs === undefined ? { verifiedAt: v.verifiedAt } : { verifiedAt: v.verifiedAt, longestSoak: formatDuration(v.longestSoakMs) };
  }
  const approvedFor: FreightStatusView['approvedFor'] = {};
  for (const [stage, a] of Object.entries(freight.approvedFor)) {
    approvedFor[stage] = a.approvedBy === undefined ? { approvedAt: a.approvedAt } : { approvedAt: a.approvedAt, approvedBy: a.approvedBy };
  }
  const view: FreightStatusView = { currentlyIn, verifiedIn, approvedFor };
  if (freight.metadata !== undefined && Object.keys(freight.metadata).length > 0) {
    view.metadata = JSON.parse(JSON.stringify(freight.metadata)) as Record<string, unknown>;
  }
  return view;
}

/** The status of the freight with this id (else this alias); null when the project has no such freight. */
export function freightStatusOf(state: ProjectState, idOrAlias: string): FreightStatusAnswer | null {
  const freight = state.freight[idOrAlias] ?? Object.values(state.freight).find((f) => f.alias === idOrAlias);
  return freight ? { name: freight.name, status: freightStatusView(freight) } : null;
}
