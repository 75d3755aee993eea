/**
 * How the launcher starts the worker process: V8 flags and glibc malloc settings that keep its
 * memory small under load (docker-compose.yml starts its worker the same way).
 */

/**
 * The worker's V8 heaps kept small (bench/README.md, "The worker's memory", "What glibc kept"):
 * - a young generation of 1 MB per isolate (the default 16 MB sat ~65 MB higher at the same load,
 *   no faster; 2 MB until issue 20's last stop);
 * - an old generation that grows by 10 % of what survives a collection rather than V8's own
 *   factor (up to 4×): with both, 200 promotions at once peaked at 192–198 MB against 202–212,
 *   at 385–425 a minute;
 * - at most 384 MB of old generation per isolate (the main one and the workflow thread's), which
 *   makes V8 collect instead of growing. The workflow thread's isolate holds the workflow cache
 *   (300 workflows, worker/config.ts): at 192 MB it ran out of memory under CI's 200-promotion
 *   load. Raise it with SHUNT_WORKER_NODE_ARGS="--max-old-space-size=…" (a later flag wins) for
 *   far more workflows, with SHUNT_MAX_CACHED_WORKFLOWS to match.
 */
export const WORKER_NODE_ARGS = ['--max-semi-space-size=1', '--heap-growing-percent=10', '--max-old-space-size=384'];

/**
 * glibc's malloc arenas for the worker, unless the operator sets MALLOC_ARENA_MAX: its many
 * threads (libuv, the Temporal core, the workflow thread) each kept memory in an arena of their
 * own. With 2, 200 promotions at once peaked at 397–411 MB against 441, as fast (bench/README.md).
 */
export const WORKER_MALLOC_ARENA_MAX = '2';

/**
 * glibc's malloc gives freed memory back to the system above 128 KB, unless the operator sets
 * GLIBC_TUNABLES. By default it raises its thresholds (up to 32 MB) each time a large block is
 * freed, and the worker's heap then kept what a load had freed: 200 promotions at once peaked
 * at 220–232 MB, with this 202–210 MB (bench/README.md, "What glibc kept"). A trim threshold
 * set stops both from moving (glibc's malloc.c: `no_dyn_threshold`), so the mmap threshold
 * stays at its 128 KB too. (glibc parses the variable in place: a process's environment shows
 * only its first tunable afterwards, so there is only one.)
 */
export const WORKER_GLIBC_TUNABLES = 'glibc.malloc.trim_threshold=131072';

/** The worker's node flags and environment; the operator's own settings win. */
export function workerProcess(env: NodeJS.ProcessEnv): { nodeArgs: string[]; env: Record<string, string> } {
  // Extra V8/Node flags for the worker (e.g. `--max-old-space-size=256`), after Shunt's own.
  const extra = (env['SHUNT_WORKER_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  return {
    nodeArgs: [...WORKER_NODE_ARGS, ...extra],
    env: {
      MALLOC_ARENA_MAX: env['MALLOC_ARENA_MAX'] ?? WORKER_MALLOC_ARENA_MAX,
      GLIBC_TUNABLES: env['GLIBC_TUNABLES'] ?? WORKER_GLIBC_TUNABLES,
    },
  };
}
