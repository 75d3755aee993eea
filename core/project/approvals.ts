import { DomainError } from '../errors.js';
import { requestFor } from './availability.js';
import { findFreight } from './promotions.js';
import type { ProjectState } from './state.js';

/** What `shunt approve --freight F --stage S` answers. */
export interface FreightApproval {
  freight: string;
  alias: string;
  stage: string;
  approvedAt: string;
  approvedBy?: string;
  /** True when the freight was already approved for the stage (the first approval is kept). */
  alreadyApproved: boolean;
}

/**
 * Why `freightRef` may not be approved for `stageName` (undefined when it may). As in Kargo,
 * approval only makes sense where the stage requests freight from the freight's origin.
 */
export function approveFreightIssue(state: ProjectState, freightRef: string, stageName: string): DomainError | undefined {
  const stage = state.specs.stages[stageName];
  if (!stage) return new DomainError('NotFound', `stage "${stageName}" not found in project "${state.project}"`);
  const freight = findFreight(state, freightRef);
  if (!freight) return new DomainError('NotFound', `freight "${freightRef}" not found in project "${state.project}"`);
  if (!requestFor(stage, freight.origin.name)) {
    return new DomainError(
      'FailedPrecondition',
      `stage "${stageName}" does not request freight from warehouse "${freight.origin.name}", so freight ${freight.alias} cannot be approved for it`,
    );
  }
  return undefined;
}

/** Records the approval (callers checked approveFreightIssue). Approving twice keeps the first. */
export function approveFreight(
  state: ProjectState,
  freightRef: string,
  stageName: string,
  opts: { now: string; actor?: string },
): FreightApproval {
  const freight = findFreight(state, freightRef)!;
  const existing = freight.approvedFor[stageName];
  const record = existing ?? { approvedAt: opts.now, ...(opts.actor ? { approvedBy: opts.actor } : {}) };
  if (!existing) {
    freight.approvedFor[stageName] = record;
    state.updatedAt = opts.now;
  }
  return {
    freight: freight.name,
    alias: freight.alias,
    stage: stageName,
    approvedAt: record.approvedAt,
    ...(record.approvedBy ? { approvedBy: record.approvedBy } : {}),
    alreadyApproved: existing !== undefined,
  };
}
