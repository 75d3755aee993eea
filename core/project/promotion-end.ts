/**
 * A promotion's record as a read of its project answers it, with what its promotion workflow
 * holds: the live steps of a running (or trimmed) record, and the record of a promotion that has
 * just ended, worked out from its record while it ran and the end its workflow returned. The
 * api answers a read that waited for the end with that (GET …/promotions/:name?wait=), instead
 * of asking the project again while it is busy recording the ends of other promotions. Pure.
 */
import { TERMINAL_PHASES } from '../promotion/types.js';
import { trimPromotionRecord } from './promotion-trim.js';
import { recordEnd, type FinishedPromotion } from './promotions.js';
import type { ApprovalRequest, PromotionApproval, PromotionRecord, StepRecord } from './state.js';

/** What a promotion workflow tells of itself (its `status` query, or its result once it ended). */
export interface LiveStatus {
  steps: StepRecord[];
  state: Record<string, Record<string, unknown>>;
  waitingForApproval?: ApprovalRequest | undefined;
  approvals?: PromotionApproval[] | undefined;
}

/** The record with the steps, outputs and approvals its promotion workflow holds. */
export function withLiveStatus(record: PromotionRecord, live: LiveStatus): PromotionRecord {
  const merged: PromotionRecord = { ...record, steps: live.steps, state: live.state };
  if (live.waitingForApproval) merged.waitingForApproval = live.waitingForApproval;
  if (live.approvals) merged.approvals = live.approvals;
  return merged;
}

/**
 * The record the project keeps of the promotion `running` once it has recorded `result`, the
 * value its workflow returned (as finishPromotion and the trim record it), with the live steps a
 * read adds. Undefined when `result` is not this promotion's end, or when the project's record
 * depends on more than the end: an abort names who asked for it, and the changes the steps asked
 * for (set-metadata, set-freight-alias) may add the project's problems with them to the message.
 */
export function endedRecord(running: PromotionRecord, result: unknown): PromotionRecord | undefined {
  if (!isEndOf(result, running.name) || result.phase === 'Aborted' || (result.effects?.length ?? 0) > 0) return undefined;
  const record: PromotionRecord = { ...running };
  // The trim shortens the messages of the record's steps in place; the read shows them whole.
  recordEnd(record, { ...result, steps: result.steps.map((step) => ({ ...step })) });
  trimPromotionRecord(record);
  return withLiveStatus(record, result);
}

type ReportedEnd = FinishedPromotion & { effects?: unknown[] };

function isEndOf(value: unknown, name: string): value is ReportedEnd {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof ReportedEnd, unknown>>;
  return (
    v.name === name &&
    TERMINAL_PHASES.includes(v.phase as never) &&
    Array.isArray(v.steps) &&
    typeof v.state === 'object' &&
    v.state !== null &&
    typeof v.finishedAt === 'string' &&
    (v.effects === undefined || Array.isArray(v.effects))
  );
}
