/**
 * Issue 13, finding 3: an admin of proja only applied a `kind: List` whose own namespace was
 * proja and whose items were a Stage in projb and a new Project; both were created and only
 * proja's audit trail said so (the check read each document's top-level namespace, loosely).
 * The targets of an apply are now the parsed manifests themselves, each checked.
 */
import { enforcedAccess } from '../../api/auth/index.js';
import { bearer } from './auth-fixtures.js';
import { PROJECT_TOKENS, projectAuthConfig, twoProjectBackend } from './project-fixtures.js';
import { KARGO_API_VERSION, type Stage } from '../../core/model.js';
import { aClusterPromotionTask, aProject, aStage, yamlOf } from '../support/manifests.js';
import { request, startApi, type RunningApi } from './support.js';

const stage = (project: string, name: string): Stage => aStage(name, { project, steps: [{ uses: 'git-clone', as: 'clone' }] });
/** A Kubernetes List of `items`, with the metadata given. */
const aList = (metadata: { name?: string; namespace?: string } | undefined, ...items: object[]): object => ({
  apiVersion: KARGO_API_VERSION,
  kind: 'List',
  ...(metadata ? { metadata } : {}),
  items,
});

/** A List in proja (its own metadata says so) carrying a projb Stage and a new Project. */
const SMUGGLING_LIST = yamlOf(aList({ name: 'innocent', namespace: 'proja' }, stage('projb', 'evil'), aProject('projc')));

let api: RunningApi;
beforeEach(async () => {
  api = await startApi({ backend: twoProjectBackend(), access: enforcedAccess(projectAuthConfig()) });
});
afterEach(() => api.close());

const apply = (token: string, ...contents: string[]) =>
  request(api, 'POST', '/api/v1/apply', { body: { files: contents.map((content, i) => ({ name: `f${i}.yaml`, content })) }, headers: bearer(token) });
const applied = () => api.backend.calls.filter((c) => c.method === 'apply');
const auditOf = (project: string) => api.backend.audit.get(project) ?? [];

describe('an admin of proja only', () => {
  it('cannot write into projb through the items of a List: 403 naming the document, nothing applied', async () => {
    const res = await apply(PROJECT_TOKENS.adminA, SMUGGLING_LIST);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^f0\.yaml: Stage projb\/evil: amy-admin-a \(roles admin on proja\/\*\) may not change project "projb": that needs the admin role there$/);
    expect(applied()).toEqual([]);
    expect(api.backend.projects.get('projb')!.specs.stages['evil']).toBeUndefined();
  });

  it('cannot apply a ClusterConfig, whose webhook receivers refresh every project: 403, nothing applied', async () => {
    const clusterConfig = yamlOf({ apiVersion: KARGO_API_VERSION, kind: 'ClusterConfig', metadata: { name: 'cluster' }, spec: { webhookReceivers: [{ name: 'org', generic: { secretRef: { name: 's' } } }] } });
    for (const token of [PROJECT_TOKENS.adminA, PROJECT_TOKENS.adminAB]) {
      const res = await apply(token, clusterConfig);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/^f0\.yaml: ClusterConfig cluster: .* may not /);
    }
    expect(applied()).toEqual([]);
  });

  it('cannot create a Project through a List', async () => {
    const list = yamlOf(aList({ name: 'l', namespace: 'proja' }, aProject('projc')));
    const res = await apply(PROJECT_TOKENS.adminA, list);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^f0\.yaml: Project projc: amy-admin-a .* may not change project "projc"/);
    expect(applied()).toEqual([]);
  });

  it('is checked on every document of a multi-document file, and of every file', async () => {
    expect((await apply(PROJECT_TOKENS.adminA, yamlOf(stage('proja', 'ok'), stage('projb', 'evil')))).status).toBe(403);
    expect((await apply(PROJECT_TOKENS.adminA, yamlOf(stage('proja', 'ok')), yamlOf(stage('projb', 'evil')))).body.error.message).toMatch(/^f1\.yaml: Stage projb\/evil: /);
    expect(applied()).toEqual([]);
  });

  it('cannot hide a manifest in a nested List: a List inside a List is refused (400), nothing applied', async () => {
    const nested = yamlOf(aList({ name: 'outer', namespace: 'proja' }, { kind: 'List', items: [stage('projb', 'evil')] }));
    const res = await apply(PROJECT_TOKENS.adminA, nested);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/a List cannot contain another List/);
    expect(applied()).toEqual([]);
  });

  it('still applies a List whose every item is in proja', async () => {
    const list = yamlOf(aList(undefined, stage('proja', 'qa')));
    const res = await apply(PROJECT_TOKENS.adminA, list);
    expect(res.status).toBe(200);
    expect(applied()).toHaveLength(1);
  });
});

describe('the audit trail of an apply', () => {
  it('records the apply in every project it touches', async () => {
    const list = yamlOf(aList({ namespace: 'proja' }, stage('proja', 'qa'), stage('projb', 'qa')));
    const res = await apply(PROJECT_TOKENS.adminAB, list);
    expect(res.status).toBe(200);
    for (const p of ['proja', 'projb']) {
      expect(auditOf(p)).toEqual([expect.objectContaining({ actor: 'abe-admin-ab', action: 'apply', outcome: 'succeeded', project: p })]);
    }
  });

  it('records a refused List in the project it tried to reach', async () => {
    await apply(PROJECT_TOKENS.adminA, SMUGGLING_LIST);
    expect(auditOf('projb')).toEqual([expect.objectContaining({ actor: 'amy-admin-a', action: 'apply', outcome: 'denied', status: 403 })]);
  });
});

describe('a cluster-scoped ClusterPromotionTask', () => {
  const task = aClusterPromotionTask('shared', { steps: [{ uses: 'git-clone', as: 'clone' }] });

  it('needs admin over every project, even inside a List', async () => {
    const res = await apply(PROJECT_TOKENS.adminA, yamlOf(aList({ namespace: 'proja' }, task)));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^f0\.yaml: ClusterPromotionTask shared: amy-admin-a .* may not change every project/);
    expect(applied()).toEqual([]);
  });
});

describe('creating a project', () => {
  it('needs admin over the new project: an admin of every project may', async () => {
    expect((await apply(PROJECT_TOKENS.admin, yamlOf(aProject('projc')))).status).toBe(200);
    expect(api.backend.projects.has('projc')).toBe(true);
  });
});
