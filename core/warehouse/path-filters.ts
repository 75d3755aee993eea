/**
 * `includePaths` / `excludePaths` of a git subscription (Kargo's forms): a plain entry is an
 * exact path or a directory prefix, `glob:` a glob (`*` within a segment, `**` across), and
 * `regex:` / `regexp:` a regular expression. A commit qualifies when at least one changed file is
 * included (no `includePaths` = everything is) and not excluded.
 */

export type PathMatcher = (path: string) => boolean;

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** @throws Error naming the entry when a regular expression does not compile. */
export function pathMatcher(entry: string, field: string): PathMatcher {
  if (entry.startsWith('glob:')) {
    const re = globToRegExp(entry.slice('glob:'.length));
    return (p) => re.test(p);
  }
  const rx = entry.startsWith('regex:') ? entry.slice(6) : entry.startsWith('regexp:') ? entry.slice(7) : undefined;
  if (rx !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(rx);
    } catch (e) {
      throw new Error(`${field}: invalid regular expression ${JSON.stringify(rx)}: ${(e as Error).message}`);
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
