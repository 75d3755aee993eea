import { describe, expect, it } from '@jest/globals';
import { WORKER_GLIBC_TUNABLES, WORKER_MALLOC_ARENA_MAX, WORKER_NODE_ARGS, workerProcess } from '../../../launcher/worker-process.js';

describe('the worker process the launcher starts', () => {
  it("gets Shunt's V8 flags and malloc settings when the operator sets none", () => {
    expect(workerProcess({})).toEqual({
      nodeArgs: WORKER_NODE_ARGS,
      env: { MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX, GLIBC_TUNABLES: WORKER_GLIBC_TUNABLES },
    });
    expect(WORKER_GLIBC_TUNABLES).toBe('glibc.malloc.trim_threshold=131072');
  });

  it("keeps the operator's malloc settings, even empty ones, and puts their node flags after Shunt's", () => {
    const started = workerProcess({ MALLOC_ARENA_MAX: '4', GLIBC_TUNABLES: '', SHUNT_WORKER_NODE_ARGS: '  --max-old-space-size=256   --cpu-prof ' });
    expect(started.env).toEqual({ MALLOC_ARENA_MAX: '4', GLIBC_TUNABLES: '' });
    expect(started.nodeArgs).toEqual([...WORKER_NODE_ARGS, '--max-old-space-size=256', '--cpu-prof']);
  });
});
