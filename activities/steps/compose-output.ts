/**
 * `compose-output`: its config, rendered, is its output, so later steps (or, inside a
 * PromotionTask, the steps after the task through `outputs.<taskAlias>`) can read values under
 * names of the author's choosing.
 */
import { z } from 'zod';
import type { StepDefinition } from './step.js';

export const ComposeOutputConfig = z.record(z.string(), z.unknown()).describe('Any keys and values.');
export type ComposeOutputConfig = z.infer<typeof ComposeOutputConfig>;

export const composeOutput: StepDefinition<ComposeOutputConfig> = {
  kind: 'compose-output',
  config: ComposeOutputConfig,
  async run(_ctx, config) {
    return { status: 'Succeeded', output: { ...config } };
  },
};
