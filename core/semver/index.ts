/**
 * Semantic versions and constraints with the semantics of Masterminds/semver v3.5.0, the
 * library Kargo uses everywhere it reads a version: image, git-tag and chart selection, and
 * the `semverParse` / `semverDiff` expression functions.
 */
export { MAX_CONSTRAINT_GROUPS, MAX_CONSTRAINT_LENGTH, newConstraint, type Constraints } from './constraint.js';
export { newestFirst, parseChartVersion, parseTag, subscriptionConstraint } from './kargo.js';
export { comparePrerelease, goQuote, MAX_VERSION_LENGTH, newVersion, SemverError, strictNewVersion, tryVersion, Version } from './version.js';
