/**
 * Kargo's auto-promotion (pkg/api/auto_promotion.go and the stage reconciler), as pure functions:
 * which stages have it (the first ProjectConfig policy whose selector matches), which freight is
 * each origin's candidate (NewestFreight or MatchUpstream among available freight), and when a
 * promotion of it is due. Also when availability will next change because a soak ends.
 */
import { selectorMatches } from '../label-selector.js';
import { compileGlob, compileRegex, prefixedRegex } from '../regex.js';
import type { FreightRequest, ProjectConfig, PromotionPolicy, Stage } from '../model.js';
import { parseDuration } from '../duration.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import { freightAvailability } from './availability.js';
import type { FreightRecord, ProjectState } from './state.js';

/** The first policy whose selector matches the stage (Kargo: first match wins, even over later ones). */
export function policyFor(config: ProjectConfig | undefined, stage: Stage): PromotionPolicy | undefined {
  return config?.spec.promotionPolicies?.find((p) => selects(p, stage));
}

export function autoPromotionEnabled(state: ProjectState, stageName: string): boolean {
  const stage = state.specs.stages[stageName];
  return stage !== undefined && policyFor(state.specs.config, stage)?.autoPromotionEnabled === true;
}

function selects(policy: PromotionPolicy, stage: Stage): boolean {
  if (policy.stage !== undefined) return policy.stage === stage.metadata.name;
  const sel = policy.stageSelector;
  if (!sel) return false;
  if (sel.name !== undefined && !nameMatches(sel.name, stage.metadata.name)) return false;
  return selectorMatches(sel, stage.metadata.labels);
}

/** Exact name, or `regex:`/`regexp:` (Go RE2, unanchored as Go's MatchString), or `glob:`. */
export function nameMatches(pattern: string, name: string): boolean {
  const regex = prefixedRegex(pattern);
  if (regex !== undefined) {
    try {
      return compileRegex(regex).test(name);
    } catch {
      return false;
    }
  }
  if (pattern.startsWith('glob:')) return compileGlob(pattern.slice(5)).test(name);
  return pattern === name;
}

/**
 * The freight auto-promotion would put into the stage for one origin now, or undefined.
 * NewestFreight: the newest available (by discovery, ties by name descending). MatchUpstream:
 * the available freight currently in the one upstream stage (none while two are seen there).
 */
export function candidateFor(state: ProjectState, stage: Stage, request: FreightRequest, nowMs: number): FreightRecord | undefined {
  const available = Object.values(state.freight).filter(
    (f) => f.origin.name === request.origin.name && freightAvailability(stage, f, nowMs).available,
  );
  if (request.sources.autoPromotionOptions?.selectionPolicy === 'MatchUpstream') {
    const upstream = request.sources.stages?.[0];
    const inUpstream = available.filter((f) => upstream !== undefined && f.currentlyIn[upstream]);
    return inUpstream.length === 1 ? inUpstream[0] : undefined;
  }
  return available.sort((a, b) => (a.discoveredAt === b.discoveredAt ? (a.name < b.name ? 1 : -1) : a.discoveredAt < b.discoveredAt ? 1 : -1))[0];
}

export interface DueAutoPromotion {
  stage: string;
  freight: string;
  /** Pending auto-promotions of older freight of that origin, which this one replaces. */
  replaces: string[];
}

/**
 * Promotions auto-promotion asks for now, one per stage and origin at most. None where the
 * candidate is already in the stage, already queued or running, held by a person's rollback,
 * or where its last promotion into the stage did not succeed (Kargo does not retry those).
 */
export function dueAutoPromotions(state: ProjectState, nowMs: number): DueAutoPromotion[] {
  const due: DueAutoPromotion[] = [];
  for (const stage of Object.values(state.specs.stages)) {
    const name = stage.metadata.name;
    if (!stage.spec.promotionTemplate?.spec.steps.length || !autoPromotionEnabled(state, name)) continue;
    const s = state.stages[name];
    for (const request of stage.spec.requestedFreight) {
      const slot = `Warehouse/${request.origin.name}`;
      if (s?.autoPromotionHolds?.[slot]) continue;
      const candidate = candidateFor(state, stage, request, nowMs);
      if (!candidate) continue;
      if (s?.freightHistory[0]?.collection.items[slot]?.name === candidate.name) continue;
      const ofStage = state.promotions.filter((p) => p.stage === name);
      if (ofStage.some((p) => p.freight === candidate.name && !TERMINAL_PHASES.includes(p.phase))) continue;
      const lastFinished = ofStage.filter((p) => p.freight === candidate.name && TERMINAL_PHASES.includes(p.phase)).at(-1);
      if (lastFinished && lastFinished.phase !== 'Succeeded') continue;
      const replaces = ofStage
        .filter((p) => p.auto && p.phase === 'Pending' && p.origin === request.origin.name && p.freight !== candidate.name)
        .map((p) => p.name);
      due.push({ stage: name, freight: candidate.name, replaces });
    }
  }
  return due;
}

/**
 * When (ms) some freight's required soak upstream of an auto-promoted stage ends, so the project
 * workflow can wake up then (a durable timer); undefined when nothing is soaking.
 */
export function nextSoakDeadline(state: ProjectState, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const stage of Object.values(state.specs.stages)) {
    if (!autoPromotionEnabled(state, stage.metadata.name)) continue;
    for (const request of stage.spec.requestedFreight) {
      const soak = request.sources.requiredSoakTime ? parseDuration(request.sources.requiredSoakTime) : 0;
      if (soak <= 0) continue;
      for (const f of Object.values(state.freight)) {
        if (f.origin.name !== request.origin.name) continue;
        for (const up of request.sources.stages ?? []) {
          const since = f.currentlyIn[up]?.since;
          if (!f.verifiedIn[up] || !since) continue;
          const due = Date.parse(since) + soak;
          if (due > nowMs && (next === undefined || due < next)) next = due;
        }
      }
    }
  }
  return next;
}

/**
 * Kargo's holds: a person's promotion of freight other than the candidate (a rollback, say) into
 * an auto-promoted stage holds auto-promotion for that origin once it succeeds; a person's
 * successful promotion of the candidate lifts the hold.
 */
export function applyHolds(state: ProjectState, promotionName: string, nowMs: number, now: string): void {
  const p = state.promotions.find((x) => x.name === promotionName);
  if (!p || p.auto || p.phase !== 'Succeeded' || !autoPromotionEnabled(state, p.stage)) return;
  const stage = state.specs.stages[p.stage]!;
  const request = stage.spec.requestedFreight.find((r) => r.origin.name === p.origin);
  const s = state.stages[p.stage];
  if (!request || !s) return;
  const slot = `Warehouse/${p.origin}`;
  const candidate = candidateFor(state, stage, request, nowMs);
  if (candidate && candidate.name !== p.freight) {
    s.autoPromotionHolds = {
      ...s.autoPromotionHolds,
      [slot]: { freight: p.freight, promotion: p.name, createdAt: now, ...(p.actor ? { actor: p.actor } : {}) },
    };
  } else if (s.autoPromotionHolds?.[slot]) {
    delete s.autoPromotionHolds[slot];
  }
}
