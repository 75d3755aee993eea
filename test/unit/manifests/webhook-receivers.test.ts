/**
 * Issue 17, "Webhook receivers": every Kargo receiver type applies (Gitea, Bitbucket, Harbor,
 * Artifactory, Azure besides the older ones), generic actions are read as Kargo's
 * GenericWebhookAction and checked at apply, and `kind: ClusterConfig` applies with its
 * receivers (hints say what Shunt ignores).
 */
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';
import { webhookReceivers } from '../../../core/manifests/webhook-receiver.js';

const projectConfig = (receivers: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: p, namespace: p}
spec:
  webhookReceivers:
${receivers}`;

const receiversOf = (yaml: string): ReturnType<typeof webhookReceivers> => {
  const parsed = parseManifests(yaml, 'pc.yaml');
  expect(parsed.issues.map(formatIssue)).toEqual([]);
  return webhookReceivers((parsed.manifests[0] as { spec: { webhookReceivers?: Record<string, unknown>[] } }).spec.webhookReceivers);
};

describe('webhook receiver types', () => {
  it.each(['gitea', 'bitbucket', 'harbor', 'artifactory', 'azure'])('%s applies', (provider) => {
    expect(receiversOf(projectConfig(`  - {name: r, ${provider}: {secretRef: {name: s}}}\n`))).toEqual([{ name: 'r', provider, secretName: 's' }]);
  });

  it("keeps Artifactory's virtualRepoName and the generic receiver's actions", () => {
    const got = receiversOf(
      projectConfig(`  - name: jfrog
    artifactory: {secretRef: {name: s}, virtualRepoName: docker-virtual}
  - name: ci
    generic:
      secretRef: {name: s}
      actions:
      - action: Refresh
        whenExpression: "request.header('X-Event-Type') == 'push'"
        parameters: {env: prod}
        targetSelectionCriteria:
        - kind: Warehouse
          name: "\${{ normalizeGit(request.body.repository.name) }}"
          labelSelector:
            matchExpressions: [{key: service, operator: In, values: [ui, api]}]
          indexSelector:
            matchIndices: [{key: subscribedURLs, operator: Equals, value: "\${{ request.body.url }}"}]
`),
    );
    expect(got[0]).toEqual({ name: 'jfrog', provider: 'artifactory', secretName: 's', virtualRepoName: 'docker-virtual' });
    expect(got[1]?.actions?.[0]).toMatchObject({ action: 'Refresh', parameters: { env: 'prod' }, targetSelectionCriteria: [{ kind: 'Warehouse', indexSelector: { matchIndices: [{ key: 'subscribedURLs' }] } }] });
  });

  it.each([
    ['an action Kargo does not have', '{action: Delete}', 'spec.webhookReceivers[0].generic.actions[0].action'],
    ['a whenExpression that does not parse', "{action: Refresh, whenExpression: 'request.header(('}", 'spec.webhookReceivers[0].generic.actions[0].whenExpression'],
    ['an index Kargo does not have', '{action: Refresh, targetSelectionCriteria: [{kind: Warehouse, indexSelector: {matchIndices: [{key: byName, operator: Equals, value: x}]}}]}', "unknown index; Kargo's generic receiver has only subscribedURLs"],
    ['a target kind Kargo does not refresh', '{action: Refresh, targetSelectionCriteria: [{kind: Stage, name: x}]}', 'targetSelectionCriteria[0].kind'],
    ['an unclosed expression in a name', '{action: Refresh, targetSelectionCriteria: [{kind: Warehouse, name: "${{ request.body"}]}', 'unclosed expression'],
  ])('refuses %s', (_, action, message) => {
    const parsed = parseManifests(projectConfig(`  - {name: ci, generic: {secretRef: {name: s}, actions: [${action}]}}\n`), 'pc.yaml');
    expect(parsed.issues.map(formatIssue).join('\n')).toContain(message);
  });

  it('hints at what Shunt does differently: a generic receiver without actions, Promotion targets', () => {
    const parsed = parseManifests(
      projectConfig(`  - {name: plain, generic: {secretRef: {name: s}}}
  - {name: promos, generic: {secretRef: {name: s}, actions: [{action: Refresh, targetSelectionCriteria: [{kind: Promotion, name: x}]}]}}
`),
      'pc.yaml',
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.hints.join('\n')).toContain('generic webhook receiver "plain" has no actions: Kargo would do nothing on a call');
    expect(parsed.hints.join('\n')).toContain('generic webhook receiver "promos" selects Promotions');
  });
});

describe('kind: ClusterConfig', () => {
  const clusterConfig = (body: string, name = 'cluster'): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ClusterConfig
metadata: {name: ${name}}
spec:
${body}`;

  it('applies with its receivers', () => {
    const parsed = parseManifests(clusterConfig('  webhookReceivers:\n  - {name: org, github: {secretRef: {name: gh}}}\n'), 'cc.yaml');
    expect(parsed.issues).toEqual([]);
    expect(parsed.manifests[0]).toMatchObject({ kind: 'ClusterConfig', metadata: { name: 'cluster' }, spec: { webhookReceivers: [{ name: 'org' }] } });
  });

  it.each([
    ['another name', clusterConfig('  webhookReceivers: []\n', 'main'), 'metadata.name: a ClusterConfig must be named "cluster"'],
    ['a namespace', clusterConfig('  webhookReceivers: []\n', 'cluster, namespace: x'), 'metadata.namespace: not allowed: this kind is cluster-scoped'],
    ['a gitClient without a valid email', clusterConfig('  gitClient: {name: Kargo, email: nope}\n'), 'spec.gitClient.email'],
    ['a receiver without its Secret', clusterConfig('  webhookReceivers:\n  - {name: org, gitea: {}}\n'), "spec.webhookReceivers[0].gitea.secretRef.name: required: the Secret holding the receiver's secret"],
    ['an unknown field', clusterConfig('  nope: 1\n'), 'spec'],
  ])('refuses %s', (_, yaml, message) => {
    expect(parseManifests(yaml, 'cc.yaml').issues.map(formatIssue).join('\n')).toContain(message);
  });

  it('says gitClient and promotionWindows are ignored', () => {
    const parsed = parseManifests(clusterConfig('  gitClient: {name: Kargo, email: no-reply@kargo.io, signingKeySecret: {name: k}}\n  promotionWindows: []\n'), 'cc.yaml');
    expect(parsed.issues).toEqual([]);
    expect(parsed.hints).toEqual([
      expect.stringContaining("gitClient is ignored: Shunt commits as each git-commit step's author"),
      expect.stringContaining('promotionWindows is a Kargo Enterprise field; Shunt ignores it'),
    ]);
  });
});
