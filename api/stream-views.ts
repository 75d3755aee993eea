/**
 * What a project's event stream carries (GET /api/v1/projects/:project/stream): the views of its
 * stages, freight, promotions and verifications, and the changes between two of those sets. Pure.
 */
import type { ProjectState, VerificationRecord } from '../core/project/state.js';
import { renderFreightList, renderPromotionList, renderStageList, type PromotionViewOptions } from './views.js';

export type StreamKind = 'Stage' | 'Freight' | 'Promotion' | 'Verification';

export interface StreamObject {
  kind: StreamKind;
  name: string;
  object: unknown;
}

export type ChangeType = 'added' | 'changed' | 'removed';

export interface StreamChange extends StreamObject {
  type: ChangeType;
}

/** Every object of the stream, by `Kind/name`, each with its JSON (compared to find changes). */
export type StreamViews = Map<string, StreamObject & { json: string }>;

export function streamViews(state: ProjectState, nowMs: number, options: PromotionViewOptions): StreamViews {
  const views: StreamViews = new Map();
  const add = (kind: StreamKind, name: string, object: unknown): void => {
    views.set(`${kind}/${name}`, { kind, name, object, json: JSON.stringify(object) });
  };
  for (const s of renderStageList(state, nowMs).items) add('Stage', s.metadata.name, s);
  for (const f of renderFreightList(state).items) add('Freight', f.metadata.name, f);
  for (const p of renderPromotionList(state, options).items) add('Promotion', p.metadata.name, p);
  for (const v of verificationsOf(state)) add('Verification', v.id, v);
  return views;
}

/** The verifications the project keeps: each stage's current one and those in its freight history. */
export function verificationsOf(state: ProjectState): VerificationRecord[] {
  const byId = new Map<string, VerificationRecord>();
  for (const s of Object.values(state.stages)) {
    for (const entry of s.freightHistory) for (const v of entry.verificationHistory ?? []) byId.set(v.id, v);
    if (s.currentVerification) byId.set(s.currentVerification.id, s.currentVerification);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** What changed from `before` to `after`, in a stable order (kind, then name). */
export function diffViews(before: StreamViews, after: StreamViews): StreamChange[] {
  const changes: StreamChange[] = [];
  for (const [key, view] of after) {
    const old = before.get(key);
    if (!old) changes.push({ type: 'added', kind: view.kind, name: view.name, object: view.object });
    else if (old.json !== view.json) changes.push({ type: 'changed', kind: view.kind, name: view.name, object: view.object });
  }
  for (const [key, view] of before) {
    if (!after.has(key)) changes.push({ type: 'removed', kind: view.kind, name: view.name, object: view.object });
  }
  const order: StreamKind[] = ['Stage', 'Freight', 'Promotion', 'Verification'];
  return changes.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
}

/** The whole set, as a `reset` event carries it. */
export function snapshotOf(views: StreamViews): Record<'stages' | 'freight' | 'promotions' | 'verifications', unknown[]> {
  const out = { stages: [] as unknown[], freight: [] as unknown[], promotions: [] as unknown[], verifications: [] as unknown[] };
  const list = { Stage: out.stages, Freight: out.freight, Promotion: out.promotions, Verification: out.verifications };
  for (const view of views.values()) list[view.kind].push(view.object);
  return out;
}
