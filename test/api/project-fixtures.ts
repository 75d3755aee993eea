import { hashToken, parseAuthConfig } from '../../api/auth/index.js';
import type { AuthConfigFile } from '../../api/auth/config-file.js';
import { FakeBackend } from './fake-backend.js';
import { demoState } from './support.js';

/** Two projects, `proja` and `projb` (each the demo pipeline), and callers scoped to one of them. */
export const PROJECT_TOKENS = {
  /** Reads proja only. */
  viewerA: 'viewer-of-proja-0123456789',
  /** Admin of proja only. */
  adminA: 'admin-of-proja-0123456789',
  /** Admin of proja and projb. */
  adminAB: 'admin-of-proja-and-projb-0123456789',
  /** Admin of every project. */
  admin: 'admin-of-everything-0123456789',
} as const;

export function projectAuthConfig(): AuthConfigFile {
  return parseAuthConfig(
    `
tokens:
  - { name: vic-viewer-a, sha256: ${hashToken(PROJECT_TOKENS.viewerA)}, grants: [{ role: viewer, projects: [proja] }] }
  - { name: amy-admin-a, sha256: ${hashToken(PROJECT_TOKENS.adminA)}, grants: [{ role: admin, projects: [proja] }] }
  - { name: abe-admin-ab, sha256: ${hashToken(PROJECT_TOKENS.adminAB)}, grants: [{ role: admin, projects: [proja, projb] }] }
  - { name: root-admin, sha256: ${hashToken(PROJECT_TOKENS.admin)}, grants: [{ role: admin }] }
`,
    'auth.yaml',
  );
}

export function twoProjectBackend(): FakeBackend {
  const backend = new FakeBackend();
  for (const name of ['proja', 'projb']) {
    const state = demoState();
    state.project = name;
    backend.projects.set(name, state);
  }
  return backend;
}
