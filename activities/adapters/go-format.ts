/**
 * How Kargo's steps print values in commit messages (Go's fmt): `%v` of a float64 (config numbers
 * reach Kargo's steps as float64) and `%q` of a string.
 */
import { goQuote } from '../../core/expressions/values.js';

export { goQuote };

/** `fmt.Sprintf("%v", float64)`: strconv's 'g' with shortest digits, so exponent form when exp < -4 or exp >= 6. */
export function goFloatV(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** `fmt.Sprintf("%v", v)` for the scalars a step's config holds. */
export function goScalarV(v: string | number | boolean | null): string {
  if (v === null) return '<nil>';
  if (typeof v === 'number') return goFloatV(v);
  return String(v);
}
