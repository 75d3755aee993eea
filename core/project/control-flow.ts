import { freightAvailability } from './availability.js';
import type { ProjectState } from './state.js';

/**
 * Kargo's control-flow stages (a stage whose template has no steps) never run promotions:
 * freight that becomes available to one is recorded as verified there at once, so it can flow
 * on to the stages after it. Repeats until nothing changes, for chains of such stages.
 */
export function settleControlFlowStages(state: ProjectState, now: string): void {
  const nowMs = Date.parse(now);
  const controlFlow = Object.values(state.specs.stages).filter((s) => !s.spec.promotionTemplate?.spec.steps.length);
  for (let round = 0; round <= controlFlow.length; round++) {
    let changed = false;
    for (const stage of controlFlow) {
      const name = stage.metadata.name;
      for (const freight of Object.values(state.freight)) {
        if (freight.verifiedIn[name]) continue;
        if (!freightAvailability(stage, freight, nowMs).available) continue;
        freight.verifiedIn[name] = { verifiedAt: now };
        changed = true;
      }
    }
    if (!changed) return;
  }
}
