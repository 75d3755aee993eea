/** Config fields the pull-request steps share. */
import { z } from 'zod';
import type { CredentialStore } from '../credentials.js';
import { gitProvider, PROVIDERS, type GitProvider, type ProviderName } from './index.js';

export const ProviderField = z.enum(PROVIDERS).optional().describe('The git provider (default: inferred from repoURL).');

/** A PR number, also when an expression rendered it as a string. */
export const PrNumber = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/, { error: 'expected a pull request number' })])
  .transform((v) => Number(v));

/** The repository fields every pull-request step has (spread into its schema). */
export const PrRepositoryFields = {
  repoURL: z.string().min(1).describe('URL of the repository.'),
  provider: ProviderField,
  insecureSkipTLSVerify: z.boolean().optional(),
};

/** The provider API for a pull-request step's repository, with the step's credentials. */
export function providerForStep(
  ctx: { credentials: CredentialStore; signal: AbortSignal },
  config: { repoURL: string; provider?: ProviderName | undefined; insecureSkipTLSVerify?: boolean | undefined },
): Promise<GitProvider> {
  return gitProvider(config.repoURL, {
    provider: config.provider,
    credentials: ctx.credentials,
    insecureSkipTLSVerify: config.insecureSkipTLSVerify,
    signal: ctx.signal,
  });
}
