import { emptyProjectState } from '../../../core/project/apply.js';
import type { Warehouse, WarehouseSpec } from '../../../core/model.js';
import type { ProjectState } from '../../../core/project/state.js';
import type { DiscoveredArtifacts } from '../../../core/warehouse/discovered.js';
import { freightCreationCriteriaSatisfied } from '../../../core/warehouse/criteria.js';
import { freightCandidate } from '../../../core/warehouse/freight-candidate.js';
import { recordScanFailed, recordScanSucceeded } from '../../../core/project/discovery.js';
import { warehouseSpecHash } from '../../../core/warehouse/scan-status.js';
import { scheduleChanges, warehouseIntervalMs } from '../../../core/warehouse/schedules.js';
import { freightId } from '../../../core/freight/freight-id.js';

const NOW = '2026-01-01T00:00:00.000Z';
const IMG = 'reg.test/team/app';
const GIT = 'https://git.test/team/config.git';

function warehouse(spec: Partial<WarehouseSpec> = {}): Warehouse {
  return {
    apiVersion: 'kargo.akuity.io/v1alpha1',
    kind: 'Warehouse',
    metadata: { name: 'w', namespace: 'p' },
    spec: { subscriptions: [{ image: { repoURL: IMG } }, { name: 'cfg', git: { repoURL: GIT } }], ...spec },
  };
}

function found(tag = '1.0.0', commit = 'c1'): DiscoveredArtifacts {
  return {
    discoveredAt: NOW,
    subscriptions: [
      { kind: 'image', repoURL: IMG, images: [{ tag, digest: `sha256:${tag}` }, { tag: '0.9.0', digest: 'sha256:old' }] },
      { kind: 'git', repoURL: GIT, subscriptionName: 'cfg', commits: [{ id: commit, branch: 'main', subject: 'fix it', author: 'A <a@x>' }] },
    ],
  };
}

function stateWith(w: Warehouse): ProjectState {
  const s = emptyProjectState('p', NOW);
  s.specs.warehouses[w.metadata.name] = w;
  return s;
}

const seq = (): (() => number) => {
  let i = 0;
  return () => ((i++ * 7) % 10) / 10;
};

describe('freightCandidate', () => {
  it('takes element [0] of every subscription, with the subscription name', () => {
    const c = freightCandidate('w', warehouse().spec, found());
    expect(c).toEqual({
      ok: true,
      id: expect.stringMatching(/^[0-9a-f]{40}$/),
      content: {
        origin: { kind: 'Warehouse', name: 'w' },
        images: [{ repoURL: IMG, tag: '1.0.0', digest: 'sha256:1.0.0' }],
        commits: [{ repoURL: GIT, id: 'c1', branch: 'main', message: 'fix it', author: 'A <a@x>', subscriptionName: 'cfg' }],
        charts: [],
      },
    });
    if (c.ok) expect(c.id).toBe(freightId(c.content));
  });
  it('makes nothing when a subscription found nothing, and says which', () => {
    const f = found();
    f.subscriptions[1]!.commits = [];
    expect(freightCandidate('w', warehouse().spec, f)).toEqual({ ok: false, reason: `subscriptions[1] (cfg) git ${GIT}: no eligible commit found` });
  });
});

