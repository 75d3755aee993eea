import type { FreightRequest, Stage } from '../model.js';
import type { FreightRecord } from './state.js';
import { parseDuration } from '../duration.js';

export type Availability = { available: true; via: 'approval' | 'direct' | 'upstream' } | { available: false; reason: string };

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
    };
  }
  if (freight.approvedFor[stageName]) return { available: true, via: 'approval' };
  if (request.sources.direct) return { available: true, via: 'direct' };

  const upstreams = request.sources.stages ?? [];
  const soakMs = request.sources.requiredSoakTime ? parseDuration(request.sources.requiredSoakTime) : 0;
  const problems = upstreams.map((up) => upstreamProblem(freight, up, soakMs, nowMs));
  const all = request.sources.availabilityStrategy === 'All';
  const ok = all ? problems.every((p) => p === undefined) : problems.some((p) => p === undefined);
  if (ok) return { available: true, via: 'upstream' };

  const failing = problems.filter((p): p is string => p !== undefined);
  const how = all ? 'every upstream stage' : upstreams.length > 1 ? 'one of its upstream stages' : 'its upstream stage';
  return {
    available: false,
    reason: `freight ${freight.alias} is not available to stage "${stageName}": it must first be verified in ${how} (${failing.join('; ')}), or approved for "${stageName}"`,
  };
}

function upstreamProblem(freight: FreightRecord, upstream: string, soakMs: number, nowMs: number): string | undefined {
  const verified = freight.verifiedIn[upstream];
  if (!verified) return `not verified in "${upstream}"`;
  if (soakMs <= 0) return undefined;
  const current = freight.currentlyIn[upstream];
  const currentSoak = current ? nowMs - Date.parse(current.since) : 0;
  const soaked = Math.max(verified.longestSoakMs ?? 0, currentSoak);
  if (soaked >= soakMs) return undefined;
  return `soaked ${Math.floor(soaked / 1000)}s of the required ${Math.floor(soakMs / 1000)}s in "${upstream}"`;
}
