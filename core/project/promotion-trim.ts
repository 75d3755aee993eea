/**
 * What the project state keeps of a finished promotion. Its step outputs (Kargo's
 * `status.state`) and the full step messages stay in the promotion workflow, which answers its
 * `status` query after it closes; the project keeps the summary the pipeline needs (phase, steps'
 * statuses, freight, actor, times) and, for a failed promotion whose workspace a retry may resume
 * in, the outputs that resume needs when they are small. Larger outputs give up the resume: the
 * workspace is then released as stale when the stage's next promotion starts, and a retry starts
 * from the first step.
 */
import { jsonSize } from '../payload-budget.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import type { PromotionRecord } from './state.js';

/** Longest step message kept in the project state (characters). */
export const STEP_MESSAGE_KEPT = 512;
/** Largest step outputs kept for a retry's resume (bytes of JSON). */
export const RESUME_OUTPUTS_KEPT_BYTES = 16 * 1024;

/** Trims a finished promotion's record in place; a record not finished is left alone. */
export function trimPromotionRecord(record: PromotionRecord): void {
  if (!TERMINAL_PHASES.includes(record.phase)) return;
  const resumable = record.workspace && jsonSize(record.state ?? {}, RESUME_OUTPUTS_KEPT_BYTES).bytes <= RESUME_OUTPUTS_KEPT_BYTES;
  if (!resumable) delete record.state;
  for (const step of record.steps) {
    if (step.message !== undefined && step.message.length > STEP_MESSAGE_KEPT) step.message = `${step.message.slice(0, STEP_MESSAGE_KEPT - 1)}…`;
  }
  if (record.message !== undefined && record.message.length > STEP_MESSAGE_KEPT) {
    record.message = `${record.message.slice(0, STEP_MESSAGE_KEPT - 1)}…`;
  }
  record.trimmed = true;
}
