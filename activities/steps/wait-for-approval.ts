/**
 * `wait-for-approval`: the promotion stops here until a person approves it (`shunt approve
 * promotion NAME`). This activity only checks and renders the config; the waiting is done by
 * the promotion workflow (workflows/promotion.ts), the same mechanism as a stage's approval gate,
 * so that a wait of days holds no worker and survives restarts.
 *
 * Output (after approval, added by the workflow): `message`, `approvedBy`, `approvedAt`.
 */
import { z } from 'zod';
import type { StepDefinition } from './step.js';

export const WaitForApprovalConfig = z.strictObject({
  message: z.string().min(1).optional().describe('Shown to approvers while the promotion waits.'),
  approverNotRequester: z
    .boolean()
    .optional()
    .describe('The approver must be someone other than the person who asked for the promotion.'),
});
export type WaitForApprovalConfig = z.infer<typeof WaitForApprovalConfig>;

export const waitForApproval: StepDefinition<WaitForApprovalConfig> = {
  kind: 'wait-for-approval',
  config: WaitForApprovalConfig,
  async run(_ctx, config) {
    const output: Record<string, unknown> = { approverNotRequester: config.approverNotRequester === true };
    if (config.message !== undefined) output['message'] = config.message;
    return { status: 'Succeeded', output };
  },
};
