/**
 * The page's store (web/lib/store.js) and event parser (web/lib/stream.js): how the project
 * stream's events change what the page shows. Pure browser modules, run here as plain ESM.
 */
// @ts-expect-error: a browser module without types
import { applyEvent } from '../../../web/lib/store.js';
// @ts-expect-error: a browser module without types
import { parseEvent } from '../../../web/lib/stream.js';

type Named = { metadata: { name: string; creationTimestamp?: string }; discoveredAt?: string };

const stage = (name: string): Named => ({ metadata: { name } });
const freight = (name: string, discoveredAt: string): Named => ({ metadata: { name }, discoveredAt });
const base = { warehouses: [{ metadata: { name: 'app' } }], stages: [stage('dev'), stage('prod')], freight: [freight('f1', '2026-01-01T00:00:00Z')], promotions: [] };

describe('the page store', () => {
  it('replaces the lists on reset and keeps the warehouses (the stream does not carry them)', () => {
    const next = applyEvent(base, { event: 'reset', data: { stages: [stage('qa')], freight: [], promotions: [] } });
    expect(next.stages.map((s: Named) => s.metadata.name)).toEqual(['qa']);
    expect(next.freight).toEqual([]);
    expect(next.warehouses).toBe(base.warehouses);
  });

  it('adds, changes and removes one object, keeping the api\'s order (freight newest first, stages by name)', () => {
    const added = applyEvent(base, { event: 'added', data: { kind: 'Freight', name: 'f2', object: freight('f2', '2026-02-01T00:00:00Z') } });
    expect(added.freight.map((f: Named) => f.metadata.name)).toEqual(['f2', 'f1']);
    const changed = applyEvent(added, { event: 'changed', data: { kind: 'Stage', name: 'dev', object: { metadata: { name: 'dev' }, status: { x: 1 } } } });
    expect(changed.stages).toEqual([{ metadata: { name: 'dev' }, status: { x: 1 } }, stage('prod')]);
    const removed = applyEvent(changed, { event: 'removed', data: { kind: 'Freight', name: 'f1', object: base.freight[0] } });
    expect(removed.freight.map((f: Named) => f.metadata.name)).toEqual(['f2']);
    expect(base.freight.map((f) => f.metadata.name)).toEqual(['f1']); // the old data is untouched
  });

  it('ignores what it does not keep (verifications, which the stages carry; other kinds, other events, no data yet)', () => {
    expect(applyEvent(base, { event: 'added', data: { kind: 'Verification', name: 'dev.01.abc', object: { id: 'dev.01.abc', phase: 'Running' } } })).toBe(base);
    expect(applyEvent(base, { event: 'added', data: { kind: 'Warehouse', name: 'x', object: {} } })).toBe(base);
    expect(applyEvent(base, { event: 'unavailable', data: { message: 'x' } })).toBe(base);
    expect(applyEvent(null, { event: 'reset', data: {} })).toBeNull();
  });
});

describe('the page\'s event-stream parser', () => {
  it('reads id, event and JSON data, joining data lines and taking one space after the colon off', () => {
    expect(parseEvent('id: 7\nevent: changed\ndata: {"kind":"Stage",\ndata:  "name":"dev"}')).toEqual({ id: '7', event: 'changed', data: { kind: 'Stage', name: 'dev' } });
  });

  it('calls an event without a name a message, and one without an id has the empty id', () => {
    expect(parseEvent('data: [1,2]')).toEqual({ id: '', event: 'message', data: [1, 2] });
  });

  it('skips comments and fields it does not know, and gives nothing for a keep-alive (no data)', () => {
    expect(parseEvent(': keep-alive')).toBeUndefined();
    expect(parseEvent('event: reset\nretry: 1000')).toBeUndefined();
    expect(parseEvent(': hi\nfoo: bar\nevent: reset\ndata: {}')).toEqual({ id: '', event: 'reset', data: {} });
  });

  it('throws on data that is not JSON (the api sends only JSON), so the stream is read again rather than misread', () => {
    expect(() => parseEvent('data: {oops')).toThrow(SyntaxError);
  });
});
