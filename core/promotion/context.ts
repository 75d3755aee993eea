/**
 * The promotion context: who promotes what into which stage, built once by the project
 * workflow when a promotion starts and passed unchanged to the promotion workflow and each
 * step activity, where it becomes the expressions' `ctx` (Kargo's promotion.Context). It holds
 * no secrets: it is recorded in every workflow history.
 */
import type { FreightOrigin } from '../model.js';
import type { FreightRecord, ProjectState, PromotionRecord } from '../project/state.js';
import { nextCollection } from '../project/promotions.js';
import type { FreightCollection } from './types.js';

/** The freight being promoted, as `ctx.targetFreight` shows it. */
export interface TargetFreight {
  name: string;
  alias: string;
  origin: FreightOrigin;
}

export interface PromotionContext {
  project: string;
  stage: string;
  /** The promotion's name. */
  promotion: string;
  /** Who asked for it; absent for auto-promotions. */
  actor?: string;
  /** Set when the promotion rolls the stage back to freight it has held before. */
  rollback?: boolean;
  /** The freight the stage holds once the promotion is done: one per origin. */
  freight: FreightCollection;
  targetFreight: TargetFreight;
  /** The warehouses the stage requests freight from. */
  requestedOrigins: string[];
}

/** The context of `promotion`, about to start in its stage with `freight`. */
export function promotionContext(state: ProjectState, promotion: PromotionRecord, freight: FreightRecord): PromotionContext {
  const stage = state.specs.stages[promotion.stage];
  return {
    project: state.project,
    stage: promotion.stage,
    promotion: promotion.name,
    ...(promotion.actor ? { actor: promotion.actor } : {}),
    ...(promotion.rollback ? { rollback: true } : {}),
    freight: nextCollection(state, promotion.stage, freight),
    targetFreight: { name: freight.name, alias: freight.alias, origin: { kind: freight.origin.kind, name: freight.origin.name } },
    requestedOrigins: stage ? stage.spec.requestedFreight.map((r) => r.origin.name) : [],
  };
}

/**
 * The context alone, out of an input that carries it with other fields (the promotion
 * workflow's, the step activity's). Inputs recorded before the context was one type carry
 * the whole freight reference as `targetFreight`: only its identity is kept.
 */
export function promotionContextOf(input: PromotionContext): PromotionContext {
  const { name, alias, origin } = input.targetFreight;
  return {
    project: input.project,
    stage: input.stage,
    promotion: input.promotion,
    ...(input.actor ? { actor: input.actor } : {}),
    ...(input.rollback ? { rollback: true } : {}),
    freight: input.freight,
    targetFreight: { name, alias, origin: { kind: origin.kind, name: origin.name } },
    requestedOrigins: input.requestedOrigins,
  };
}

/** Settings of the Shunt installation that steps see in `ctx`. */
export interface InstallationContext {
  /** Base URL of Shunt's web page (`SHUNT_UI_BASE_URL`); '' when not set. */
  uiBaseUrl?: string;
}

/** The `ctx` variable of a step's expressions, as Kargo names its fields. */
export function stepExpressionContext(context: PromotionContext, installation: InstallationContext, stepAlias: string): Record<string, unknown> {
  return {
    uiBaseUrl: installation.uiBaseUrl ?? '',
    project: context.project,
    stage: context.stage,
    promotion: context.promotion,
    targetFreight: {
      name: context.targetFreight.name,
      alias: context.targetFreight.alias,
      origin: { name: context.targetFreight.origin.name },
    },
    meta: {
      promotion: { actor: context.actor ?? '', rollback: context.rollback === true },
      step: { alias: stepAlias },
    },
  };
}
