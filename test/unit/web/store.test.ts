/**
 * The page's store (web/lib/store.js) and event parser (web/lib/stream.js): how the project
 * stream's events change what the page shows. Pure browser modules, run here as plain ESM.
 */
// @ts-expect-error: a browser module without types
import { applyEvent } from '../../../web/lib/store.js';

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
