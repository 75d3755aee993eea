/** allowTagsRegexes / ignoreTagsRegexes, as Kargo applies them: allow = any match, ignore wins. */
import { compileRegex, RegexSyntaxError, type UserRegex } from '../regex.js';

export interface TagFilterSpec {
  allowTagsRegexes?: readonly string[] | undefined;
  ignoreTagsRegexes?: readonly string[] | undefined;
}

export type TagFilter = (tag: string) => boolean;

function compile(sources: readonly string[] | undefined, field: string): UserRegex[] {
  return (sources ?? []).map((src) => {
    try {
      return compileRegex(src);
    } catch (e) {
      if (e instanceof RegexSyntaxError) throw new Error(`${field}: ${e.message}`);
      throw e;
    }
  });
}

/** @throws Error naming the field when a regular expression does not compile. */
export function tagFilter(spec: TagFilterSpec): TagFilter {
  const allow = compile(spec.allowTagsRegexes, 'allowTagsRegexes');
  const ignore = compile(spec.ignoreTagsRegexes, 'ignoreTagsRegexes');
  return (tag) => {
    if (ignore.some((re) => re.test(tag))) return false;
    return allow.length === 0 || allow.some((re) => re.test(tag));
  };
}
