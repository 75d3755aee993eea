/**
 * `set-freight-alias`: gives a Freight a new alias. The change is returned as an effect that the
 * project applies when the promotion ends; an alias another Freight already holds is not applied
 * and the promotion's message says so.
 */
import { z } from 'zod';
import type { StepDefinition } from './step.js';

/** Kargo keeps the alias in a label, so it must be a label value. */
export const ALIAS_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const SetFreightAliasConfig = z.strictObject({
  name: z.string().min(1).describe('Name (id) of the Freight.'),
  alias: z
    .string()
    .regex(ALIAS_PATTERN, { error: 'expected lower-case letters, digits and dashes, at most 63 characters' })
    .refine((a) => !/^[0-9a-f]{40}$/.test(a), { error: 'an alias must not look like a freight id' })
    .describe('The new alias; unique in the project.'),
});
export type SetFreightAliasConfig = z.infer<typeof SetFreightAliasConfig>;

export const setFreightAlias: StepDefinition<SetFreightAliasConfig> = {
  kind: 'set-freight-alias',
  config: SetFreightAliasConfig,
  async run(_ctx, config) {
    return { status: 'Succeeded', effects: [{ kind: 'set-freight-alias', freight: config.name, alias: config.alias }] };
  },
};
