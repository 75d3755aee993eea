/** allowTagsRegexes / ignoreTagsRegexes, as Kargo applies them: allow = any match, ignore wins. */

export interface TagFilterSpec {
  allowTagsRegexes?: readonly string[] | undefined;
  ignoreTagsRegexes?: readonly string[] | undefined;
}

export type TagFilter = (tag: string) => boolean;

function compile(sources: readonly string[] | undefined, field: string): RegExp[] {
  return (sources ?? []).map((src) => {
    try {
      return new RegExp(src);
    } catch (e) {
      throw new Error(`${field}: invalid regular expression ${JSON.stringify(src)}: ${(e as Error).message}`);
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
