/**
 * Durations, the one module for them: Go's `time.ParseDuration` and `time.Duration.String`, in
 * milliseconds, used by core/, workflows/, activities/, the api and the CLI.
 *
 * Which spellings a field accepts:
 * - Kargo's fields (`requiredSoakTime`, step `retry.timeout`, Warehouse `interval`, AnalysisTemplate
 *   `interval`/`initialDelay`, step configs such as `http.timeout` or `pollInterval`): Go syntax,
 *   as Kargo parses them with `time.ParseDuration`. Their manifests are also checked against
 *   Kargo's CRD pattern (KARGO_DURATION_PATTERN: no sign, no `0` without a unit, no `.5s`).
 * - Shunt's own fields (`verification.soak.duration`): Go syntax plus `d` for 24 hours
 *   (`{ days: true }`, SHUNT_DURATION_PATTERN). `d` is not a Go unit: Kargo refuses it.
 * - Negative values (`-5m`) are refused unless a caller asks for them (`{ negative: true }`):
 *   only the expression function `duration()` does, as Go's does. Every manifest field, every
 *   step config (`DurationText` in activities/adapters/http-config.ts, which also refuses zero),
 *   a step's `retryAfter` (workflows/promotion.ts) and the CLI's `--timeout` must not be negative.
 */
import { DomainError } from './errors.js';

/** Kargo's CRD pattern for durations (`1h30m`, `45s`, `500ms`): no sign, no `d`. */
export const KARGO_DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
/** The same for Shunt's own fields, which also take days (`2d`, `1d12h`). */
export const SHUNT_DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$/;

export interface DurationRules {
  /** Accept `d` (24h) as a unit: Shunt's own fields only. */
  days?: boolean;
  /** Accept a leading `-`: expressions only (Go's `duration()`). */
  negative?: boolean;
}

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const NS_PER_DAY = 86_400_000_000_000n;
/** Go's Duration is an int64 of nanoseconds. */
const MAX_NS = (1n << 63n) - 1n;
const NS_PER_MS = 1_000_000n;

/** How to write a duration that `rules` accept. */
export function durationHint(rules: DurationRules = {}): string {
  return rules.days ? 'use Go syntax such as 30s, 5m, 1h30m or 2d' : 'use Go syntax such as 30s, 5m or 1h30m';
}

export type DurationReading = { ok: true; ms: number } | { ok: false; reason: string };

/**
 * Milliseconds in `text`, as Go's `time.ParseDuration` reads it (`1h30m`, `1.5s`, `.5m`, `0`;
 * fractions below a nanosecond are dropped, as in Go), with `rules` for days and negatives; or
 * why it is not a duration (`unknown unit "d"`), for callers that word their own error.
 */
export function readDuration(text: string, rules: DurationRules = {}): DurationReading {
  const fail = (reason: string): DurationReading => ({ ok: false, reason });
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (negative && !rules.negative) return fail('it must not be negative');
  if (s === '0') return { ok: true, ms: 0 };
  if (s === '') return fail('it is empty');
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    if (whole === '' && fraction === '') return fail('expected a number');
    s = s.slice(m[0].length);
    const unit = (/^[^0-9.]*/.exec(s) as RegExpExecArray)[0];
    s = s.slice(unit.length);
    if (unit === '') return fail('a unit is missing');
    const perUnit = unit === 'd' && rules.days ? NS_PER_DAY : NS_PER_UNIT[unit];
    if (perUnit === undefined) return fail(`unknown unit ${JSON.stringify(unit)}`);
    let ns = BigInt(whole === '' ? '0' : whole) * perUnit;
    if (fraction !== '') ns += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
    total += ns;
    if (total > MAX_NS + (negative ? 1n : 0n)) return fail('it is too long (Go allows at most 2562047h47m16.854775807s)');
  }
  const ms = Number(total / NS_PER_MS) + Number(total % NS_PER_MS) / 1e6;
  return { ok: true, ms: negative && ms !== 0 ? -ms : ms };
}

/**
 * Milliseconds in `text` (see readDuration).
 * @throws DomainError('BadRequest') saying why and how to write one, for anything else.
 */
export function parseDuration(text: string, rules: DurationRules = {}): number {
  const read = readDuration(text, rules);
  if (read.ok) return read.ms;
  throw new DomainError('BadRequest', `invalid duration ${JSON.stringify(text)}: ${read.reason}; ${durationHint(rules)}`);
}

/** `fraction` digits of `v / 10^digits`, without trailing zeros, and `v`'s integer part. */
function splitFraction(v: bigint, digits: number): { integer: bigint; fraction: string } {
  const scale = 10n ** BigInt(digits);
  const fraction = (v % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return { integer: v / scale, fraction: fraction === '' ? '' : `.${fraction}` };
}

/**
 * Milliseconds as Go's `time.Duration.String` writes them: `0s`, `250ms`, `1.5s`, `1m0s`,
 * `1h2m3s`, `36h0m0s`, `-5s`; below a millisecond `500µs` and `250ns`.
 * @throws DomainError('BadRequest') for a value that is not finite.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new DomainError('BadRequest', `cannot write ${String(ms)} ms as a duration`);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const wholeMs = Math.trunc(abs);
  const ns = BigInt(wholeMs) * NS_PER_MS + BigInt(Math.round((abs - wholeMs) * 1e6));
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) {
    const { integer, fraction } = splitFraction(ns, 3);
    return `${sign}${integer}${fraction}µs`;
  }
  if (ns < 1_000_000_000n) {
    const { integer, fraction } = splitFraction(ns, 6);
    return `${sign}${integer}${fraction}ms`;
  }
  const { integer: seconds, fraction } = splitFraction(ns, 9);
  const minutes = seconds / 60n;
  const hours = minutes / 60n;
  const tail = `${seconds % 60n}${fraction}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes % 60n}m${tail}`;
  if (minutes > 0n) return `${sign}${minutes}m${tail}`;
  return `${sign}${tail}`;
}
