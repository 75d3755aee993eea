/**
 * Step "effects": changes a promotion step makes to project state rather than to files
 * (`set-metadata`, `set-freight-alias`). The step returns them in its outcome, the promotion
 * workflow carries them (and applies them to its own metadata snapshot, so later steps see them),
 * and the project workflow, the state's single writer, applies them when the promotion ends.
 */
import { aliasHolder } from './freight-alias.js';
import type { ProjectState } from './state.js';

export type StepEffect =
  | {
      kind: 'set-metadata';
      target: 'Stage' | 'Freight';
      name: string;
      /** Keys to set (a `null` value deletes the key). */
      values: Record<string, unknown>;
    }
  | { kind: 'set-freight-alias'; freight: string; alias: string };

/** What `freightMetadata()` / `stageMetadata()` read during a promotion. */
export interface MetadataSnapshot {
  /** Freight name → its metadata. */
  freight: Record<string, Record<string, unknown>>;
  /** Stage name → its metadata. */
  stages: Record<string, Record<string, unknown>>;
}

type WithMetadata = { metadata?: Record<string, unknown> };

function mergeValues(into: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete into[k];
    else into[k] = JSON.parse(JSON.stringify(v)) as unknown;
  }
}

/** The metadata of every freight and stage that has some. */
export function metadataSnapshot(state: ProjectState): MetadataSnapshot {
  const snap: MetadataSnapshot = { freight: {}, stages: {} };
  for (const [name, f] of Object.entries(state.freight)) {
    const md = (f as WithMetadata).metadata;
    if (md && Object.keys(md).length > 0) snap.freight[name] = { ...md };
  }
  for (const [name, s] of Object.entries(state.stages)) {
    const md = (s as WithMetadata).metadata;
    if (md && Object.keys(md).length > 0) snap.stages[name] = { ...md };
  }
  return snap;
}

/** Applies set-metadata effects to a snapshot (the promotion's view); aliases are not in it. */
export function applyEffectsToSnapshot(snap: MetadataSnapshot, effects: readonly StepEffect[]): void {
  for (const e of effects) {
    if (e.kind !== 'set-metadata') continue;
    const table = e.target === 'Stage' ? snap.stages : snap.freight;
    mergeValues((table[e.name] ??= {}), e.values);
  }
}

/**
 * Applies effects to the project state, in order. Returns one line per effect that could not be
 * applied (unknown freight or stage, alias taken), which the caller reports; the others apply.
 */
export function applyStepEffects(state: ProjectState, effects: readonly StepEffect[]): string[] {
  const problems: string[] = [];
  for (const e of effects) {
    if (e.kind === 'set-metadata') {
      const target: WithMetadata | undefined = e.target === 'Stage' ? state.stages[e.name] : state.freight[e.name] ?? Object.values(state.freight).find((f) => f.alias === e.name);
      if (!target) {
        problems.push(`set-metadata: ${e.target} ${JSON.stringify(e.name)} does not exist; not applied`);
        continue;
      }
      mergeValues((target.metadata ??= {}), e.values);
      continue;
    }
    const freight = state.freight[e.freight] ?? Object.values(state.freight).find((f) => f.alias === e.freight);
    if (!freight) {
      problems.push(`set-freight-alias: freight ${JSON.stringify(e.freight)} does not exist; not applied`);
      continue;
    }
    const holder = aliasHolder(state, freight, e.alias);
    if (holder) {
      problems.push(`set-freight-alias: alias ${JSON.stringify(e.alias)} is already used by freight ${holder.name}; not applied`);
      continue;
    }
    freight.alias = e.alias;
  }
  return problems;
}

/**
 * Applies a finished promotion's effects to the project state; what could not be applied is
 * appended to the promotion's message.
 */
export function applyPromotionEffects(state: ProjectState, done: { name: string; effects?: readonly StepEffect[] }): void {
  if (!done.effects || done.effects.length === 0) return;
  const problems = applyStepEffects(state, done.effects);
  if (problems.length === 0) return;
  const promotion = state.promotions.find((p) => p.name === done.name);
  if (promotion) promotion.message = [promotion.message, ...problems].filter((m) => m !== undefined && m !== '').join('; ');
}
