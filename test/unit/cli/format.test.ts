import { describe, expect, it } from '@jest/globals';
import { formatAge, formatDocument, formatTable, resourceRef } from '../../../cli/format.js';

describe('formatTable', () => {
  it('aligns columns three spaces apart with no trailing spaces', () => {
    expect(formatTable(['NAME', 'PHASE'], [['dev', 'Succeeded'], ['production', '']])).toBe(
      'NAME         PHASE\ndev          Succeeded\nproduction\n',
    );
  });

  it('prints only the headers for no rows', () => {
    expect(formatTable(['NAME', 'AGE'], [])).toBe('NAME   AGE\n');
  });

  it('treats missing cells as empty', () => {
    expect(formatTable(['A', 'B', 'C'], [['x']])).toBe('A   B   C\nx\n');
  });
});

describe('formatAge', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

  it.each([
    [0, '0s'],
    [45, '45s'],
    [119, '119s'],
    [150, '2m30s'],
    [300, '5m'],
    [3600, '60m'],
    [4 * 3600 + 5 * 60, '4h5m'],
    [8 * 3600, '8h'],
    [30 * 3600, '30h'],
    [3 * 86400 + 2 * 3600, '3d2h'],
    [2 * 86400, '2d'],
    [40 * 86400, '40d'],
  ])('shows %i seconds ago as %s', (seconds, text) => {
    expect(formatAge(ago(seconds), now)).toBe(text);
  });

  it('shows future times as 0s and missing or invalid ones as <unknown>', () => {
    expect(formatAge('2027-01-01T00:00:00Z', now)).toBe('0s');
    expect(formatAge(undefined, now)).toBe('<unknown>');
    expect(formatAge('yesterday', now)).toBe('<unknown>');
  });
});

describe('resourceRef', () => {
  it.each([
    ['Stage', 'prod', 'stage.kargo.akuity.io/prod'],
    ['ProjectConfig', 'demo', 'projectconfig.kargo.akuity.io/demo'],
    ['ClusterPromotionTask', 't', 'clusterpromotiontask.kargo.akuity.io/t'],
  ])('names a %s kubectl-style', (kind, name, ref) => {
    expect(resourceRef(kind, name)).toBe(ref);
  });
});

describe('formatDocument', () => {
  it('prints 2-space JSON with a final newline, or YAML', () => {
    expect(formatDocument({ a: [1] }, 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(formatDocument({ a: [1] }, 'yaml')).toBe('a:\n  - 1\n');
  });
});
