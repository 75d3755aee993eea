import { stageFreightAvailability } from '../../../core/project/promotable-freight.js';
import { promotionIssue } from '../../../core/project/promotions.js';
import { aFreight, aState, at, HOUR, MINUTE, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

const NOW = T0_MS + 10 * HOUR;
const verified = { verifiedAt: T0 };

/** dev (direct) → staging (30m soak in dev) → prod (approval or staging); `gate` has no steps; `other` requests another warehouse. */
function pipeline() {
  return aState({
    stages: [
      aStage('dev'),
      aStage('staging', { requests: [request('app', { stages: ['dev'], requiredSoakTime: '30m' })] }),
      aStage('prod', { requests: [request('app', { stages: ['staging'] })] }),
      aStage('both', { requests: [request('app', { stages: ['dev', 'staging'], availabilityStrategy: 'All' })] }),
      aStage('gate', { requests: [request('app', { stages: ['dev'] })], steps: [] }),
      aStage('other', { requests: [request('config', { direct: true })] }),
    ],
    freight: [
      // older: in dev for 10 minutes, verified there
      aFreight('f1', { discoveredAt: at(HOUR), verifiedIn: { dev: verified }, currentlyIn: { dev: { since: at(10 * HOUR - 10 * MINUTE) } } }),
      // newer: nowhere yet, but approved for prod
      aFreight('f2', { discoveredAt: at(2 * HOUR), approvedFor: { prod: { approvedAt: T0, approvedBy: 'rita' } } }),
    ],
  });
}

describe('stageFreightAvailability', () => {
  it('lists every freight newest first, available straight from the warehouse for a direct stage', () => {
    expect(stageFreightAvailability(pipeline(), 'dev', NOW)).toEqual([
      { freight: 'f2', alias: 'alias-f2', origin: 'app', available: true, via: 'direct' },
      { freight: 'f1', alias: 'alias-f1', origin: 'app', available: true, via: 'direct' },
    ]);
  });

  it('says which upstream stage has not verified the freight, and how long a soak still has to run', () => {
    expect(stageFreightAvailability(pipeline(), 'staging', NOW)).toEqual([
      {
        freight: 'f2',
        alias: 'alias-f2',
        origin: 'app',
        available: false,
        reason: 'freight alias-f2 is not available to stage "staging": it must first be verified in its upstream stage (not verified in "dev"), or approved for "staging"',
        blockers: [{ kind: 'NotVerified', stage: 'dev' }],
      },
      {
        freight: 'f1',
        alias: 'alias-f1',
        origin: 'app',
        available: false,
        reason: 'freight alias-f1 is not available to stage "staging": it must first be verified in its upstream stage (soaked 600s of the required 1800s in "dev"), or approved for "staging"',
        blockers: [{ kind: 'Soaking', stage: 'dev', soakedMs: 10 * MINUTE, requiredMs: 30 * MINUTE, availableAt: at(10 * HOUR + 20 * MINUTE) }],
      },
    ]);
  });

  it('makes soaked freight available once the soak has run, at availableAt', () => {
    const later = stageFreightAvailability(pipeline(), 'staging', T0_MS + 10 * HOUR + 20 * MINUTE);
    expect(later.find((e) => e.freight === 'f1')).toEqual({ freight: 'f1', alias: 'alias-f1', origin: 'app', available: true, via: 'upstream' });
  });

  it('counts an approval for the stage, and names every upstream that fails an All strategy', () => {
    const prod = stageFreightAvailability(pipeline(), 'prod', NOW);
    expect(prod.find((e) => e.freight === 'f2')).toMatchObject({ available: true, via: 'approval' });
    const both = stageFreightAvailability(pipeline(), 'both', NOW);
    expect(both.find((e) => e.freight === 'f1')).toMatchObject({
      available: false,
      reason: expect.stringMatching(/verified in every upstream stage \(not verified in "staging"\)/),
      blockers: [{ kind: 'NotVerified', stage: 'staging' }],
    });
  });

  it('refuses every freight for a stage without promotion steps', () => {
    expect(stageFreightAvailability(pipeline(), 'gate', NOW).map((e) => [e.freight, e.available, e.reason, e.blockers])).toEqual([
      ['f2', false, 'stage "gate" has no promotion steps, so it cannot be promoted to', [{ kind: 'NoPromotionSteps' }]],
      ['f1', false, 'stage "gate" has no promotion steps, so it cannot be promoted to', [{ kind: 'NoPromotionSteps' }]],
    ]);
  });

  it('refuses freight of a warehouse the stage does not request (origin mismatch)', () => {
    expect(stageFreightAvailability(pipeline(), 'other', NOW)[0]).toMatchObject({
      available: false,
      reason: 'stage "other" does not request freight from warehouse "app"',
      blockers: [{ kind: 'OriginNotRequested', origin: 'app' }],
    });
  });

  it('says a rollback is refused the way the promotion request is refused', () => {
    const state = pipeline();
    const old = aFreight('f0', { discoveredAt: T0 });
    state.freight['f0'] = old;
    const ref = (f: typeof old) => ({ name: f.name, alias: f.alias, origin: f.origin, commits: f.commits, images: f.images, charts: f.charts });
    state.stages['prod'] = {
      queue: [],
      freightHistory: [
        { collection: { id: 'c2', items: { 'Warehouse/app': ref(state.freight['f1']!) } }, promotedAt: at(HOUR) },
        { collection: { id: 'c1', items: { 'Warehouse/app': ref(old) } }, promotedAt: T0 },
      ],
    };
    expect(stageFreightAvailability(state, 'prod', NOW).find((e) => e.freight === 'f0')).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^rolling stage "prod" back to freight alias-f0 is refused: freight alias-f0 is not available to stage "prod"/),
    });
  });

  it('is empty for an unknown stage', () => {
    expect(stageFreightAvailability(pipeline(), 'nope', NOW)).toEqual([]);
  });

  it.each(['dev', 'staging', 'prod', 'both', 'gate', 'other'])('agrees with the refusal of a promotion request for every freight of %s', (stage) => {
    const state = pipeline();
    for (const entry of stageFreightAvailability(state, stage, NOW)) {
      const issue = promotionIssue(state, stage, entry.freight, NOW);
      expect([entry.available, entry.reason]).toEqual([issue === undefined, issue?.message]);
    }
  });
});
