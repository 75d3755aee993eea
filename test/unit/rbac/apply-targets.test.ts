/** What an apply's manifests target, and who may apply anything at all (issue 13, findings 3 and 8). */
import { parseManifestFiles } from '../../../core/manifests/files.js';
import { describeManifest, manifestTarget } from '../../../core/rbac/manifest-target.js';
import { holdsAnywhere, type Subject } from '../../../core/rbac/rbac.js';

const API = 'apiVersion: kargo.akuity.io/v1alpha1';

describe('manifestTarget', () => {
  it('targets each List item and each document by its own project, a ClusterPromotionTask every project', () => {
    const text = [
      `${API}\nkind: List\nmetadata: {namespace: proja}\nitems:`,
      `  - {apiVersion: kargo.akuity.io/v1alpha1, kind: Project, metadata: {name: projc}}`,
      `  - {apiVersion: kargo.akuity.io/v1alpha1, kind: Warehouse, metadata: {name: w, namespace: projb}, spec: {subscriptions: [{image: {repoURL: ghcr.io/a/b}}]}}`,
      `---\n${API}\nkind: ClusterPromotionTask\nmetadata: {name: t}\nspec: {steps: [{uses: git-clone}]}`,
    ].join('\n');
    const parsed = parseManifestFiles([{ name: 'f.yaml', content: text }]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.manifests.map(manifestTarget)).toEqual([{ project: 'projc' }, { project: 'projb' }, {}]);
    expect(parsed.manifests.map(describeManifest)).toEqual(['Project projc', 'Warehouse projb/w', 'ClusterPromotionTask t']);
    expect(parsed.files).toEqual(['f.yaml', 'f.yaml', 'f.yaml']);
  });
});

describe('holdsAnywhere', () => {
  const subject = (grants: Subject['grants']): Subject => ({ name: 'sam', via: 'token', grants });

  it('allows a caller holding the action in some project, and says what is missing otherwise', () => {
    expect(holdsAnywhere(subject([{ role: 'admin', projects: ['proja'], stages: ['*'] }]), 'admin')).toEqual({ allowed: true });
    expect(holdsAnywhere(subject([{ role: 'viewer', projects: ['*'], stages: ['*'] }]), 'admin')).toEqual({
      allowed: false,
      reason: 'sam (roles viewer on */*) may not change anything: that needs the admin role in some project',
    });
    expect(holdsAnywhere(subject([]), 'admin')).toMatchObject({ allowed: false, reason: expect.stringMatching(/^sam \(no roles\)/) });
  });
});
