/**
 * Ordering of git tags for the tag strategies (Kargo's `pkg/controller/git/commit`):
 * SemVer (constraint, strictSemvers), Lexical (greatest first), NewestTag (newest creator date).
 * Tags pass allowTagsRegexes / ignoreTagsRegexes first.
 */
import type { GitSubscription } from '../model.js';
import { newestFirst, parseTag, subscriptionConstraint } from '../semver/index.js';
import { tagFilter } from './tag-filters.js';

export interface GitTagRef {
  tag: string;
  /** The commit the tag points at (peeled). */
  id: string;
  creatorDate?: string;
}

export type CommitStrategy = NonNullable<GitSubscription['commitSelectionStrategy']>;

export function commitStrategy(sub: GitSubscription): CommitStrategy {
  return sub.commitSelectionStrategy ?? 'NewestFromBranch';
}

/** @throws Error for an invalid constraint or regular expression. */
export function orderGitTags<T extends GitTagRef>(sub: GitSubscription, tags: readonly T[]): T[] {
  const keep = tagFilter(sub);
  const eligible = tags.filter((t) => keep(t.tag));
  const strategy = commitStrategy(sub);
  if (strategy === 'Lexical') return [...eligible].sort((a, b) => (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0));
  if (strategy === 'NewestTag') {
    return [...eligible].sort((a, b) => {
      const ta = a.creatorDate ? Date.parse(a.creatorDate) : 0;
      const tb = b.creatorDate ? Date.parse(b.creatorDate) : 0;
      return tb !== ta ? tb - ta : a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0;
    });
  }
  if (strategy === 'SemVer') {
    const constraint = subscriptionConstraint(sub.semverConstraint);
    const strict = sub.strictSemvers ?? true;
    return eligible
      .flatMap((t) => {
        const v = parseTag(t.tag, strict);
        return v !== undefined && (constraint === undefined || constraint.check(v)) ? [{ v, t }] : [];
      })
      .sort((a, b) => newestFirst(a.v, b.v))
      .map((e) => e.t);
  }
  throw new Error(`commitSelectionStrategy ${strategy} does not select tags`);
}
