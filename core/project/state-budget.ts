/**
 * The project state's size budget. The whole state is one Temporal payload when the project
 * workflow continues as new (and when the api queries it), so it must stay well under Temporal's
 * payload limit (core/payload-budget.ts). The project workflow measures the state after every
 * change (`measureState`, kept in `state.size` for the api's metric), warns past half the budget,
 * refuses in the validator any update that would take the state past the budget
 * (`stateBudgetIssue`), and shrinks the state before continuing as new if it is still over
 * (`shrinkToFit`), so the continue-as-new payload always fits.
 */
import { formatBytes } from '../expressions/budget.js';
import { type ApplyInput, mergedSpecs } from './apply.js';
import { DomainError } from '../errors.js';
import { jsonSize, PAYLOAD_LIMIT_BYTES, PAYLOAD_WARN_BYTES } from '../payload-budget.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import { collectFreight, freightInUse, retentionOf } from './retention.js';
import type { FreightRecord, ProjectState, StateSize } from './state.js';

/**
 * Updates that would take the state past this are refused: half Temporal's payload limit, so a
 * state at the budget plus the largest single change still fits in one payload.
 */
export const STATE_BUDGET_BYTES = PAYLOAD_LIMIT_BYTES / 2;
/** What shrinking aims for: under the budget with room for the changes that follow. */
export const STATE_SHRINK_TARGET_BYTES = (STATE_BUDGET_BYTES * 3) / 4;
/**
 * Past this the project workflow drops the records of the past (finished promotions, older freight
 * history), since the `roomy-project-state` patch; freight only past the budget itself. The eighth
 * left is room for the updates validated meanwhile, such as a round of promotions to 200 stages
 * (about 60 KiB), so they are not refused while the state waits to shrink.
 */
export const STATE_SHRINK_TRIGGER_BYTES = (STATE_BUDGET_BYTES * 7) / 8;
/** Past this the project workflow logs a warning (Temporal's own warning threshold). */
export const STATE_WARN_BYTES = PAYLOAD_WARN_BYTES;
/** The command that brings an oversized project back under its budget (README: "Bounded state"). */
export const PRUNE_HINT = (project: string): string => `shunt project prune ${project} --keep-freight <N>`;

/** The state's JSON size now (without the previous measurement) and the thresholds. */
export function measureState(state: ProjectState): StateSize {
  const { size: _previous, ...rest } = state;
  return { bytes: jsonSize(rest).bytes, budgetBytes: STATE_BUDGET_BYTES, warnBytes: STATE_WARN_BYTES };
}

/** Whether the state is past the warning threshold. */
export function nearBudget(size: StateSize): boolean {
  return size.bytes > size.warnBytes;
}

/** At most how much a change carrying `request` adds to the state: the request's own size. */
export function requestGrowth(request: unknown): number {
  return jsonSize(request, STATE_BUDGET_BYTES * 2).bytes;
}

/**
 * At most how much an apply adds: how much larger the specs become, plus the Freight it creates.
 * Re-applying a pipeline unchanged adds nothing, so a project near its budget can still be applied.
 */
export function applyGrowth(state: ProjectState, input: ApplyInput): number {
  const specsGrowth = jsonSize(mergedSpecs(state.specs, input)).bytes - jsonSize(state.specs).bytes;
  const freight = input.resources.filter((r) => r.kind === 'Freight');
  return Math.max(0, specsGrowth) + (freight.length ? requestGrowth(freight) : 0);
}

/**
 * Why a change of `what` that adds at most `added` bytes is refused (undefined when the state
 * has room): the state's size plus the change's must stay within the budget.
 */
export function stateBudgetIssue(state: ProjectState, what: string, added: number): DomainError | undefined {
  const current = measureState(state).bytes;
  if (current + added <= STATE_BUDGET_BYTES) return undefined;
  return new DomainError(
    'PayloadTooLarge',
    `${what} is refused: project "${state.project}" state is ${formatBytes(current)} and the change adds about ` +
      `${formatBytes(added)}, past its budget of ${formatBytes(STATE_BUDGET_BYTES)}; free room with \`${PRUNE_HINT(state.project)}\`` +
      ' (drops freight no stage uses) or delete what the project no longer needs',
  );
}

export interface Shrunk {
  droppedFreight: string[];
  droppedPromotions: string[];
  /** Older entries dropped from the stages' freight histories. */
  droppedHistoryEntries: number;
  before: number;
  after: number;
}

