/**
 * Deleting a freight (Kargo's DeleteFreight). Kargo's admission webhook refuses while the
 * freight is in use by a stage, i.e. in the stage's current freight collection
 * (pkg/webhook/kubernetes/freight/webhook.go, ValidateDelete). Shunt also refuses while a
 * promotion of it runs: its result could no longer be recorded against the freight. Promotions
 * of it still queued end Aborted at once (in Kargo they would end Errored when their turn came).
 *
 * As in Kargo, a deleted freight whose artifacts are still its warehouse's newest is made again
 * (same id, a new alias) by the warehouse's next scan.
 */
import { DomainError } from '../errors.js';
import { findFreight, finishPromotion } from './promotions.js';
import type { FreightRecord, ProjectState } from './state.js';

export interface DeleteFreightRequest {
  /** Freight id or alias. */
  freight: string;
  actor?: string;
}

export interface DeletedFreight {
  freight: string;
  alias: string;
  /** Queued promotions of the freight that were aborted. */
  abortedPromotions: string[];
}

/** Stages whose current freight collection holds the freight, sorted (Kargo's StagesByFreight index). */
export function stagesUsingFreight(state: ProjectState, freight: FreightRecord): string[] {
  return Object.entries(state.stages)
    .filter(([, s]) => Object.values(s.freightHistory[0]?.collection.items ?? {}).some((ref) => ref.name === freight.name))
    .map(([name]) => name)
    .sort();
}

/** Why the freight may not be deleted (undefined when it may). */
export function deleteFreightIssue(state: ProjectState, freightRef: string): DomainError | undefined {
  const freight = findFreight(state, freightRef);
  if (!freight) return new DomainError('NotFound', `freight "${freightRef}" not found in project "${state.project}"`);
  const stages = stagesUsingFreight(state, freight);
  if (stages.length > 0) {
    return new DomainError(
      'FailedPrecondition',
      `freight ${freight.alias} is in use by stages (${stages.map((s) => `"${s}"`).join(', ')}); promote other freight there first`,
    );
  }
  const running = state.promotions.find((p) => p.freight === freight.name && p.phase === 'Running');
  if (running) {
    return new DomainError(
      'FailedPrecondition',
      `freight ${freight.alias} is being promoted to stage "${running.stage}" (promotion ${running.name}); abort it or wait for it to end`,
    );
  }
  return undefined;
}

/** Deletes the freight, aborting its queued promotions; callers checked deleteFreightIssue. */
export function deleteFreight(state: ProjectState, request: DeleteFreightRequest, nowMs: number, now: string): DeletedFreight {
  const freight = findFreight(state, request.freight)!;
  const queued = state.promotions.filter((p) => p.freight === freight.name && p.phase === 'Pending');
  const message = `freight ${freight.alias} was deleted by ${request.actor ?? 'anonymous'}`;
  for (const p of queued) {
    finishPromotion(state, { name: p.name, phase: 'Aborted', message, steps: p.steps, state: {}, finishedAt: now }, nowMs);
  }
  delete state.freight[freight.name];
  state.updatedAt = now;
  return { freight: freight.name, alias: freight.alias, abortedPromotions: queued.map((p) => p.name) };
}
