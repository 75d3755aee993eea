import { createHash } from 'node:crypto';
import { sha1Hex } from '../../core/hash.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sha1Hex', () => {
  // Expected values from `printf '%s' … | sha1sum`.
  it.each([
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['The quick brown fox jumps over the lazy dog', '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'],
    ['héllo wörld ✓ 😀', '1e635c63b152e750b83ca43d21b32e4b562af9db'],
    ['a'.repeat(1000), '291e9a6c66994949b57ba5e650361e98fc36b1ba'],
    ['aaa,bbb,ccc', 'af89872b33dc476e376d75f18cdd3ebb689c1097'],
  ])('hashes %j', (input, expected) => {
    expect(sha1Hex(input)).toBe(expected);
  });

  it.each([
    [55, 'c1c8bbdc22796e28c0e15163d20899b65621d65a'],
    [56, 'c2db330f6083854c99d4b5bfb6e8f29f201be699'],
    [63, '03f09f5b158a7a8cdad920bddc29b81c18a551f5'],
    [64, '0098ba824b5c16427bd7a1122a5a442a25ec644d'],
    [65, '11655326c708d70319be2610e8a57d9a5b959d3b'],
    [119, 'ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56'],
    [120, 'f34c1488385346a55709ba056ddd08280dd4c6d6'],
  ])('handles the padding boundary at %i bytes', (n, expected) => {
    const s = 'a'.repeat(n);
    expect(sha1Hex(s)).toBe(expected);
    expect(sha1Hex(utf8(s))).toBe(expected);
  });

  it('hashes a string as its UTF-8 bytes (a lone surrogate as U+FFFD), as node:crypto does', () => {
    for (const s of ['héllo wörld ✓ 😀 \ud800', 'promotion-2026-01-01', '\u0000\uffff']) {
      const expected = createHash('sha1').update(s).digest('hex');
      expect(sha1Hex(s)).toBe(expected);
      expect(sha1Hex(utf8(s))).toBe(expected);
    }
  });
});
