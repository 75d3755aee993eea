import { enforcedAccess, hashToken } from '../../api/auth/index.js';
import type { AuthConfigFile } from '../../api/auth/config-file.js';
import { parseAuthConfig } from '../../api/auth/config-file.js';
import { demoBackend, FREIGHT_A, request, startApi, type RunningApi } from './support.js';

/** The people of the access-control tests, each with a token and roles in project `demo`. */
export const TOKENS = {
  /** Reads everything, changes nothing. */
  viewer: 'viewer-token-0123456789',
  /** A developer: promotes to dev and staging only. */
  developer: 'developer-token-0123456789',
  /** A release manager: promotes and approves prod. */
  releaseManager: 'release-manager-token-0123456789',
  /** Applies and deletes. */
  admin: 'admin-token-0123456789',
  /** Viewer of another project only. */
  outsider: 'outsider-token-0123456789',
} as const;

export const AUTH_CONFIG_YAML = `
tokens:
  - name: vera-viewer
    sha256: ${hashToken(TOKENS.viewer)}
    grants: [{ role: viewer, projects: [demo] }]
  - name: dev-dana
    sha256: ${hashToken(TOKENS.developer)}
    grants:
      - { role: promoter, projects: [demo], stages: [dev, staging] }
      - { role: approver, projects: [demo], stages: [staging] }
  - name: rita-release
    sha256: "SHA256:${hashToken(TOKENS.releaseManager).toUpperCase()}"
    grants:
      - { role: promoter, projects: ["*"] }
      - { role: approver, projects: ["*"], stages: ["prod*"] }
  - name: adam-admin
    sha256: ${hashToken(TOKENS.admin)}
    grants: [{ role: admin }]
  - name: otto-outsider
    sha256: ${hashToken(TOKENS.outsider)}
    grants: [{ role: viewer, projects: [other] }]
`;

export function authConfig(): AuthConfigFile {
  return parseAuthConfig(AUTH_CONFIG_YAML, 'auth.yaml');
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * The demo api with the access-control fixtures' people: freight A (verified in dev) is also
 * approved for prod, so that only permissions stand between a caller and a prod promotion.
 */
export async function startAccessControlledApi(): Promise<RunningApi> {
  const backend = demoBackend();
  backend.projects.get('demo')!.freight[FREIGHT_A]!.approvedFor['prod'] = { approvedAt: '2026-01-01T01:00:00.000Z' };
  return startApi({ backend, access: enforcedAccess(authConfig()) });
}

/** Asks, as the holder of `token`, to promote freight A (tidy-otter) to `stage` of project demo. */
export const promoteAs = (api: RunningApi, token: string, stage: string) =>
  request(api, 'POST', '/api/v1/projects/demo/promotions', { body: { stage, freight: 'tidy-otter' }, headers: bearer(token) });
