/** Config fields the pull-request steps share. */
import { z } from 'zod';
import { PROVIDERS } from './index.js';

export const ProviderField = z.enum(PROVIDERS).optional().describe('The git provider (default: inferred from repoURL).');

/** A PR number, also when an expression rendered it as a string. */
export const PrNumber = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/, { error: 'expected a pull request number' })])
  .transform((v) => Number(v));
