/**
 * Chart versions a subscription accepts, newest first, at most `discoveryLimit` (Kargo's
 * `pkg/helm/chart`): a classic repository's versions as NewVersion reads them; an OCI
 * repository's tags strictly, `_` read as `+` (reported with the `+`, as Kargo does).
 */
import type { ChartSubscription } from '../model.js';
import { newestFirst, parseChartVersion, subscriptionConstraint } from '../semver/index.js';
import { discoveryLimit } from './image-selection.js';

/** @throws SemverError for an invalid constraint. */
export function orderChartVersions(sub: ChartSubscription, versions: readonly string[]): string[] {
  const constraint = subscriptionConstraint(sub.semverConstraint);
  const oci = sub.repoURL.startsWith('oci://');
  return versions
    .flatMap((text) => {
      const v = parseChartVersion(text, oci);
      return v !== undefined && (constraint === undefined || constraint.check(v)) ? [v] : [];
    })
    .sort(newestFirst)
    .map((v) => v.original)
    .slice(0, discoveryLimit(sub));
}
