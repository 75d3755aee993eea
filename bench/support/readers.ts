/** Closed-loop readers of Shunt's api: each asks again as soon as it has its answer. */

export interface ReadLoad {
  /** Milliseconds from asking to the whole answer, every read. */
  latencies: number[];
  /** Reads that did not answer 200, by status (or by the error when none came). */
  failures: Map<string, number>;
  failed: number;
}

/**
 * `readers` readers for `seconds`; reader r asks for `pathOf(n)` for n = r, r + 1, …, so that
 * the readers spread over the paths.
 */
export async function closedLoopReads(apiUrl: string, readers: number, seconds: number, pathOf: (n: number) => string): Promise<ReadLoad> {
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  const failedWith = (key: string): void => void failures.set(key, (failures.get(key) ?? 0) + 1);
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: readers }, async (_, reader) => {
      for (let n = reader; Date.now() < end; n++) {
        const started = performance.now();
        try {
          const res = await fetch(`${apiUrl}${pathOf(n)}`);
          await res.arrayBuffer();
          if (res.status !== 200) failedWith(String(res.status));
        } catch (err) {
          failedWith(err instanceof Error ? err.message : String(err));
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { latencies, failures, failed: [...failures.values()].reduce((a, b) => a + b, 0) };
}
