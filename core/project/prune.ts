/**
 * `shunt project prune`: brings a project's state back under its budget on request. It sets the
 * project's freight retention (core/project/retention.ts), applies it now, trims every finished
 * promotion record (core/project/promotion-trim.ts) and, if the state is still over its budget,
 * shrinks it (core/project/state-budget.ts).
 */
import type { DomainError } from '../errors.js';
import { trimPromotionRecord } from './promotion-trim.js';
import { prunePromotions } from './promotions.js';
import { collectFreight, type FreightRetention, retentionIssue, retentionOf } from './retention.js';
import { measureState, shrinkToFit } from './state-budget.js';
import type { ProjectState } from './state.js';

export interface PruneRequest {
  /** The project's new `maxRetainedFreight`; absent keeps the current one. */
  maxRetainedFreight?: number;
  /** The project's new minimum freight deletion age (ms); absent keeps the current one. */
  minFreightDeletionAgeMs?: number;
  actor?: string;
}

export interface PruneOutcome {
  retention: FreightRetention;
  droppedFreight: string[];
  droppedPromotions: number;
  bytesBefore: number;
  bytesAfter: number;
}

export function pruneIssue(request: PruneRequest): DomainError | undefined {
  return retentionIssue(request);
}

/** Applies the request; callers checked pruneIssue. */
export function pruneProject(state: ProjectState, request: PruneRequest, nowMs: number, now: string): PruneOutcome {
  const bytesBefore = measureState(state).bytes;
  state.retention = {
    ...state.retention,
    ...(request.maxRetainedFreight !== undefined ? { maxRetainedFreight: request.maxRetainedFreight } : {}),
    ...(request.minFreightDeletionAgeMs !== undefined ? { minFreightDeletionAgeMs: request.minFreightDeletionAgeMs } : {}),
  };
  const droppedFreight = collectFreight(state, nowMs);
  const promotionsBefore = state.promotions.length;
  for (const p of state.promotions) trimPromotionRecord(p);
  for (const stage of new Set(state.promotions.map((p) => p.stage))) prunePromotions(state, stage);
  const shrunk = shrinkToFit(state, nowMs);
  droppedFreight.push(...shrunk.droppedFreight);
  state.updatedAt = now;
  return {
    retention: retentionOf(state),
    droppedFreight,
    droppedPromotions: promotionsBefore - state.promotions.length,
    bytesBefore,
    bytesAfter: measureState(state).bytes,
  };
}
