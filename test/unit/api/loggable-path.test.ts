import { loggablePath } from '../../../api/request-context.js';

describe('loggablePath', () => {
  it('masks the secret token of a webhook receiver path', () => {
    expect(loggablePath('/webhooks/github/5f2c9a1b7e?x=1')).toBe('/webhooks/github/***');
    expect(loggablePath('/webhooks/generic/abc/extra')).toBe('/webhooks/generic/***/extra');
  });

  it('keeps every other path as it is, without the query', () => {
    expect(loggablePath('/api/v1/projects/demo/stages?watch=1')).toBe('/api/v1/projects/demo/stages');
    expect(loggablePath('/webhooks/github')).toBe('/webhooks/github');
  });
});