export interface ShrinkOptions {
  /** Shrinks a state larger than this; default STATE_BUDGET_BYTES. */
  above?: number;
  /**
   * Drops finished promotion records oldest first only until the state is under the target (not
   * all but each stage's newest at once), then shortens the stages' freight histories (to 5
   * entries, then 2, then the current one). Many stages with a full history (10 entries each,
   * about 460 B an entry) outgrow the budget on their own: 200 stages hold about 900 KiB.
   */
  gradual?: boolean;
}

/**
 * Brings a state over the budget (or over `above`) back under STATE_SHRINK_TARGET_BYTES, least
 * needed first. Past the budget itself: freight past retention regardless of its age, then past
 * a retention of one, then any freight no stage or unfinished work uses (oldest first, keeping
 * the newest of each warehouse). Then finished promotion records but each stage's newest, then
 * (when asked) the older entries of the stages' freight histories, never a stage's current freight.
 */
export function shrinkToFit(state: ProjectState, nowMs: number, options: ShrinkOptions = {}): Shrunk {
  const before = measureState(state).bytes;
  const shrunk: Shrunk = { droppedFreight: [], droppedPromotions: [], droppedHistoryEntries: 0, before, after: before };
  if (before <= (options.above ?? STATE_BUDGET_BYTES)) return shrunk;
  const over = (): boolean => measureState(state).bytes > STATE_SHRINK_TARGET_BYTES;
  // Freight goes only past the budget itself; below it (`above` lower), only the records of the past do.
  if (before > STATE_BUDGET_BYTES) {
    const { maxRetainedFreight } = retentionOf(state);
    for (const keep of [maxRetainedFreight, 1]) {
      shrunk.droppedFreight.push(...collectFreight(state, nowMs, { maxRetainedFreight: keep, minFreightDeletionAgeMs: 0 }));
      if (!over()) break;
    }
    if (over()) shrunk.droppedFreight.push(...dropUnusedFreight(state));
  }
  if (over()) {
    const keepNames = new Set(state.promotions.filter((p) => !TERMINAL_PHASES.includes(p.phase)).map((p) => p.name));
    const seen = new Set<string>();
    for (const p of [...state.promotions].reverse()) {
      if (TERMINAL_PHASES.includes(p.phase) && !seen.has(p.stage)) {
        seen.add(p.stage);
        keepNames.add(p.name);
      }
    }
    if (options.gradual) {
      // Oldest first (the list is in creation order), each record's bytes and its comma.
      let bytes = measureState(state).bytes;
      for (const p of state.promotions) {
        if (bytes <= STATE_SHRINK_TARGET_BYTES) keepNames.add(p.name);
        else if (!keepNames.has(p.name)) bytes -= jsonSize(p).bytes + 1;
      }
    }
    shrunk.droppedPromotions = state.promotions.filter((p) => !keepNames.has(p.name)).map((p) => p.name);
    state.promotions = state.promotions.filter((p) => keepNames.has(p.name));
  }
  for (const keep of options.gradual ? [5, 2, 1] : []) {
    if (!over()) break;
    for (const stage of Object.values(state.stages)) shrunk.droppedHistoryEntries += stage.freightHistory.splice(keep).length;
  }
  shrunk.after = measureState(state).bytes;
  return shrunk;
}

/** Drops freight nothing uses, oldest first, keeping each warehouse's newest, until under the shrink target. */
function dropUnusedFreight(state: ProjectState): string[] {
  const used = freightInUse(state);
  const all = Object.values(state.freight);
  const newest = new Map<string, FreightRecord>();
  for (const f of all) {
    const n = newest.get(f.origin.name);
    if (!n || Date.parse(f.discoveredAt) >= Date.parse(n.discoveredAt)) newest.set(f.origin.name, f);
  }
  const candidates = all
    .map((f, order) => ({ f, order }))
    .filter(({ f }) => !used.has(f.name) && newest.get(f.origin.name) !== f)
    .sort((a, b) => Date.parse(a.f.discoveredAt) - Date.parse(b.f.discoveredAt) || a.order - b.order);
  let bytes = measureState(state).bytes;
  const dropped: string[] = [];
  for (const { f } of candidates) {
    if (bytes <= STATE_SHRINK_TARGET_BYTES) break;
    // Its entry in the freight map: the key, the colon, the record and a comma.
    bytes -= jsonSize(f.name).bytes + 2 + jsonSize(f).bytes;
    delete state.freight[f.name];
    dropped.push(f.name);
  }
  return dropped;
}
