/**
 * How Kargo's selectors read versions (its `pkg/controller/semver.Parse`, `pkg/helm/chart`):
 * which tags count as versions, and in which order they are offered.
 */
import { newConstraint, type Constraints } from './constraint.js';
import { goQuote, newVersion, SemverError, strictNewVersion, type Version } from './version.js';

/**
 * An image or git tag as a version: NewVersion must accept it and, when `strict`, so must
 * StrictNewVersion once a leading `v` is removed (`v1.2.3` is strict, `1.2` and `01.2.3` are not).
 * `original` is the tag itself.
 */
export function parseTag(tag: string, strict: boolean): Version | undefined {
  try {
    const v = newVersion(tag);
    if (strict) strictNewVersion(tag.startsWith('v') ? tag.slice(1) : tag);
    return v;
  } catch (e) {
    if (e instanceof SemverError) return undefined;
    throw e;
  }
}

/**
 * A chart version: NewVersion for a classic repository's index; for an OCI repository the tag
 * with `_` read as `+` (Helm's spelling of build metadata in tags) and StrictNewVersion.
 * `original` is what Kargo reports as the version (`1.2.3+b1` for the tag `1.2.3_b1`).
 */
export function parseChartVersion(text: string, oci: boolean): Version | undefined {
  try {
    return oci ? strictNewVersion(text.replace(/_/g, '+')) : newVersion(text);
  } catch (e) {
    if (e instanceof SemverError) return undefined;
    throw e;
  }
}

/** Greatest first; equal versions (`1.0` and `1.0.0`) by their original text, greatest first. */
export function newestFirst(a: Version, b: Version): number {
  const c = b.compare(a);
  if (c !== 0) return c;
  return a.original < b.original ? 1 : a.original > b.original ? -1 : 0;
}

/**
 * A subscription's constraint: "" or absent means any version (Kargo does not parse it).
 * @throws SemverError `invalid semver constraint ">>>1.2": improper constraint: ">>>1.2"`.
 */
export function subscriptionConstraint(source: string | undefined): Constraints | undefined {
  if (source === undefined || source === '') return undefined;
  try {
    return newConstraint(source);
  } catch (e) {
    if (e instanceof SemverError) throw new SemverError(`invalid semver constraint ${goQuote(source)}: ${e.message}`);
    throw e;
  }
}
