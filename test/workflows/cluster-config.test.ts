/**
 * Issue 17: `kind: ClusterConfig` applies through the api's TemporalBackend and is kept in the
 * cluster workflow, so its webhook receivers answer (api/webhooks/receiver-index.ts reads it
 * with getClusterConfig): created, then unchanged or configured; a dry run stores nothing.
 */
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let harness: WorkflowHarness;
let backend: TemporalBackend;

beforeAll(async () => {
  harness = await startWorkflowHarness({ namespace: 'cluster-config', activities: {} });
  ({ backend } = harness);
});
afterAll(async () => {
  await harness?.stop();
});

const clusterConfig = (receiver: string): string => `apiVersion: kargo.akuity.io/v1alpha1
kind: ClusterConfig
metadata: {name: cluster}
spec:
  webhookReceivers:
  - {name: ${receiver}, github: {secretRef: {name: gh-wh-secret}}}
`;

describe('ClusterConfig through the TemporalBackend', () => {
  it('a dry run stores nothing; an apply is kept, then unchanged or configured', async () => {
    const dry = await backend.apply([{ name: 'cc.yaml', content: clusterConfig('org') }], { dryRun: true });
    expect(dry.results).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'created' }]);
    expect(await backend.getClusterConfig()).toBeUndefined();

    const created = await backend.apply([{ name: 'cc.yaml', content: clusterConfig('org') }], { dryRun: false });
    expect(created.results).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'created' }]);
    expect(await backend.getClusterConfig()).toMatchObject({ kind: 'ClusterConfig', spec: { webhookReceivers: [{ name: 'org' }] } });

    const again = await backend.apply([{ name: 'cc.yaml', content: clusterConfig('org') }], { dryRun: false });
    expect(again.results).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'unchanged' }]);

    const changed = await backend.apply([{ name: 'cc.yaml', content: clusterConfig('org-2') }], { dryRun: false });
    expect(changed.results).toEqual([{ kind: 'ClusterConfig', name: 'cluster', action: 'configured' }]);
    expect(await backend.getClusterConfig()).toMatchObject({ spec: { webhookReceivers: [{ name: 'org-2' }] } });
  });
});
