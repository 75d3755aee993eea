/** `fail`: always fails the step (and so the promotion, unless `continueOnError`), with `message`. */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { StepDefinition } from './step.js';

export const FailConfig = z.strictObject({
  message: z.string().optional().describe('Why the promotion fails.'),
});
export type FailConfig = z.infer<typeof FailConfig>;

export const fail: StepDefinition<FailConfig> = {
  kind: 'fail',
  config: FailConfig,
  async run(_ctx, config) {
    throw new DomainError('StepFailed', config.message && config.message !== '' ? config.message : 'the fail step failed the promotion');
  },
};
