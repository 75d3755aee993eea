/**
 * Issue 13, finding 2: a token that may read only proja read projb by changing the letter
 * case of the path (express matched `/PROJECTS/projb/freight` case-insensitively, the
 * permission table did not, and an unmatched GET fell back to an allowed read). Routing is now
 * case-sensitive and strict, the permission is the matched route's, and nothing else is served.
 */
import { createApp, OPEN_API_ROUTES } from '../../api/app.js';
import { API_ROUTES } from '../../api/api-routes.js';
import { enforcedAccess, openAccess } from '../../api/auth/index.js';
import { listRoutes } from '../../api/route-list.js';
import { bearer } from './auth-fixtures.js';
import { PROJECT_TOKENS, projectAuthConfig, twoProjectBackend } from './project-fixtures.js';
import { request, startApi, type RunningApi } from './support.js';

let api: RunningApi;
beforeEach(async () => {
  api = await startApi({ backend: twoProjectBackend(), access: enforcedAccess(projectAuthConfig()) });
});
afterEach(() => api.close());

const asViewerA = (path: string) => request(api, 'GET', path, { headers: bearer(PROJECT_TOKENS.viewerA) });
const reads = () => api.backend.calls.filter((c) => c.method !== 'recordAudit' && c.method !== 'listAudit');

describe('a viewer of proja', () => {
  it('reads proja and is refused projb', async () => {
    expect((await asViewerA('/api/v1/projects/proja/freight')).status).toBe(200);
    const refused = await asViewerA('/api/v1/projects/projb/freight');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/vic-viewer-a .* may not read project "projb"/);
  });

  it.each([
    '/api/v1/PROJECTS/projb/freight',
    '/api/v1/Projects/projb/freight',
    '/api/v1/projects/projb/FREIGHT',
    '/api/v1/projects/projb/Stages',
    '/api/v1/projects/projb/freight/',
    '/api/v1/projects/projb/',
    '/API/v1/projects/projb/freight',
    '/api/V1/projects/projb/stages',
    '/api/v1/projects/projb/nothing-here',
  ])('cannot read projb through %s: 404, and the backend is never asked', async (path) => {
    const res = await asViewerA(path);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
    expect(JSON.stringify(res.body)).not.toContain('tidy-otter');
    expect(reads()).toEqual([]);
  });

  it('gets 401, not 404, for an unknown path without a token: authentication comes first', async () => {
    expect((await request(api, 'GET', '/api/v1/PROJECTS/projb/freight')).status).toBe(401);
  });
});

describe('the route table', () => {
  it('is exactly what the app serves under /api/v1: no route without a permission but the two of sign-in', () => {
    const served = listRoutes(createApp({ backend: twoProjectBackend(), access: openAccess() }))
      .filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(served).toEqual([...API_ROUTES.map((r) => `${r.method} /api/v1${r.path}`), ...OPEN_API_ROUTES].sort());
    for (const route of API_ROUTES) expect(route.permission.action).toMatch(/^(read|promote|approve|admin)$/);
  });

  it('derives each target from the matched route\'s parameters', async () => {
    const res = await request(api, 'DELETE', '/api/v1/projects/projb/stages/prod', { headers: bearer(PROJECT_TOKENS.adminA) });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('amy-admin-a (roles admin on proja/*) may not change stage "prod" of project "projb": that needs the admin role there');
    expect(api.backend.calls.filter((c) => c.method === 'deleteResource')).toEqual([]);
  });
});
