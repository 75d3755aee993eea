/**
 * Refreshing a stage (Kargo's RefreshStage: the `kargo.akuity.io/refresh` annotation, which
 * makes the stage's controller reconcile it now, and refreshes its current promotion too).
 * Shunt's project workflow reacts to events rather than polling, so what a reconcile would
 * catch up on is done on request, at once:
 * - control-flow stages take the freight that has become available to them;
 * - auto-promotion is evaluated for the stage, queueing what is due;
 * - the running promotion and the running verification are checked to still be there (one that
 *   ended without reporting is recorded as errored, which frees the stage), and the promotion is
 *   asked to check a step that waits (`Running`) now rather than at its next retry;
 * - the time is recorded as the stage's `status.lastHandledRefresh`.
 * A refresh never re-runs a verification (that is `shunt verify`) nor retries a promotion.
 */
import { DomainError } from '../errors.js';
import type { PromotionPhase } from '../promotion/types.js';
import type { ProjectState, VerificationPhase } from './state.js';

export interface RefreshStageRequest {
  stage: string;
  actor?: string;
}

export interface StageRefresh {
  stage: string;
  refreshedAt: string;
  /** Promotions auto-promotion queued for the stage during the refresh. */
  autoPromotions: string[];
  /** The stage's promotion running (or just found ended) at the refresh. */
  currentPromotion?: { name: string; phase: PromotionPhase; message?: string };
  /** The stage's verification pending or running (or just found ended) at the refresh. */
  currentVerification?: { id: string; phase: VerificationPhase; message?: string };
}

/** Why the stage may not be refreshed (undefined when it may): it must exist. */
export function refreshStageIssue(state: ProjectState, stage: string): DomainError | undefined {
  if (!state.specs.stages[stage]) return new DomainError('NotFound', `stage "${stage}" not found in project "${state.project}"`);
  return undefined;
}

/** Records the refresh on the stage and says what the stage is doing now. */
export function recordStageRefresh(
  state: ProjectState,
  request: RefreshStageRequest,
  checked: { promotion?: string; verification?: string; autoPromotions: string[] },
  now: string,
): StageRefresh {
  const s = (state.stages[request.stage] ??= { freightHistory: [], queue: [] });
  s.lastHandledRefresh = now;
  state.updatedAt = now;
  const result: StageRefresh = { stage: request.stage, refreshedAt: now, autoPromotions: checked.autoPromotions };
  const promotion = state.promotions.find((p) => p.name === checked.promotion);
  if (promotion) {
    result.currentPromotion = { name: promotion.name, phase: promotion.phase, ...(promotion.message ? { message: promotion.message } : {}) };
  }
  const verification =
    s.currentVerification?.id === checked.verification
      ? s.currentVerification
      : s.freightHistory.flatMap((e) => e.verificationHistory ?? []).find((v) => v.id === checked.verification);
  if (verification) {
    result.currentVerification = { id: verification.id, phase: verification.phase, ...(verification.message ? { message: verification.message } : {}) };
  }
  return result;
}
