import { AuditQuery } from '../../../core/api/requests.js';
import type { AuditEvent } from '../../../core/audit/event.js';
import { filterAuditEvents } from '../../../core/audit/filter.js';

const entry = (id: string, fields: Partial<AuditEvent>): AuditEvent => ({
  id,
  time: `2026-01-01T00:00:0${id}.000Z`,
  actor: 'alice',
  via: 'token',
  action: 'promote',
  method: 'POST',
  path: '/api/v1/projects/demo/promotions',
  project: 'demo',
  target: { stage: 'dev' },
  outcome: 'succeeded',
  status: 201,
  ...fields,
});

// Newest first, as the trail answers.
const trail: AuditEvent[] = [
  entry('5', { actor: 'bob', action: 'approve', target: { stage: 'prod' }, outcome: 'denied', status: 403 }),
  entry('4', { actor: 'rita', action: 'approve', target: { stage: 'prod' } }),
  entry('3', { action: 'promote', target: { stage: 'staging' }, outcome: 'refused', status: 409 }),
  entry('2', { action: 'apply', target: {} }),
  entry('1', { action: 'promote', target: { stage: 'dev' } }),
];

describe('filterAuditEvents', () => {
  it.each([
    ['stage', { stage: 'prod' }, ['5', '4']],
    ['actor', { actor: 'alice' }, ['3', '2', '1']],
    ['action', { action: 'promote' as const }, ['3', '1']],
    ['outcome', { outcome: 'denied' as const }, ['5']],
    ['stage and actor together', { stage: 'prod', actor: 'rita' }, ['4']],
    ['limit, after filtering', { action: 'promote' as const, limit: 1 }, ['3']],
    ['nothing matching', { stage: 'nowhere' }, []],
  ])('keeps the entries matching %s, newest first', (_what, filter, ids) => {
    expect(filterAuditEvents(trail, filter).map((e) => e.id)).toEqual(ids);
  });

  it('answers at most 100 entries when no limit is given', () => {
    const many = Array.from({ length: 150 }, (_, i) => entry(String(i), {}));
    expect(filterAuditEvents(many, {})).toHaveLength(100);
  });
});

describe('AuditQuery', () => {
  it('takes every filter and turns limit into a number', () => {
    expect(AuditQuery.parse({ stage: 'prod', actor: 'rita', action: 'approve', outcome: 'denied', limit: '5' })).toEqual({
      stage: 'prod',
      actor: 'rita',
      action: 'approve',
      outcome: 'denied',
      limit: 5,
    });
  });

  it.each([
    ['an unknown action', { action: 'launch' }, /must be one of apply, delete, promote/],
    ['an unknown outcome', { outcome: 'ok' }, /must be one of succeeded, denied, refused, failed/],
    ['a limit of 0', { limit: '0' }, /must be a whole number from 1 to 1000/],
    ['a limit that is not a number', { limit: 'ten' }, /must be a whole number from 1 to 1000/],
    ['an empty stage', { stage: '' }, /must not be empty/],
    ['a stage given twice', { stage: ['a', 'b'] }, /stage must be given once/],
    ['an unknown filter', { who: 'x' }, /unknown filter "who"/],
  ])('refuses %s', (_what, query, message) => {
    const result = AuditQuery.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('; ')).toMatch(message);
  });
});
