/**
 * The test kit itself (test/support/manifests.ts, deferred.ts): every builder makes a manifest
 * Shunt's parser accepts as it is, so a suite that fails fails for its own reason; the gates
 * and call logs settle exactly when they say.
 */
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import { CallLog, deferred, Gate, Gates } from '../../support/deferred.js';
import {
  aClusterPromotionTask,
  aCredentialSecret,
  aFreight,
  aProject,
  aProjectConfig,
  aPromotionTask,
  asKubeSecret,
  aStage,
  aWarehouse,
  aYamlUpdate,
  request,
  yamlOf,
} from '../../support/manifests.js';

describe('the manifest builders', () => {
  it.each<[string, object[]]>([
    ['a project with its warehouse and a stage', [aProject(), aWarehouse(), aStage('dev')]],
    ['a control-flow stage downstream of another', [aProject(), aWarehouse(), aStage('dev'), aStage('gate', { steps: null, sources: { stages: ['dev'] } })]],
    ['a stage with a task, vars and verification', [aProject(), aWarehouse(), aPromotionTask('deploy'), aStage('dev', { steps: [{ task: { name: 'deploy' } }], templateVars: [{ name: 'a', value: '1' }], verification: { soak: { duration: '1h' } } })]],
    ['a stage with annotations and yaml-update steps', [aProject(), aWarehouse(), aStage('dev', { annotations: { 'shunt.dev/require-approval': 'true' }, steps: [aYamlUpdate(), aYamlUpdate('edit')] })]],
    ['freight with an alias', [aProject(), aWarehouse(), aFreight({ tag: '1.2.3', alias: 'first' })]],
    ['freight without a digest', [aProject(), aWarehouse(), aFreight({ digest: null })]],
    ['a ProjectConfig', [aProject(), aStage('dev'), aProjectConfig({ promotionPolicies: [{ stage: 'dev', autoPromotionEnabled: true }] })]],
    ['a ClusterPromotionTask', [aClusterPromotionTask('shared')]],
    ['a git credential Secret', [aCredentialSecret('repo', 'git', { repoURL: 'https://github.com/org/repo', username: 'u', password: 'p' })]],
    ['a generic Secret as Kubernetes returns it', [asKubeSecret(aCredentialSecret('token', 'generic', { token: 't' }))]],
  ])('%s parses with no issues', (_what, docs) => {
    const parsed = parseManifests(yamlOf(...docs), 'kit.yaml');
    expect(parsed.issues.map(formatIssue)).toEqual([]);
  });

  it('yields the objects back from their YAML, expressions and all', () => {
    const stage = aStage('dev', { project: 'p', requests: [request('app', { direct: true })], steps: [{ uses: 'yaml-update', config: { value: '${{ freight.images[0].tag }}' } }] });
    expect(parseManifests(yamlOf(aProject('p'), stage), 'kit.yaml').manifests[1]).toEqual(stage);
  });

  it('encodes a Secret the way the Kubernetes API does', () => {
    expect(asKubeSecret(aCredentialSecret('s', undefined, { token: 'abc' }, null))).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'YWJj' } });
  });
});

describe('deferred, gates and call logs', () => {
  it('settles a deferred once, and says so', async () => {
    const d = deferred<number>();
    expect(d.settled).toBe(false);
    d.resolve(7);
    expect(d.settled).toBe(true);
    await expect(d.promise).resolves.toBe(7);
  });

  it('holds a closed gate until it opens, and lets everything through an open one', async () => {
    const gate = new Gate();
    await gate.pass();
    gate.close();
    let passed = false;
    const waiting = gate.pass().then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    gate.open();
    await waiting;
    expect([passed, gate.isOpen]).toEqual([true, true]);
  });

  it('keeps one gate per key', async () => {
    const gates = new Gates();
    gates.of('a').close();
    expect([gates.of('a').isOpen, gates.of('b').isOpen]).toEqual([false, true]);
    gates.openAll();
    await gates.of('a').pass();
  });

  it('resolves when the nth call comes, and fails saying how many came when it does not', async () => {
    const log = new CallLog<string>();
    const second = log.reached(2, 'two calls');
    log.record('x');
    log.record('y');
    await expect(second).resolves.toEqual(['x', 'y']);
    await expect(log.reached(1)).resolves.toEqual(['x', 'y']);
    await expect(log.reached(3, 'a third call', 10)).rejects.toThrow('timed out waiting for a third call: 2 of 3 calls came');
  });
});
