import { ProjectReads } from '../../../api/project-reads.js';

/** A query whose answers the test releases by hand, counting how often it was called. */
function gatedQuery<T>() {
  const pending: { resolve: (v: T) => void; reject: (e: unknown) => void }[] = [];
  let calls = 0;
  const query = (): Promise<T> => {
    calls++;
    return new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return {
    query,
    get calls() {
      return calls;
    },
    answer(i: number, value: T) {
      pending[i]!.resolve(value);
    },
    fail(i: number, err: unknown) {
      pending[i]!.reject(err);
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ProjectReads', () => {
  it('answers 100 concurrent readers of a project with one query', async () => {
    const reads = new ProjectReads({ snapshotMs: 250 });
    const q = gatedQuery<string>();
    const answers = Array.from({ length: 100 }, () => reads.read('shop', 'state', q.query));
    expect(q.calls).toBe(1);
    q.answer(0, 'v1');
    expect(await Promise.all(answers)).toEqual(Array(100).fill('v1'));
    expect(reads.queries).toBe(1);
  });

  it('serves the snapshot until it expires, then queries again (no stale window)', async () => {
    let now = 1000;
    const reads = new ProjectReads({ snapshotMs: 250, staleMs: 0, now: () => now });
    let calls = 0;
    const query = async () => `v${++calls}`;
    expect(await reads.read('shop', 'state', query)).toBe('v1');
    now += 249;
    expect(await reads.read('shop', 'state', query)).toBe('v1');
    now += 1;
    expect(await reads.read('shop', 'state', query)).toBe('v2');
    expect(calls).toBe(2);
  });

  describe('reads not before a moment (a change made without a write through the api)', () => {
    it('skip a query that started earlier: one query after it serves them all; a snapshot started later serves them', async () => {
      let now = 1000;
      const reads = new ProjectReads({ snapshotMs: 250, now: () => now });
      const q = gatedQuery<string>();
      const before = reads.read('shop', 'state', q.query);
      now = 1010;
      // Promotions ended at 1005 and 1008: the query in flight since 1000 may not show it.
      const waiters = Array.from({ length: 20 }, (_, i) => reads.read('shop', 'state', q.query, i % 2 ? 1005 : 1008));
      // A plain reader joins the query in flight, as before.
      const plain = reads.read('shop', 'state', q.query);
      // One query at a time: the next starts when this one has answered.
      expect(q.calls).toBe(1);
      q.answer(0, 'old');
      expect([await before, await plain]).toEqual(['old', 'old']);
      await tick();
      expect(q.calls).toBe(2);
      q.answer(1, 'new');
      expect(await Promise.all(waiters)).toEqual(Array(20).fill('new'));
      now = 1020;
      expect(await reads.read('shop', 'state', q.query)).toBe('new');
      expect(await reads.read('shop', 'state', q.query, 1010)).toBe('new');
      expect(q.calls).toBe(2);
      // A moment after the snapshot's query started needs a new one.
      const later = reads.read('shop', 'state', q.query, 1011);
      expect(q.calls).toBe(3);
      q.answer(2, 'newer');
      expect(await later).toBe('newer');
    });

    it('start the next query after a failed one, and share a query that started later', async () => {
      let now = 1000;
      const reads = new ProjectReads({ snapshotMs: 250, now: () => now });
      const q = gatedQuery<string>();
      const failing = reads.read('shop', 'state', q.query);
      now = 1010;
      const waiter = reads.read('shop', 'state', q.query, 1005);
      q.fail(0, new Error('worker busy'));
      await expect(failing).rejects.toThrow('worker busy');
      await tick();
      expect(q.calls).toBe(2);
      // Started at 1010: it serves a reader of a moment before that without another query.
      const joiner = reads.read('shop', 'state', q.query, 1009);
      q.answer(1, 'after');
      expect([await waiter, await joiner]).toEqual(['after', 'after']);
      expect(q.calls).toBe(2);
    });
  });

  it('keeps keys and projects apart', async () => {
    const reads = new ProjectReads();
    const seen: string[] = [];
    const query = (what: string) => async () => (seen.push(what), what);
    await Promise.all([
      reads.read('shop', 'state', query('shop/state')),
      reads.read('shop', 'stage:dev', query('shop/stage:dev')),
      reads.read('blog', 'state', query('blog/state')),
      reads.read('shop', 'state', query('shop/state again')),
    ]);
    expect(seen.sort()).toEqual(['blog/state', 'shop/stage:dev', 'shop/state']);
  });

  it('a write makes the next read query again instead of using the snapshot', async () => {
    const reads = new ProjectReads({ snapshotMs: 60_000 });
    let value = 'before';
    const query = async () => value;
    expect(await reads.read('shop', 'state', query)).toBe('before');
    value = 'after';
    reads.invalidate('shop');
    expect(await reads.read('shop', 'state', query)).toBe('after');
  });

  it('a write to one project keeps the snapshots of the others', async () => {
    const reads = new ProjectReads({ snapshotMs: 60_000 });
    let calls = 0;
    const query = async () => ++calls;
    await reads.read('shop', 'state', query);
    await reads.read('blog', 'state', query);
    reads.invalidate('shop');
    expect(await reads.read('blog', 'state', query)).toBe(2);
    expect(calls).toBe(2);
  });

  it('a read started before a write is neither joined after it nor kept as a snapshot', async () => {
    const reads = new ProjectReads({ snapshotMs: 60_000 });
    const q = gatedQuery<string>();
    const early = reads.read('shop', 'state', q.query); // sees the state before the write
    reads.invalidate('shop'); // the write is done
    const late = reads.read('shop', 'state', q.query);
    expect(q.calls).toBe(2); // the late reader did not join the early query
    q.answer(0, 'before');
    q.answer(1, 'after');
    expect(await early).toBe('before');
    expect(await late).toBe('after');
    // The early answer, coming in after the write, was not stored either.
    const q2 = gatedQuery<string>();
    const next = reads.read('shop', 'state', q2.query);
    expect(q2.calls).toBe(0);
    expect(await next).toBe('after');
  });

  it('an early answer arriving last never replaces the snapshot of the newer generation', async () => {
    const reads = new ProjectReads({ snapshotMs: 60_000 });
    const q = gatedQuery<string>();
    const early = reads.read('shop', 'state', q.query);
    reads.invalidate('shop');
    const late = reads.read('shop', 'state', q.query);
    q.answer(1, 'after');
    await late;
    q.answer(0, 'before');
    await early;
    expect(await reads.read('shop', 'state', async () => 'queried')).toBe('after');
  });

  it('shares a failure with the readers that waited, and keeps nothing of it', async () => {
    const reads = new ProjectReads({ snapshotMs: 60_000 });
    const q = gatedQuery<string>();
    const a = reads.read('shop', 'state', q.query);
    const b = reads.read('shop', 'state', q.query);
    q.fail(0, new Error('query timed out'));
    await expect(a).rejects.toThrow('query timed out');
    await expect(b).rejects.toThrow('query timed out');
    expect(await reads.read('shop', 'state', async () => 'recovered')).toBe('recovered');
  });

  it('a failing project does not fail reads of another project', async () => {
    const reads = new ProjectReads();
    const results = await Promise.allSettled([
      reads.read('broken', 'summary', async () => {
        throw new Error('Blob data size exceeds limit');
      }),
      reads.read('shop', 'summary', async () => 'ok'),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected' });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'ok' });
  });

  it('a query that throws synchronously is a rejected read, not an exception', async () => {
    const reads = new ProjectReads();
    const p = reads.read('shop', 'state', () => {
      throw new Error('no connection');
    });
    await expect(p).rejects.toThrow('no connection');
  });

  it('with snapshotMs 0 readers only share the in-flight query', async () => {
    const reads = new ProjectReads({ snapshotMs: 0 });
    const q = gatedQuery<number>();
    const both = [reads.read('shop', 'state', q.query), reads.read('shop', 'state', q.query)];
    q.answer(0, 1);
    expect(await Promise.all(both)).toEqual([1, 1]);
    await tick();
    const again = reads.read('shop', 'state', q.query);
    q.answer(1, 2);
    expect(await again).toBe(2);
    expect(q.calls).toBe(2);
  });

  it('drops expired snapshots when swept (once past their stale window too)', async () => {
    let now = 0;
    const reads = new ProjectReads({ snapshotMs: 100, staleMs: 400, now: () => now });
    for (let i = 0; i < 10; i++) await reads.read('shop', `freight:${i}`, async () => i);
    expect(reads.size).toBe(10);
    now = 499;
    reads.sweep();
    expect(reads.size).toBe(10);
    now = 500;
    reads.sweep();
    expect(reads.size).toBe(0);
  });

  describe('stale while revalidating', () => {
    /** Reads whose 'state' snapshot (`first`) was taken at t=1000: 250 ms fresh, then 1000 ms stale. */
    async function snapshotTaken(first: string, refreshWaitMs = 10) {
      const clock = { now: 1000 };
      const reads = new ProjectReads({ snapshotMs: 250, staleMs: 1000, refreshWaitMs, now: () => clock.now });
      const q = gatedQuery<string>();
      const read = () => reads.read('shop', 'state', q.query);
      const answered = read();
      q.answer(0, first);
      expect(await answered).toBe(first);
      return { reads, q, read, clock };
    }

    it('a reader of an expired snapshot gets the refresh when it answers within refreshWaitMs', async () => {
      const { q, read, clock } = await snapshotTaken('v1', 60_000);
      clock.now += 300;
      const next = read();
      q.answer(1, 'v2');
      expect(await next).toBe('v2');
    });

    it('an expired snapshot answers after refreshWaitMs while one query refreshes it; the refresh answers later readers', async () => {
      const { q, read, clock } = await snapshotTaken('v1');
      clock.now += 300;
      // Ten readers during the refresh: all get v1 after the wait, one query runs.
      expect(await Promise.all(Array.from({ length: 10 }, read))).toEqual(Array(10).fill('v1'));
      expect(q.calls).toBe(2);
      q.answer(1, 'v2');
      await tick();
      expect(await read()).toBe('v2');
      expect(q.calls).toBe(2);
    });

    it('past the stale window readers wait for the query, longer than refreshWaitMs', async () => {
      const { q, read, clock } = await snapshotTaken('v1');
      clock.now += 1250;
      const waiting = read();
      let settled = false;
      void waiting.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toBe(false);
      q.answer(1, 'v2');
      expect(await waiting).toBe('v2');
    });

    it('a reader who comes past the window joins a refresh already running', async () => {
      const { q, read, clock } = await snapshotTaken('v1');
      clock.now += 300;
      expect(await read()).toBe('v1'); // starts the refresh
      clock.now += 1000;
      const late = read();
      expect(q.calls).toBe(2);
      q.answer(1, 'v2');
      expect(await late).toBe('v2');
    });

    it('a write ends the stale window: the next read waits for a fresh query', async () => {
      const { reads, q, read, clock } = await snapshotTaken('before');
      clock.now += 300;
      reads.invalidate('shop');
      const next = read();
      await new Promise((r) => setTimeout(r, 50));
      q.answer(1, 'after');
      expect(await next).toBe('after');
    });

    it('a failed refresh keeps the older answer for the rest of its window, then the next reader queries again', async () => {
      const { q, read, clock } = await snapshotTaken('v1');
      clock.now += 300;
      expect(await read()).toBe('v1');
      q.fail(1, new Error('query timed out'));
      await tick();
      expect(await read()).toBe('v1'); // a new refresh
      expect(q.calls).toBe(3);
      clock.now += 1000;
      q.fail(2, new Error('query timed out'));
      await tick();
      const failing = read();
      q.fail(3, new Error('still down'));
      await expect(failing).rejects.toThrow('still down');
    });

    it('refuses a negative stale window or wait', () => {
      expect(() => new ProjectReads({ snapshotMs: 250, staleMs: -1 })).toThrow('staleMs must be a number >= 0, got -1');
      expect(() => new ProjectReads({ snapshotMs: 250, refreshWaitMs: Number.NaN })).toThrow('refreshWaitMs must be a number >= 0, got NaN');
    });
  });

  it('refuses a negative snapshot lifetime', () => {
    expect(() => new ProjectReads({ snapshotMs: -1 })).toThrow('snapshotMs must be a number >= 0, got -1');
  });
});
