import { isReadOnlyUiRequest } from '../../../launcher/read-only-ui-proxy.js';

describe('the embedded Temporal Web UI is read-only', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/workflows?query=x'],
    ['HEAD', '/'],
    ['OPTIONS', '/api/v1/namespaces'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/query/state'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/runs/abc/query/state?x=1'],
  ])('forwards %s %s', (method, path) => expect(isReadOnlyUiRequest(method, path)).toBe(true));

  it.each([
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/terminate'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/cancel'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/signal/approve'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/reset'],
    ['POST', '/api/v1/namespaces/default/workflows/project%3Ademo/update/promote'],
    ['POST', '/api/v1/namespaces/default/batch-operations/x'],
    ['POST', '/api/v1/namespaces/default/schedules/s'],
    ['DELETE', '/api/v1/namespaces/default/schedules/s'],
    ['PUT', '/api/v1/namespaces/default'],
    ['PATCH', '/api/v1/namespaces/default/schedules/s'],
    ['POST', '/api/v1/namespaces/default/workflows/x/query/y/../../terminate'],
  ])('refuses %s %s', (method, path) => expect(isReadOnlyUiRequest(method, path)).toBe(false));
});
