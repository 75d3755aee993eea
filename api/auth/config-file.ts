/**
 * The access-control config file (SHUNT_AUTH_CONFIG): static tokens, stored as SHA-256 hashes
 * only, and optionally an OIDC issuer whose groups map to roles.
 *
 * ```yaml
 * tokens:
 *   - name: alice                       # the actor recorded for this token
 *     sha256: 2c26b46b68ffc68ff99b453c…  # printf %s "$TOKEN" | sha256sum
 *     grants:
 *       - { role: promoter, projects: [demo], stages: [dev, staging] }
 * oidc:
 *   issuer: https://login.example.com
 *   audience: shunt
 *   groups:
 *     - { group: release-managers, grants: [{ role: approver, projects: ["*"], stages: ["prod*"] }] }
 *   clientId: shunt-page                # sign-in of the page (public client, PKCE)
 *   cliClientId: shunt-cli              # `shunt login` (default clientId)
 *   scopes: [openid, profile, email, groups]
 * ```
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import { ROLES } from '../../core/rbac/rbac.js';

/** How OIDC users are named in the audit trail (`oidc:<username>`); no static token may be named so. */
export const OIDC_ACTOR_PREFIX = 'oidc:';

const pattern = z.string().min(1, 'must not be empty');

export const GrantSpec = z.object({
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
  projects: z.array(pattern).min(1, 'list at least one project pattern').default(['*']),
  stages: z.array(pattern).min(1, 'list at least one stage pattern').default(['*']),
});
export type GrantSpec = z.infer<typeof GrantSpec>;

const grants = z.array(GrantSpec).min(1, 'list at least one grant');

export const TokenSpec = z.object({
  name: z
    .string()
    .regex(/^[\w.@:-]{1,128}$/, 'letters, digits and . _ @ : - only')
    .refine((n) => !n.toLowerCase().startsWith(OIDC_ACTOR_PREFIX), `must not start with "${OIDC_ACTOR_PREFIX}": that prefix names OIDC users in the audit trail`),
  sha256: z
    .string()
    .transform((s) => s.trim().toLowerCase().replace(/^sha256:/, ''))
    .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 hex digits of the token\'s SHA-256 (printf %s "$TOKEN" | sha256sum)')),
  grants,
});

export const OidcSpec = z.object({
  issuer: z.string().url('must be the issuer URL'),
  audience: z.string().min(1),
  /** Default: the issuer's discovery document names it. */
  jwksUri: z.string().url().optional(),
  /** Claim that names the actor; default `email`, falling back to `sub`. */
  usernameClaim: z.string().min(1).default('email'),
  groupsClaim: z.string().min(1).default('groups'),
  groups: z.array(z.object({ group: z.string().min(1), grants })).default([]),
  /**
   * Sign-in (the page, `shunt login`): the public client the page signs in with (authorization
   * code + PKCE, no secret). Without it the page offers only the token form.
   */
  clientId: z.string().min(1).optional(),
  /** The public client of `shunt login` (loopback redirect, RFC 8252); default `clientId`. */
  cliClientId: z.string().min(1).optional(),
  /** Scopes asked for at sign-in. */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is one word of printable characters')).min(1).default(['openid', 'profile', 'email']),
});
export type OidcSpec = z.infer<typeof OidcSpec>;

export const AuthConfigFile = z
  .object({
    tokens: z.array(TokenSpec).default([]),
    oidc: OidcSpec.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.tokens.forEach((t, i) => {
      const first = seen.get(t.sha256);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'sha256'], message: `same hash as tokens[${first}]` });
      seen.set(t.sha256, i);
    });
    if (config.tokens.length === 0 && config.oidc === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'lists no tokens and no oidc issuer: nobody could sign in' });
    }
  });
export type AuthConfigFile = z.infer<typeof AuthConfigFile>;

/** Thrown when the file cannot be read or is invalid; `details` lists every problem. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
  constructor(
    readonly path: string,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(`access-control config ${path}: ${message}`);
  }
}

export function parseAuthConfig(text: string, path: string): AuthConfigFile {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new AuthConfigError(path, `is not valid YAML or JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AuthConfigError(path, 'expected a mapping with `tokens` and/or `oidc`');
  }
  const parsed = AuthConfigFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  throw new AuthConfigError(path, details.join('; '), details);
}

export async function loadAuthConfig(path: string): Promise<AuthConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AuthConfigError(path, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseAuthConfig(text, path);
}
