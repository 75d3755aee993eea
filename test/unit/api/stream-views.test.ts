import { diffViews, snapshotOf, streamViews, verificationsOf } from '../../../api/stream-views.js';
import type { VerificationRecord } from '../../../core/project/state.js';
import { demoState, FREIGHT_A, FREIGHT_B } from '../../api/support.js';

const NOW = Date.parse('2026-01-03T00:00:00Z');

describe('the event stream views', () => {
  it('holds every stage, freight, promotion and verification by kind and name', () => {
    const views = streamViews(demoState(), NOW, {});
    expect([...views.keys()].sort()).toEqual(
      ['Stage/dev', 'Stage/staging', 'Stage/prod', `Freight/${FREIGHT_A}`, `Freight/${FREIGHT_B}`, 'Promotion/dev.000001.aaaaaaa'].sort(),
    );
    expect(snapshotOf(views)).toMatchObject({ stages: expect.any(Array), freight: expect.any(Array), promotions: expect.any(Array), verifications: [] });
  });

  it('says nothing when nothing changed', () => {
    expect(diffViews(streamViews(demoState(), NOW, {}), streamViews(demoState(), NOW, {}))).toEqual([]);
  });

  it('names what was added, changed and removed, with its view, in a stable order', () => {
    const before = demoState();
    const after = demoState();
    delete after.freight[FREIGHT_B];
    after.promotions[0]!.phase = 'Failed';
    const verification: VerificationRecord = { id: 'dev.01.ccccccc', stage: 'dev', collection: 'c'.repeat(40), freight: [FREIGHT_A], phase: 'Running', workflowId: 'w' };
    after.stages['dev']!.currentVerification = verification;
    const changes = diffViews(streamViews(before, NOW, {}), streamViews(after, NOW, {}));
    expect(changes.map((c) => [c.type, c.kind, c.name])).toEqual([
      // Each stage lists every freight's availability; dev also shows its verification.
      ['changed', 'Stage', 'dev'],
      ['changed', 'Stage', 'prod'],
      ['changed', 'Stage', 'staging'],
      // Freight A's latest verification in dev.
      ['changed', 'Freight', FREIGHT_A],
      ['removed', 'Freight', FREIGHT_B],
      ['changed', 'Promotion', 'dev.000001.aaaaaaa'],
      ['added', 'Verification', 'dev.01.ccccccc'],
    ]);
    expect(changes.find((c) => c.kind === 'Promotion')!.object).toMatchObject({ status: { phase: 'Failed' } });
    expect(changes.find((c) => c.type === 'removed')!.object).toMatchObject({ metadata: { name: FREIGHT_B } });
  });

  it('lists a verification once, whether current or in the history', () => {
    const state = demoState();
    const v: VerificationRecord = { id: 'v1', stage: 'dev', collection: 'c'.repeat(40), freight: [FREIGHT_A], phase: 'Successful', workflowId: 'w' };
    state.stages['dev']!.currentVerification = v;
    state.stages['dev']!.freightHistory[0]!.verificationHistory = [v];
    expect(verificationsOf(state)).toEqual([v]);
  });
});
