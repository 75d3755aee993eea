/** Chart versions a subscription accepts, newest first (semver; `semverConstraint` when given). */
import type { ChartSubscription } from '../model.js';
import { discoveryLimit } from './image-selection.js';
import { compareSemverDesc, parseConstraint, parseSemver } from './semver.js';

/** @throws Error for an invalid constraint. */
export function orderChartVersions(sub: ChartSubscription, versions: readonly string[]): string[] {
  const constraint = parseConstraint(sub.semverConstraint);
  return versions
    .flatMap((text) => {
      const v = parseSemver(text, false);
      return v !== undefined && constraint.test(v) ? [{ v, text }] : [];
    })
    .sort(compareSemverDesc)
    .map((e) => e.text)
    .slice(0, discoveryLimit(sub));
}
