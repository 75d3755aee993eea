/**
 * The regular expressions of `matches`: Go's RE2 syntax and semantics (as Kargo's expr-lang),
 * in linear time, through core/regex.ts (the one engine for user patterns).
 */
import { compileRegex, RegexSyntaxError, type UserRegex } from '../regex.js';
import { FunctionError } from './errors.js';

export function compileGoRegex(pattern: string): UserRegex {
  try {
    return compileRegex(pattern);
  } catch (err) {
    // RE2's reason without the quoted fragment: the pattern may be computed from a secret.
    if (err instanceof RegexSyntaxError) throw new FunctionError(`invalid regular expression: ${err.reason.replace(/: `[\s\S]*`$/, '')}`);
    throw err;
  }
}
