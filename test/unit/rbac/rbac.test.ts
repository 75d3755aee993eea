import { decide, globMatches, type Subject } from '../../../core/rbac/rbac.js';

const subject = (grants: Subject['grants']): Subject => ({ name: 'sam', via: 'token', grants });

describe('globMatches', () => {
  it.each([
    ['*', 'anything', true],
    ['prod*', 'prod-eu', true],
    ['prod*', 'preprod', false],
    ['dev', 'dev', true],
    ['dev', 'devx', false],
    ['a.b', 'axb', false],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});

describe('decide', () => {
  const dev = subject([{ role: 'promoter', projects: ['demo'], stages: ['dev'] }]);

  it.each<[string, Subject, Parameters<typeof decide>[1], Parameters<typeof decide>[2], boolean]>([
    ['promoter promotes its stage', dev, 'promote', [{ project: 'demo', stage: 'dev' }], true],
    ['promoter reads its project', dev, 'read', [{ project: 'demo' }], true],
    ['promoter may not approve', dev, 'approve', [{ project: 'demo', stage: 'dev' }], false],
    ['promoter may not promote another stage', dev, 'promote', [{ project: 'demo', stage: 'prod' }], false],
    ['promoter may not promote in another project', dev, 'promote', [{ project: 'x', stage: 'dev' }], false],
    ['project-wide action with a stage-scoped grant', dev, 'promote', [{ project: 'demo' }], true],
    ['admin of one project may not change all', subject([{ role: 'admin', projects: ['demo'], stages: ['*'] }]), 'admin', [{}], false],
    ['admin of all changes all', subject([{ role: 'admin', projects: ['*'], stages: ['*'] }]), 'admin', [{}], true],
    ['every target must be allowed', subject([{ role: 'admin', projects: ['a'], stages: ['*'] }]), 'admin', [{ project: 'a' }, { project: 'b' }], false],
    ['nobody without grants', subject([]), 'read', [], false],
  ])('%s', (_what, who, action, targets, allowed) => {
    expect(decide(who, action, targets).allowed).toBe(allowed);
  });

  it('says who, what, where and which role would do', () => {
    expect(decide(dev, 'approve', [{ project: 'demo', stage: 'prod' }])).toEqual({
      allowed: false,
      reason: 'sam (roles promoter on demo/dev) may not approve for stage "prod" of project "demo": that needs the approver role there',
    });
  });
});
