import { describe, expect, it } from '@jest/globals';
import { parseDeleteKind, parseGetKind } from '../../../cli/kinds.js';

describe('parseGetKind', () => {
  it.each([
    ['projects', 'projects'],
    ['project', 'projects'],
    ['Stage', 'stages'],
    ['stages', 'stages'],
    ['warehouse', 'warehouses'],
    ['freight', 'freight'],
    ['freights', 'freight'],
    ['promotion', 'promotions'],
    ['event', 'events'],
    ['audit', 'audit'],
  ])('reads %s as %s', (text, kind) => {
    expect(parseGetKind(text)).toBe(kind);
  });

  it('lists the kinds it knows when it does not know one', () => {
    expect(() => parseGetKind('pods')).toThrow(
      'unknown resource kind "pods" (expected one of: projects, warehouses, stages, freight, promotions, events, audit)',
    );
  });
});

describe('parseDeleteKind', () => {
  it.each([
    ['stage', 'stage'],
    ['stages', 'stage'],
    ['warehouse', 'warehouse'],
    ['project', 'project'],
    ['freight', 'freight'],
    ['Freights', 'freight'],
  ])('reads %s as %s', (text, kind) => {
    expect(parseDeleteKind(text)).toBe(kind);
  });

  it('refuses what cannot be deleted', () => {
    expect(() => parseDeleteKind('promotion')).toThrow('cannot delete "promotion" (expected one of: stage, warehouse, freight, project)');
  });
});
