/** The api's gRPC retry options (api/temporal-retry.ts): a refused query goes again soon; every other status as the Temporal client has it. */
import { apiGrpcRetryOptions, isQueryBufferFull, QUERY_BUFFER_ATTEMPTS } from '../../../api/temporal-retry.js';

describe('the api retry options', () => {
  const status = (code: number, details: string) => ({ code, details, metadata: undefined as never });
  const options = apiGrpcRetryOptions();
  // Jitter is ±20 %: the bounds below hold for any draw.
  it('a refused query: retried, first after 15 ms × 1.7 (± 20 %), growing by 1.7', () => {
    const full = status(8, 'consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough');
    expect(options.retryableDecider(1, full)).toBe(true);
    expect(options.delayFunction(1, full)).toBeGreaterThanOrEqual(15 * 1.7 * 0.8);
    expect(options.delayFunction(1, full)).toBeLessThanOrEqual(15 * 1.7 * 1.2);
    expect(options.delayFunction(3, full)).toBeGreaterThanOrEqual(15 * 1.7 ** 3 * 0.8);
    expect(options.delayFunction(3, full)).toBeLessThanOrEqual(15 * 1.7 ** 3 * 1.2);
    // Up to the client's longest wait, 5 s.
    expect(options.delayFunction(15, full)).toBeLessThanOrEqual(5000 * 1.2);
  });

  it(`a refused query is sent up to ${QUERY_BUFFER_ATTEMPTS} times in all, waiting ~52 s in all; other statuses 10 times, as the client does`, () => {
    const full = status(8, 'consistent query buffer is full');
    expect(options.retryableDecider(QUERY_BUFFER_ATTEMPTS - 1, full)).toBe(true);
    expect(options.retryableDecider(QUERY_BUFFER_ATTEMPTS, full)).toBe(false);
    const waits = Array.from({ length: QUERY_BUFFER_ATTEMPTS - 1 }, (_, i) => Math.min(5000, 15 * 1.7 ** (i + 1)));
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(50_000);
    const unavailable = status(14, 'connection refused');
    expect(options.retryableDecider(9, unavailable)).toBe(true);
    expect(options.retryableDecider(10, unavailable)).toBe(false);
  });

  it("any other status keeps the Temporal client's own waits: 1 s for an exhausted server, 100 ms for the rest", () => {
    const exhausted = status(8, 'namespace rate limit exceeded');
    expect(options.delayFunction(1, exhausted)).toBeGreaterThanOrEqual(1000 * 1.7 * 0.8);
    const unavailable = status(14, 'connection refused');
    expect(options.retryableDecider(1, unavailable)).toBe(true);
    expect(options.delayFunction(1, unavailable)).toBeGreaterThanOrEqual(100 * 1.7 * 0.8);
    expect(options.delayFunction(1, unavailable)).toBeLessThanOrEqual(100 * 1.7 * 1.2);
    expect(isQueryBufferFull(exhausted)).toBe(false);
    expect(isQueryBufferFull(status(14, 'consistent query buffer is full'))).toBe(false);
  });

  it('a status the client never retries stays so (not found)', () => {
    expect(options.retryableDecider(1, status(5, 'workflow not found'))).toBe(false);
  });
});
