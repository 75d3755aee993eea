/**
 * The one engine for regular expressions and globs that come from users (manifests, expressions,
 * credential Secrets, the auth config): RE2 through re2js, with Go's syntax (as Kargo) and
 * matching in time linear in the input, whatever the pattern. Pure JS, so it runs in the workflow
 * sandbox too. A pattern RE2 refuses (backreferences, lookaround) is refused with Go's message.
 *
 * Only fixed regular expressions written in our own code may use JS `RegExp` (lint enforces it:
 * `new RegExp` is allowed in this file only).
 */
import { RE2JS } from 're2js';

/** A compiled user pattern. `test` is Go's `MatchString`: unanchored unless the pattern anchors. */
export interface UserRegex {
  readonly source: string;
  test(input: string): boolean;
}

/** Thrown when RE2 refuses a pattern; `reason` is RE2's (Go's) message. */
export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
}

const MAX_CACHED = 512;
const cache = new Map<string, UserRegex>();

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^error parsing regexp: /, '');
}

/** Compiles a Go (RE2) regular expression. @throws RegexSyntaxError */
export function compileRegex(pattern: string): UserRegex {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new RegexSyntaxError(pattern, reasonOf(err));
  }
  const compiled: UserRegex = { source: pattern, test: (input) => re.test(input) };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** Why RE2 refuses `pattern`, or undefined when it compiles (for validation at apply time). */
export function regexProblem(pattern: string): string | undefined {
  try {
    compileRegex(pattern);
    return undefined;
  } catch (err) {
    return err instanceof RegexSyntaxError ? err.reason : reasonOf(err);
  }
}

/** The pattern of a Kargo `regex:` / `regexp:` entry (path filters, stage selectors), else undefined. */
export function prefixedRegex(entry: string): string | undefined {
  if (entry.startsWith('regex:')) return entry.slice('regex:'.length);
  if (entry.startsWith('regexp:')) return entry.slice('regexp:'.length);
  return undefined;
}

/** `literal` as a regular expression matching exactly that text. */
export function quoteRegex(literal: string): string {
  return RE2JS.quote(literal);
}

export interface GlobOptions {
  /**
   * Path globs: `*` and `?` stop at `/`, `**` crosses it (and eats the `/` after it).
   * Without it, `*` is any text and `?` any one character.
   */
  pathSeparator?: boolean;
  /** Whether `?` is a wildcard (default true); false: only `*` is special. */
  question?: boolean;
}

/** A glob as an anchored RE2 pattern (never fails: everything else is literal). */
export function compileGlob(glob: string, opts: GlobOptions = {}): UserRegex {
  const question = opts.question ?? true;
  let out = '';
  let literal = '';
  const flush = (): void => {
    if (literal !== '') out += quoteRegex(literal);
    literal = '';
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      flush();
      if (opts.pathSeparator && glob[i + 1] === '*') {
        out += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else out += opts.pathSeparator ? '[^/]*' : '.*';
    } else if (c === '?' && question) {
      flush();
      out += opts.pathSeparator ? '[^/]' : '.';
    } else literal += c;
  }
  flush();
  return compileRegex(`^(?s:${out})$`);
}
