/**
 * Go duration strings (`30s`, `5m`, `1h30m`, `1.5h`, `500ms`), as Kargo's CRDs use them,
 * converted to and from milliseconds. Shunt also accepts `d` (24h) as an extension.
 */
import { DomainError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const COMPONENT = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/**
 * Milliseconds in a Go duration string. Accepts what Go's `time.ParseDuration` does (except
 * negative values) plus `d` for days; `"0"` is zero.
 * @throws DomainError('BadRequest') on anything else.
 */
export function parseDuration(go: string): number {
  const text = go.trim();
  const bad = (): DomainError =>
    new DomainError('BadRequest', `invalid duration ${JSON.stringify(go)}: use Go syntax such as 30s, 5m, 1h30m or 2d`);
  if (text === '0' || text === '+0') return 0;
  const rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest === '' || rest.startsWith('-')) throw bad();
  let total = 0;
  let pos = 0;
  while (pos < rest.length) {
    COMPONENT.lastIndex = pos;
    const m = COMPONENT.exec(rest);
    if (m === null) throw bad();
    const value = Number(m[1]);
    const unit = UNIT_MS[m[2] ?? ''];
    if (!Number.isFinite(value) || unit === undefined) throw bad();
    total += value * unit;
    pos = COMPONENT.lastIndex;
  }
  return total;
}

function trimNumber(n: number, decimals: number): string {
  return Number(n.toFixed(decimals)).toString();
}

/**
 * A Go-style duration string for milliseconds: `0s`, `500ms`, `1.5s`, `1h30m`, `36h`
 * (hours are the largest unit, so the result is also valid for Kargo).
 * @throws DomainError('BadRequest') for negative or non-finite input.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new DomainError('BadRequest', `cannot format ${String(ms)} ms as a duration`);
  }
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trimNumber(ms, 6)}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  let out = '';
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (Number(seconds.toFixed(3)) > 0) out += `${trimNumber(seconds, 3)}s`;
  return out === '' ? '0s' : out;
}
