/**
 * Issue 13, finding 12: what Shunt sends to Temporal is measured first (core/payload-budget.ts),
 * so an oversized payload is refused at once with what is too large and the limit.
 */
import { describe, expect, it } from '@jest/globals';
import { checkPayloadSize, jsonSize, PAYLOAD_LIMIT_BYTES, payloadNearLimit, payloadSizeIssue } from '../../core/payload-budget.js';

const utf8Json = (v: unknown): number => new TextEncoder().encode(JSON.stringify(v)).length;

describe('jsonSize', () => {
  it.each<[string, unknown]>([
    ['a number', 42.5],
    ['null', null],
    ['booleans', [true, false]],
    ['an empty array and object', { a: [], b: {} }],
    ['escapes', 'quote " backslash \\ newline \n tab \t bell \u0007 nul \u0000'],
    ['multi-byte characters', 'é ü 中文 😀'],
    ['a lone surrogate', 'x\ud800y'],
    ['undefined fields and array items', { a: undefined, b: [undefined, 1], c: 'x' }],
    ['a Date (toJSON)', { at: new Date(0) }],
    ['nesting', { steps: [{ alias: 'a', output: { list: [1, 2, { deep: ['ß'] }] } }] }],
  ])('measures %s exactly as the UTF-8 bytes of JSON.stringify, serialized or walked', (_what, value) => {
    expect(jsonSize(value)).toEqual({ bytes: utf8Json(value), partial: false });
    expect(jsonSize(value, Number.MAX_SAFE_INTEGER)).toEqual({ bytes: utf8Json(value), partial: false });
  });

  it('counts nothing to serialize as null, as it is sent', () => {
    expect(jsonSize(undefined)).toEqual({ bytes: 4, partial: false });
    expect(jsonSize(undefined, Number.MAX_SAFE_INTEGER)).toEqual({ bytes: 4, partial: false });
  });

  it('refuses a bigint, which JSON cannot carry, as a bad request', () => {
    expect(() => jsonSize({ n: 1n })).toThrow(expect.objectContaining({ code: 'BadRequest', message: 'a bigint cannot be sent to Temporal' }));
  });

  it('stops early on a value whose parts are shared many times, saying so', () => {
    const row = Array.from({ length: 1000 }, (_, i) => i);
    const shared = Array.from({ length: 100_000 }, () => row);
    const size = jsonSize(shared, 1024 * 1024);
    expect(size.partial).toBe(true);
    expect(size.bytes).toBeGreaterThan(1024 * 1024);
  });
});

describe('checkPayloadSize', () => {
  it('passes what fits and refuses what does not, naming it, its size and the limit', () => {
    expect(() => checkPayloadSize('step "a"\'s output', { value: 'x'.repeat(1024 * 1024) })).not.toThrow();
    expect(payloadSizeIssue('step "a"\'s output', { value: 'x'.repeat(1024 * 1024) })).toBeUndefined();

    const eight = { value: 'x'.repeat(8_000_000) };
    expect(() => checkPayloadSize('step "render"\'s output', eight)).toThrow(
      expect.objectContaining({
        name: 'DomainError',
        code: 'PayloadTooLarge',
        message: `step "render"'s output is 7.6 MiB as JSON; the limit is 2 MiB (Temporal's payload size limit)`,
      }),
    );
  });

  it('leaves room for the envelope: a value of exactly the limit is refused', () => {
    const exactly = 'x'.repeat(PAYLOAD_LIMIT_BYTES - 2);
    expect(utf8Json(exactly)).toBe(PAYLOAD_LIMIT_BYTES);
    expect(payloadSizeIssue('it', exactly)).toBe(`it is 2 MiB as JSON; the limit is 2 MiB (Temporal's payload size limit)`);
  });

  it('counts multi-byte characters by their UTF-8 size', () => {
    expect(payloadSizeIssue('it', '中'.repeat(800_000))).toBe(`it is 2.3 MiB as JSON; the limit is 2 MiB (Temporal's payload size limit)`);
  });

  it('takes another limit, and tells a value past the warning threshold', () => {
    expect(payloadSizeIssue('it', 'x'.repeat(10_000), 8 * 1024)).toBe(`it is 9.8 KiB as JSON; the limit is 8 KiB (Temporal's payload size limit)`);
    expect(payloadNearLimit('x'.repeat(600 * 1024))).toBe(true);
    expect(payloadNearLimit('x'.repeat(100 * 1024))).toBe(false);
  });
});
