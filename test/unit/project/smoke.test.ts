import { ulid } from '../../../core/ulid.js';
describe('ulid', () => {
  it('sorts in creation order', () => {
    const r = () => 0.5;
    expect(ulid(1000, r) < ulid(2000, r)).toBe(true);
    expect(ulid(1000, r)).toHaveLength(26);
  });
});
