import { freightStatusOf, freightStatusView } from '../../../core/project/freight-status.js';
import { aFreight, aState, HOUR, MINUTE, T0 } from './builders.js';

describe('freightStatusOf (the project workflow’s freightStatus query)', () => {
  const held = aFreight('f1', {
    alias: 'old-otter',
    currentlyIn: { dev: { since: T0 } },
    verifiedIn: { dev: { verifiedAt: T0, longestSoakMs: HOUR + 30 * MINUTE }, qa: { verifiedAt: T0 } },
    approvedFor: { prod: { approvedAt: T0, approvedBy: 'alice' }, uat: { approvedAt: T0 } },
    metadata: { ticket: 'OPS-1', checks: { passed: true } },
  });
  const bare = aFreight('f2', { alias: 'new-newt' });
  const state = aState({ freight: [held, bare] });

  it('answers Kargo’s FreightStatus shape by id or alias: currentlyIn, verifiedIn (soak as a Go duration), approvedFor, metadata', () => {
    const expected = {
      name: 'f1',
      status: {
        currentlyIn: { dev: { since: T0 } },
        verifiedIn: { dev: { verifiedAt: T0, longestSoak: '1h30m0s' }, qa: { verifiedAt: T0 } },
        approvedFor: { prod: { approvedAt: T0, approvedBy: 'alice' }, uat: { approvedAt: T0 } },
        metadata: { ticket: 'OPS-1', checks: { passed: true } },
      },
    };
    expect(freightStatusOf(state, 'f1')).toEqual(expected);
    expect(freightStatusOf(state, 'old-otter')).toEqual(expected);
  });

  it('a freight nowhere yet: empty maps and no metadata; an unknown freight: null', () => {
    expect(freightStatusOf(state, 'new-newt')).toEqual({ name: 'f2', status: { currentlyIn: {}, verifiedIn: {}, approvedFor: {} } });
    expect(freightStatusOf(state, 'nope')).toBeNull();
    expect(freightStatusOf(state, '')).toBeNull();
  });

  it('is a copy: changing the answer leaves the state alone', () => {
    const view = freightStatusView(held);
    (view.metadata!['checks'] as Record<string, unknown>)['passed'] = false;
    view.currentlyIn['prod'] = { since: T0 };
    expect(held.metadata).toEqual({ ticket: 'OPS-1', checks: { passed: true } });
    expect(held.currentlyIn).toEqual({ dev: { since: T0 } });
  });
});
