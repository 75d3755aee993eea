import type { FreightRequest } from '../../../core/model.js';
import { freightAvailability, requestFor, type Availability } from '../../../core/project/availability.js';
import type { FreightRecord } from '../../../core/project/state.js';
import { aFreight, at, HOUR, MINUTE, T0, T0_MS } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

/** "Now" for every case: ten hours after T0. */
const NOW = T0_MS + 10 * HOUR;
const ago = (ms: number): string => at(10 * HOUR - ms);
const verified = { verifiedAt: T0 };

describe('requestFor', () => {
  const stage = aStage('prod', {
    requests: [request('app', { stages: ['staging'] }), request('config', { direct: true })],
  });

  it.each<[string, string, FreightRequest | undefined]>([
    ['the first origin', 'app', request('app', { stages: ['staging'] })],
    ['the second origin', 'config', request('config', { direct: true })],
    ['an origin the stage does not request', 'other', undefined],
  ])('returns the request for %s', (_, origin, expected) => {
    // act
    const found = requestFor(stage, origin);

    // assert
    expect(found).toEqual(expected);
  });
});

describe('freightAvailability', () => {
  it.each<[string, FreightRequest, Partial<FreightRecord>, Availability]>([
    // ---- origin
    [
      'freight of an origin the stage does not request',
      request('app', { direct: true }),
      { origin: { kind: 'Warehouse', name: 'other' } },
      { available: false, reason: 'stage "prod" does not request freight from warehouse "other"', blockers: [{ kind: 'OriginNotRequested', origin: 'other' }] },
    ],
    [
      'freight of an origin the stage does not request, even when approved for it',
      request('app', { direct: true }),
      { origin: { kind: 'Warehouse', name: 'other' }, approvedFor: { prod: { approvedAt: T0 } } },
      { available: false, reason: 'stage "prod" does not request freight from warehouse "other"', blockers: [{ kind: 'OriginNotRequested', origin: 'other' }] },
    ],
    // ---- direct and approval
    ['any freight when the request is direct', request('app', { direct: true }), {}, { available: true, via: 'direct' }],
    [
      'direct freight even when upstream stages are listed too',
      request('app', { direct: true, stages: ['staging'] }),
      {},
      { available: true, via: 'direct' },
    ],
    [
      'freight approved for the stage, without verification upstream',
      request('app', { stages: ['staging'] }),
      { approvedFor: { prod: { approvedAt: T0, approvedBy: 'alice' } } },
      { available: true, via: 'approval' },
    ],
    [
      'freight approved for the stage, before a direct request is considered',
      request('app', { direct: true }),
      { approvedFor: { prod: { approvedAt: T0 } } },
      { available: true, via: 'approval' },
    ],
    [
      'freight approved for the stage, bypassing an unmet soak',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: verified }, currentlyIn: { staging: { since: ago(MINUTE) } }, approvedFor: { prod: { approvedAt: T0 } } },
      { available: true, via: 'approval' },
    ],
    [
      'freight approved for another stage only',
      request('app', { stages: ['staging'] }),
      { approvedFor: { qa: { approvedAt: T0 } } },
      {
        available: false,
        reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'staging' }],
      },
    ],
    // ---- one upstream
    [
      'freight verified in the upstream stage',
      request('app', { stages: ['staging'] }),
      { verifiedIn: { staging: verified } },
      { available: true, via: 'upstream' },
    ],
    [
      'freight verified in some other stage',
      request('app', { stages: ['staging'] }),
      { verifiedIn: { dev: verified }, currentlyIn: { staging: { since: T0 } } },
      {
        available: false,
        reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'staging' }],
      },
    ],
    // ---- OneOf vs All
    [
      'OneOf: freight verified in one of two upstream stages',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'OneOf' }),
      { verifiedIn: { west: verified } },
      { available: true, via: 'upstream' },
    ],
    [
      'an unset strategy as OneOf',
      request('app', { stages: ['east', 'west'] }),
      { verifiedIn: { east: verified } },
      { available: true, via: 'upstream' },
    ],
    [
      'OneOf: freight verified in none of two upstream stages',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'OneOf' }),
      { verifiedIn: { dev: verified } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in one of its upstream stages (not verified in "east"; not verified in "west"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'east' }, { kind: 'NotVerified', stage: 'west' }],
      },
    ],
    [
      'All: freight verified in every upstream stage',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'All' }),
      { verifiedIn: { east: verified, west: verified } },
      { available: true, via: 'upstream' },
    ],
    [
      'All: freight verified in one of two upstream stages',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'All' }),
      { verifiedIn: { east: verified } },
      {
        available: false,
        reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in every upstream stage (not verified in "west"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'west' }],
      },
    ],
    [
      'All with a single upstream stage',
      request('app', { stages: ['staging'], availabilityStrategy: 'All' }),
      {},
      {
        available: false,
        reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in every upstream stage (not verified in "staging"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'staging' }],
      },
    ],
    // ---- soak
    [
      'freight held continuously upstream for exactly the required soak time',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: verified }, currentlyIn: { staging: { since: ago(HOUR) } } },
      { available: true, via: 'upstream' },
    ],
    [
      'freight held upstream for less than the required soak time',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: verified }, currentlyIn: { staging: { since: ago(30 * MINUTE) } } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (soaked 1800s of the required 3600s in "staging"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'staging', soakedMs: 30 * MINUTE, requiredMs: HOUR, availableAt: at(10 * HOUR + 30 * MINUTE) }],
      },
    ],
    [
      'soak as continuous occupancy, not time since verification',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: { verifiedAt: ago(9 * HOUR) } }, currentlyIn: { staging: { since: ago(MINUTE) } } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (soaked 60s of the required 3600s in "staging"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'staging', soakedMs: MINUTE, requiredMs: HOUR, availableAt: at(11 * HOUR - MINUTE) }],
      },
    ],
    [
      'freight that left the upstream stage after soaking long enough (longestSoakMs)',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: { verifiedAt: T0, longestSoakMs: 2 * HOUR } } },
      { available: true, via: 'upstream' },
    ],
    [
      'freight that left the upstream stage without soaking long enough',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: { verifiedAt: T0, longestSoakMs: 59 * MINUTE + 59_999 } } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (soaked 3599s of the required 3600s in "staging"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'staging', soakedMs: 59 * MINUTE + 59_999, requiredMs: HOUR }],
      },
    ],
    [
      'freight verified upstream, no longer there and never soaked',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: verified } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (soaked 0s of the required 3600s in "staging"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'staging', soakedMs: 0, requiredMs: HOUR }],
      },
    ],
    [
      'the longer of longestSoakMs and the current occupancy',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { verifiedIn: { staging: { verifiedAt: T0, longestSoakMs: 10 * MINUTE } }, currentlyIn: { staging: { since: ago(50 * MINUTE) } } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (soaked 3000s of the required 3600s in "staging"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'staging', soakedMs: 50 * MINUTE, requiredMs: HOUR, availableAt: at(10 * HOUR + 10 * MINUTE) }],
      },
    ],
    [
      'occupancy upstream without verification there, whatever the soak',
      request('app', { stages: ['staging'], requiredSoakTime: '1h' }),
      { currentlyIn: { staging: { since: ago(5 * HOUR) } } },
      {
        available: false,
        reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"',
        blockers: [{ kind: 'NotVerified', stage: 'staging' }],
      },
    ],
    [
      'a requiredSoakTime of 0s as no soak',
      request('app', { stages: ['staging'], requiredSoakTime: '0s' }),
      { verifiedIn: { staging: verified } },
      { available: true, via: 'upstream' },
    ],
    [
      'OneOf with soak: one upstream soaked is enough',
      request('app', { stages: ['east', 'west'], requiredSoakTime: '1h' }),
      {
        verifiedIn: { east: verified, west: verified },
        currentlyIn: { east: { since: ago(MINUTE) }, west: { since: ago(2 * HOUR) } },
      },
      { available: true, via: 'upstream' },
    ],
    [
      'All with soak: every upstream must be soaked, only failing ones are named',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'All', requiredSoakTime: '1h' }),
      {
        verifiedIn: { east: verified, west: verified },
        currentlyIn: { east: { since: ago(MINUTE) }, west: { since: ago(2 * HOUR) } },
      },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in every upstream stage (soaked 60s of the required 3600s in "east"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'east', soakedMs: MINUTE, requiredMs: HOUR, availableAt: at(11 * HOUR - MINUTE) }],
      },
    ],
    [
      'All with soak: each upstream reports its own problem',
      request('app', { stages: ['east', 'west'], availabilityStrategy: 'All', requiredSoakTime: '90m' }),
      { verifiedIn: { east: verified }, currentlyIn: { east: { since: ago(HOUR) } } },
      {
        available: false,
        reason:
          'freight alias-f1 is not available to stage "prod": it must first be verified in every upstream stage (soaked 3600s of the required 5400s in "east"; not verified in "west"), or approved for "prod"',
        blockers: [{ kind: 'Soaking', stage: 'east', soakedMs: HOUR, requiredMs: 90 * MINUTE, availableAt: at(10 * HOUR + 30 * MINUTE) }, { kind: 'NotVerified', stage: 'west' }],
      },
    ],
  ])('judges %s', (_, req, freightOverrides, expected) => {
    // arrange
    const stage = aStage('prod', { requests: [req] });
    const freight = aFreight('f1', freightOverrides);

    // act
    const availability = freightAvailability(stage, freight, NOW);

    // assert
    expect(availability).toEqual(expected);
  });

  it('uses the request for the freight origin in a multi-origin stage', () => {
    // arrange
    const stage = aStage('prod', {
      requests: [request('app', { stages: ['staging'] }), request('config', { direct: true })],
    });
    const appFreight = aFreight('f1');
    const configFreight = aFreight('f2', { origin: { kind: 'Warehouse', name: 'config' } });

    // act
    const forApp = freightAvailability(stage, appFreight, NOW);
    const forConfig = freightAvailability(stage, configFreight, NOW);

    // assert
    expect(forApp).toEqual({
      available: false,
      reason: 'freight alias-f1 is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"',
      blockers: [{ kind: 'NotVerified', stage: 'staging' }],
    });
    expect(forConfig).toEqual({ available: true, via: 'direct' });
  });

  it('becomes available once the clock passes the required soak time', () => {
    // arrange
    const stage = aStage('prod', { requests: [request('app', { stages: ['staging'], requiredSoakTime: '30m' })] });
    const since = T0_MS + HOUR;
    const freight = aFreight('f1', { verifiedIn: { staging: verified }, currentlyIn: { staging: { since: new Date(since).toISOString() } } });

    // act
    const before = freightAvailability(stage, freight, since + 30 * MINUTE - 1);
    const after = freightAvailability(stage, freight, since + 30 * MINUTE);

    // assert
    expect(before.available).toBe(false);
    expect(after).toEqual({ available: true, via: 'upstream' });
  });
});
