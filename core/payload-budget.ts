/**
 * The size of what Shunt sends to Temporal, checked before it is sent. Temporal refuses a payload
 * over its blob size limit (2 MiB by default) with a raw `[TMPRL1103]` error, and only once the
 * payload has reached it: an activity result is then retried until its attempts run out, a
 * workflow task fails over and over. Every place that builds a payload from user input (a step's
 * outputs, an apply's specs) measures it here first and refuses it with an error that says what
 * is too large and the limit.
 *
 * Pure: the size is the UTF-8 length of the value's JSON (what Temporal's JSON converter sends),
 * measured without building the text.
 */
import { formatBytes } from './expressions/budget.js';
import { DomainError } from './errors.js';

/** Temporal's default blob size limit (`limit.blobSize.error`): a larger payload is refused. */
export const PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** Temporal's default warning threshold (`limit.blobSize.warn`). */
export const PAYLOAD_WARN_BYTES = 512 * 1024;

/** Room left for the payload's envelope (metadata, the other arguments of the same call). */
const ENVELOPE_BYTES = 4 * 1024;

export interface PayloadSize {
  bytes: number;
  /** The measurement stopped once it passed `stopAfter`: the value is at least `bytes`. */
  partial: boolean;
}

/**
 * The UTF-8 length of `JSON.stringify(value)`. Unbounded, it is that: the engine's serializer is
 * several times faster than a walk in JavaScript, and the project workflow measures its whole
 * state after every change (core/project/state-budget.ts). Bounded, it walks the value instead of
 * encoding it and stops once past `stopAfter` bytes, so a value whose parts are shared many times
 * (and whose JSON would be far larger than its memory) costs bounded time.
 */
export function jsonSize(value: unknown, stopAfter = Number.POSITIVE_INFINITY): PayloadSize {
  if (stopAfter !== Number.POSITIVE_INFINITY) return walkedJsonSize(value, stopAfter);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // A bigint: the walk says so in the words the api answers with.
    return walkedJsonSize(value, stopAfter);
  }
  // Nothing to serialize (undefined, a function) is sent as null.
  return { bytes: json === undefined ? 4 : utf8Length(json), partial: false };
}

/** The UTF-8 length of a well-formed string (JSON.stringify escapes lone surrogates). */
function utf8Length(s: string): number {
  const wide = s.replace(/[\x00-\x7f]+/g, '');
  let n = s.length;
  for (let i = 0; i < wide.length; i++) {
    const c = wide.charCodeAt(i);
    // Two bytes below U+0800; a surrogate pair's two units are four bytes; three bytes otherwise.
    n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

function walkedJsonSize(value: unknown, stopAfter: number): PayloadSize {
  let bytes = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    if (bytes > stopAfter) return { bytes, partial: true };
    let v = pending.pop();
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(): unknown }).toJSON();
    }
    if (typeof v === 'string') bytes += quotedUtf8Length(v);
    else if (typeof v === 'number') bytes += Number.isFinite(v) ? String(v).length : 4;
    else if (typeof v === 'boolean') bytes += v ? 4 : 5;
    else if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') bytes += 4;
    else if (typeof v === 'bigint') throw new DomainError('BadRequest', 'a bigint cannot be sent to Temporal');
    else if (Array.isArray(v)) {
      bytes += 2 + Math.max(0, v.length - 1);
      for (const item of v) pending.push(item);
    } else {
      const entries = Object.entries(v as Record<string, unknown>).filter(
        ([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol',
      );
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [key, item] of entries) {
        bytes += quotedUtf8Length(key) + 1;
        pending.push(item);
      }
    }
  }
  return { bytes, partial: false };
}

/** The UTF-8 length of a JSON string literal: quotes, escapes, multi-byte characters. */
function quotedUtf8Length(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
    else if (c < 0x20) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/**
 * Why `value` cannot be sent to Temporal as one payload, or undefined when it can.
 * `what` names it for the person reading the error: `step "render"'s output`.
 */
export function payloadSizeIssue(what: string, value: unknown, limit = PAYLOAD_LIMIT_BYTES): string | undefined {
  const room = limit - ENVELOPE_BYTES;
  const size = jsonSize(value, limit * 64);
  if (size.bytes <= room) return undefined;
  const measured = size.partial ? `more than ${formatBytes(size.bytes)}` : formatBytes(size.bytes);
  return `${what} is ${measured} as JSON; the limit is ${formatBytes(limit)} (Temporal's payload size limit)`;
}

/**
 * Throws a non-retryable DomainError `PayloadTooLarge` when `value` is too large to send:
 * the same value would be refused again on every retry.
 */
export function checkPayloadSize(what: string, value: unknown, limit = PAYLOAD_LIMIT_BYTES): void {
  const issue = payloadSizeIssue(what, value, limit);
  if (issue !== undefined) throw new DomainError('PayloadTooLarge', issue);
}

/** Whether `value` is past Temporal's warning threshold (worth a log line, not an error). */
export function payloadNearLimit(value: unknown): boolean {
  return jsonSize(value, PAYLOAD_WARN_BYTES).bytes > PAYLOAD_WARN_BYTES;
}
