import type { FreightRequest, Stage } from '../model.js';
import type { FreightRecord } from './state.js';
import { parseDuration } from '../duration.js';

/** Why a freight may not be promoted to a stage: each condition that is not met, as data. */
export type AvailabilityBlocker =
  /** The stage has no steps: a promotion to it cannot run (promote-downstream settles it instead). */
  | { kind: 'NoPromotionSteps' }
  /** The stage requests no freight from the freight's warehouse (origin mismatch). */
  | { kind: 'OriginNotRequested'; origin: string }
  /** Not verified in this upstream stage. */
  | { kind: 'NotVerified'; stage: string }
  /**
   * Verified in this upstream stage but not yet soaked there for `requiredSoakTime`: `soakedMs`
   * is the longest soak so far (a finished one, `longestSoakMs`, or the one under way). While the
   * freight is still in that stage, `availableAt` is when its soak completes.
   */
  | { kind: 'Soaking'; stage: string; soakedMs: number; requiredMs: number; availableAt?: string };

export type Availability =
  | { available: true; via: 'approval' | 'direct' | 'upstream' }
  | { available: false; reason: string; blockers: AvailabilityBlocker[] };

/** The stage's request for the freight's origin, if it has one. */
export function requestFor(stage: Stage, originName: string): FreightRequest | undefined {
  return stage.spec.requestedFreight.find((r) => r.origin.name === originName);
}

/**
 * Kargo's `Stage.IsFreightAvailable`: approved for the stage, else straight from the warehouse
 * (`sources.direct`), else verified (and soaked for `requiredSoakTime`) in one upstream stage
 * (`OneOf`) or in every one (`All`). `nowMs` is passed in: core never reads the clock.
 */
export function freightAvailability(stage: Stage, freight: FreightRecord, nowMs: number): Availability {
  const stageName = stage.metadata.name;
  const request = requestFor(stage, freight.origin.name);
  if (!request) {
    return {
      available: false,
      reason: `stage "${stageName}" does not request freight from warehouse "${freight.origin.name}"`,
      blockers: [{ kind: 'OriginNotRequested', origin: freight.origin.name }],
    };
  }
  if (freight.approvedFor[stageName]) return { available: true, via: 'approval' };
  if (request.sources.direct) return { available: true, via: 'direct' };

  const upstreams = request.sources.stages ?? [];
  const soakMs = request.sources.requiredSoakTime ? parseDuration(request.sources.requiredSoakTime) : 0;
  const problems = upstreams.map((up) => upstreamBlocker(freight, up, soakMs, nowMs));
  const all = request.sources.availabilityStrategy === 'All';
  const ok = all ? problems.every((p) => p === undefined) : problems.some((p) => p === undefined);
  if (ok) return { available: true, via: 'upstream' };

  const blockers = problems.filter((p): p is AvailabilityBlocker => p !== undefined);
  const how = all ? 'every upstream stage' : upstreams.length > 1 ? 'one of its upstream stages' : 'its upstream stage';
  return {
    available: false,
    reason: `freight ${freight.alias} is not available to stage "${stageName}": it must first be verified in ${how} (${blockers.map(describeBlocker).join('; ')}), or approved for "${stageName}"`,
    blockers,
  };
}

function upstreamBlocker(freight: FreightRecord, upstream: string, soakMs: number, nowMs: number): AvailabilityBlocker | undefined {
  const verified = freight.verifiedIn[upstream];
  if (!verified) return { kind: 'NotVerified', stage: upstream };
  if (soakMs <= 0) return undefined;
  const current = freight.currentlyIn[upstream];
  const currentSoak = current ? nowMs - Date.parse(current.since) : 0;
  const soaked = Math.max(verified.longestSoakMs ?? 0, currentSoak);
  if (soaked >= soakMs) return undefined;
  return {
    kind: 'Soaking',
    stage: upstream,
    soakedMs: soaked,
    requiredMs: soakMs,
    ...(current ? { availableAt: new Date(Date.parse(current.since) + soakMs).toISOString() } : {}),
  };
}

function describeBlocker(blocker: AvailabilityBlocker): string {
  switch (blocker.kind) {
    case 'NotVerified':
      return `not verified in "${blocker.stage}"`;
    case 'Soaking':
      return `soaked ${Math.floor(blocker.soakedMs / 1000)}s of the required ${Math.floor(blocker.requiredMs / 1000)}s in "${blocker.stage}"`;
    default:
      return blocker.kind;
  }
}