describe('recordScanSucceeded', () => {
  it('creates Freight once per combination', () => {
    const w = warehouse();
    const state = stateWith(w);
    const report = { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() };
    const first = recordScanSucceeded(state, report, NOW, seq());
    expect(first.created?.alias).toMatch(/^[a-z]+-[a-z]+$/);
    expect(Object.keys(state.freight)).toHaveLength(1);
    expect(recordScanSucceeded(state, report, NOW, seq()).created).toBeUndefined();
    expect(Object.keys(state.freight)).toHaveLength(1);
    const next = recordScanSucceeded(state, { ...report, found: found('1.1.0') }, NOW, seq());
    expect(next.created?.images[0]?.tag).toBe('1.1.0');
    expect(next.created?.alias).not.toBe(first.created?.alias);
    expect(state.discovery?.warehouses['w']?.lastFreightID).toBe(next.created?.name);
  });

  it.each([
    ['Manual policy', { freightCreationPolicy: 'Manual' as const }, 'freightCreationPolicy is Manual: assemble Freight from the discovered artifacts'],
    ['criteria false', { freightCreationCriteria: { expression: `imageFrom('${IMG}').Tag == '9.9.9'` } }, 'freightCreationCriteria.expression is false for the newest artifacts'],
    ['criteria not boolean', { freightCreationCriteria: { expression: `imageFrom('${IMG}').Tag` } }, 'freightCreationCriteria.expression: failed to parse freight creation criteria expression result "1.0.0" as bool'],
    ['criteria broken', { freightCreationCriteria: { expression: 'imageFrom(' } }, 'freightCreationCriteria.expression: '],
  ])('creates nothing with %s, and says why', (_n, spec, message) => {
    const w = warehouse(spec);
    const state = stateWith(w);
    const out = recordScanSucceeded(state, { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() }, NOW, seq());
    expect(out.created).toBeUndefined();
    expect(out.message).toContain(message);
    expect(state.freight).toEqual({});
    expect(state.discovery?.warehouses['w']?.freightMessage).toContain(message);
    expect(state.discovery?.warehouses['w']?.discovered).toEqual(found());
  });

  it('creates Freight when the criteria hold', () => {
    const w = warehouse({ freightCreationCriteria: { expression: `imageFrom('${IMG}').Tag == '1.0.0' && commitFrom('${GIT}').Branch == 'main'` } });
    const state = stateWith(w);
    expect(recordScanSucceeded(state, { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() }, NOW, seq()).created).toBeDefined();
  });

  // Histories recorded before the kargo-freight-creation-criteria patch replay with the first rules.
  it('applies the criteria rules the workflow asks for, and asks only when there is an expression', () => {
    const w = warehouse({ freightCreationCriteria: { expression: `imageFrom('${IMG}').tag == '1.0.0'` } });
    const asked: string[] = [];
    const rules = (r: 'kargo' | 'v1') => (): 'kargo' | 'v1' => (asked.push(r), r);
    const v1 = recordScanSucceeded(stateWith(w), { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() }, NOW, seq(), rules('v1'));
    expect(v1.created).toBeDefined();
    const kargo = recordScanSucceeded(stateWith(w), { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() }, NOW, seq(), rules('kargo'));
    expect(kargo.message).toContain('type v1alpha1.DiscoveredImageReference has no field tag');
    const plain = warehouse();
    recordScanSucceeded(stateWith(plain), { warehouse: 'w', specHash: warehouseSpecHash(plain.spec), found: found() }, NOW, seq(), rules('v1'));
    expect(asked).toEqual(['v1', 'kargo']);
  });

  it('ignores a scan made for an older spec', () => {
    const w = warehouse();
    const state = stateWith(w);
    const out = recordScanSucceeded(state, { warehouse: 'w', specHash: 'stale', found: found() }, NOW, seq());
    expect(out).toEqual({ message: 'the spec changed during the scan; the next scan uses the new one' });
    expect(state.freight).toEqual({});
  });

  it('ignores reports for a deleted warehouse', () => {
    const state = emptyProjectState('p', NOW);
    expect(recordScanSucceeded(state, { warehouse: 'gone', specHash: 'x', found: found() }, NOW, seq())).toEqual({ message: 'warehouse "gone" no longer exists' });
    recordScanFailed(state, { warehouse: 'gone', message: 'x', attempt: 1 }, NOW);
    expect(state.discovery).toBeUndefined();
  });
});

describe('recordScanFailed', () => {
  it('keeps what was found and records why the scan failed', () => {
    const w = warehouse();
    const state = stateWith(w);
    recordScanSucceeded(state, { warehouse: 'w', specHash: warehouseSpecHash(w.spec), found: found() }, NOW, seq());
    recordScanFailed(state, { warehouse: 'w', message: 'registry reg.test answered 503', attempt: 2, nextAttemptAt: NOW }, NOW);
    expect(state.discovery?.warehouses['w']).toMatchObject({
      lastScan: { at: NOW, outcome: 'Failed', message: 'registry reg.test answered 503', attempt: 2, nextAttemptAt: NOW },
      discovered: found(),
    });
    expect(Object.keys(state.freight)).toHaveLength(1);
  });
});

describe('criteria functions', () => {
  it('read the newest discovered artifacts; unknown repositories are nil', () => {
    expect(freightCreationCriteriaSatisfied(`imageFrom('other') == nil && commitFrom('${GIT}').ID == 'c1'`, found())).toEqual({ ok: true, create: true });
  });
});

describe('schedules', () => {
  it("uses Kargo's 5m default, and the interval given", () => {
    expect(warehouseIntervalMs(warehouse())).toBe(300_000);
    expect(warehouseIntervalMs(warehouse({ interval: '30s' }))).toBe(30_000);
  });
  it('upserts new and changed warehouses, removes deleted ones, and leaves the rest', () => {
    const a = warehouse();
    const b = { ...warehouse({ interval: '1m' }), metadata: { name: 'b', namespace: 'p' } };
    const first = scheduleChanges({ w: a, b }, {});
    expect(first.upsert.map((u) => [u.warehouse, u.intervalMs, u.triggerNow])).toEqual([
      ['b', 60_000, true],
      ['w', 300_000, true],
    ]);
    const applied = Object.fromEntries(first.upsert.map((u) => [u.warehouse, u.fingerprint]));
    expect(scheduleChanges({ w: a, b }, applied)).toEqual({ upsert: [], remove: [] });
    const changed = scheduleChanges({ w: warehouse({ interval: '10m' }) }, applied);
    expect(changed.upsert.map((u) => [u.warehouse, u.intervalMs])).toEqual([['w', 600_000]]);
    expect(changed.remove).toEqual(['b']);
  });
});
