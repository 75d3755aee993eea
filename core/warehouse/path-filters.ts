/**
 * `includePaths` / `excludePaths` of a git subscription (Kargo's forms): a plain entry is an
 * exact path or a directory prefix, `glob:` a glob (`*` within a segment, `**` across), and
 * `regex:` / `regexp:` a regular expression. A commit qualifies when at least one changed file is
 * included (no `includePaths` = everything is) and not excluded.
 */
import { compileGlob, compileRegex, prefixedRegex, RegexSyntaxError, type UserRegex } from '../regex.js';

export type PathMatcher = (path: string) => boolean;

/** @throws Error naming the entry when a regular expression does not compile. */
export function pathMatcher(entry: string, field: string): PathMatcher {
  if (entry.startsWith('glob:')) {
    const re = compileGlob(entry.slice('glob:'.length), { pathSeparator: true });
    return (p) => re.test(p);
  }
  const rx = prefixedRegex(entry);
  if (rx !== undefined) {
    let re: UserRegex;
    try {
      re = compileRegex(rx);
    } catch (e) {
      if (e instanceof RegexSyntaxError) throw new Error(`${field}: ${e.message}`);
      throw e;
    }
    return (p) => re.test(p);
  }
  const prefix = entry.replace(/^\.\//, '').replace(/\/+$/, '');
  return (p) => p === prefix || p.startsWith(`${prefix}/`);
}

export interface PathFilterSpec {
  includePaths?: readonly string[] | undefined;
  excludePaths?: readonly string[] | undefined;
}

/** Undefined when the subscription has no path filters (every commit qualifies). */
export function pathFilter(spec: PathFilterSpec): ((changed: readonly string[]) => boolean) | undefined {
  const include = (spec.includePaths ?? []).map((e) => pathMatcher(e, 'includePaths'));
  const exclude = (spec.excludePaths ?? []).map((e) => pathMatcher(e, 'excludePaths'));
  if (include.length === 0 && exclude.length === 0) return undefined;
  return (changed) =>
    changed.some((p) => (include.length === 0 || include.some((m) => m(p))) && !exclude.some((m) => m(p)));
}
