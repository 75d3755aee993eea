import { commitRangesToRead, compareStages } from '../../../core/changes/stage-compare.js';
import { emptyProjectState } from '../../../core/project/apply.js';
import type { ProjectState } from '../../../core/project/state.js';
import type { FreightReference } from '../../../core/promotion/types.js';

const ref = (name: string, parts: Partial<FreightReference>): FreightReference => ({
  name,
  alias: name,
  origin: { kind: 'Warehouse', name: 'app' },
  images: [],
  commits: [],
  charts: [],
  ...parts,
});

function holding(state: ProjectState, stage: string, items: FreightReference[]): void {
  state.stages[stage] = {
    freightHistory: [{ collection: { id: `${stage}-c`, items: Object.fromEntries(items.map((i) => [`Warehouse/${i.origin.name}`, i])) }, promotedAt: '2026-01-01T00:00:00.000Z' }],
    queue: [],
  };
}

describe('compareStages', () => {
  it('matches images, charts and commits by repository, each side as the stage holds it', () => {
    const state = emptyProjectState('demo', '2026-01-01T00:00:00.000Z');
    holding(state, 'dev', [
      ref('f2', {
        images: [{ repoURL: 'ghcr.io/acme/app', tag: '1.1.0', digest: 'sha256:2' }],
        charts: [{ repoURL: 'oci://charts/acme', name: 'app', version: '2.0.0' }],
        commits: [{ repoURL: 'https://github.com/acme/src.git', id: 'b'.repeat(40) }],
      }),
    ]);
    holding(state, 'prod', [
      ref('f1', {
        images: [{ repoURL: 'ghcr.io/acme/app', tag: '1.0.0' }, { repoURL: 'ghcr.io/acme/sidecar', tag: '0.1.0' }],
        charts: [{ repoURL: 'oci://charts/acme', name: 'app', version: '1.0.0' }],
        commits: [{ repoURL: 'https://github.com/acme/src', id: 'a'.repeat(40) }],
      }),
    ]);
    const comparison = compareStages(state, 'dev', 'prod');
    expect(comparison).toEqual({
      stage: { name: 'dev', freight: 'f2' },
      with: { name: 'prod', freight: 'f1' },
      images: [
        { repoURL: 'ghcr.io/acme/app', stage: { tag: '1.1.0', digest: 'sha256:2' }, with: { tag: '1.0.0' } },
        { repoURL: 'ghcr.io/acme/sidecar', stage: {}, with: { tag: '0.1.0' } },
      ],
      charts: [{ repoURL: 'oci://charts/acme', name: 'app', stage: '2.0.0', with: '1.0.0' }],
      commits: [{ repoURL: 'https://github.com/acme/src.git', stage: 'b'.repeat(40), with: 'a'.repeat(40), between: [], truncated: false }],
    });
    expect(commitRangesToRead(comparison)).toHaveLength(1);
  });

  it('shows a stage that holds nothing by name only, and reads no commits then', () => {
    const state = emptyProjectState('demo', '2026-01-01T00:00:00.000Z');
    holding(state, 'dev', [ref('f1', { commits: [{ repoURL: 'https://x/src', id: 'a'.repeat(40) }] })]);
    const comparison = compareStages(state, 'dev', 'prod');
    expect(comparison.with).toEqual({ name: 'prod' });
    expect(comparison.commits).toEqual([{ repoURL: 'https://x/src', stage: 'a'.repeat(40), between: [], truncated: false }]);
    expect(commitRangesToRead(comparison)).toEqual([]);
  });
});
