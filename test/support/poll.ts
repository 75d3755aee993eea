/**
 * Polls `check` until it returns a value (not undefined) or the deadline passes; then fails
 * with the last thing it saw. Expectations wait like this, never with a fixed sleep.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string | (() => string), timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
