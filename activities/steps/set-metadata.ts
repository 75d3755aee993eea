/**
 * `set-metadata`: sets keys of a Stage's or a Freight's metadata (Kargo's `status.metadata`),
 * read later with `stageMetadata()` / `freightMetadata()`. A `null` value deletes the key.
 * The change is returned as an effect: later steps of this promotion see it at once, and the
 * project applies it when the promotion ends.
 */
import { z } from 'zod';
import type { StepDefinition } from './step.js';

export const SetMetadataConfig = z.strictObject({
  updates: z
    .array(
      z.strictObject({
        kind: z.enum(['Stage', 'Freight']).describe('What to set metadata on.'),
        name: z.string().min(1).describe('Name of the Stage, or name (or alias) of the Freight.'),
        values: z.record(z.string().min(1), z.unknown()).describe('Keys and values to set; null deletes a key.'),
      }),
    )
    .min(1),
});
export type SetMetadataConfig = z.infer<typeof SetMetadataConfig>;

export const setMetadata: StepDefinition<SetMetadataConfig> = {
  kind: 'set-metadata',
  config: SetMetadataConfig,
  async run(_ctx, config) {
    return {
      status: 'Succeeded',
      effects: config.updates.map((u) => ({ kind: 'set-metadata' as const, target: u.kind, name: u.name, values: u.values })),
    };
  },
};
