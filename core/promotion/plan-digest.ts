import { sha1Hex } from '../hash.js';
import { stableStringify } from '../stable-stringify.js';
import type { PromotionPlan } from './types.js';

/** Identifies a plan's content: a retry resumes in a kept workspace only with the same plan. */
export function planDigest(plan: PromotionPlan): string {
  return sha1Hex(stableStringify(plan));
}
