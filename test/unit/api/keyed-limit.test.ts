import { KeyedLimit } from '../../../api/keyed-limit.js';

/** A call that runs until `finish` is called, recording its start. */
function gated(started: string[], name: string): { call: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    call: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLimit', () => {
  it('runs at most `limit` calls of one key at once, the rest in the order they came', async () => {
    const limit = new KeyedLimit(2);
    const started: string[] = [];
    const calls = ['a', 'b', 'c', 'd'].map((name) => gated(started, name));
    const results = calls.map((c) => limit.run('project', c.call));
    await settle();
    expect(started).toEqual(['a', 'b']);

    calls[1]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    calls[0]!.finish();
    calls[2]!.finish();
    calls[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);

    // Every place is free again: the next two start at once.
    const again = ['e', 'f'].map((name) => gated(started, name));
    const more = again.map((c) => limit.run('project', c.call));
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    for (const c of again) c.finish();
    await Promise.all(more);
  });

  it('limits each key on its own', async () => {
    const limit = new KeyedLimit(1);
    const started: string[] = [];
    const one = gated(started, 'one');
    const other = gated(started, 'other');
    const results = [limit.run('a', one.call), limit.run('b', other.call)];
    await settle();
    expect(started).toEqual(['one', 'other']);
    one.finish();
    other.finish();
    await Promise.all(results);
  });

  it('passes the place on when a call fails, and gives the caller its error', async () => {
    const limit = new KeyedLimit(1);
    const failing = limit.run('p', () => Promise.reject(new Error('refused')));
    const next = limit.run('p', () => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('refused');
    await expect(next).resolves.toBe('ran');
    await expect(limit.run('p', () => Promise.resolve('free'))).resolves.toBe('free');
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => new KeyedLimit(0)).toThrow('a limit of calls at once must be a whole number of at least 1, not 0');
    expect(() => new KeyedLimit(1.5)).toThrow(RangeError);
  });
});
