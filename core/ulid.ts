const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

/**
 * A lower-case ULID: 10 characters of millisecond time, 16 of randomness. Time and randomness
 * are passed in (core never reads the clock).
 */
export function ulid(nowMs: number, random: () => number): string {
  let time = '';
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < TIME_LENGTH; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) rand += ALPHABET[Math.min(31, Math.floor(random() * 32))];
  return time + rand;
}

/**
 * Like `ulid`, but always greater than `previous` (Kargo's monotonic ULIDs): within the same
 * millisecond, or if the clock went back, it is `previous` plus one. So names built from it
 * sort in creation order.
 */
export function monotonicUlid(nowMs: number, random: () => number, previous?: string): string {
  const next = ulid(nowMs, random);
  if (!previous || next > previous) return next;
  return increment(previous);
}

function increment(id: string): string {
  const chars = id.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const index = ALPHABET.indexOf(chars[i]!);
    if (index < 31) {
      chars[i] = ALPHABET[index + 1]!;
      return chars.join('');
    }
    chars[i] = ALPHABET[0]!;
  }
  throw new Error('ulid overflow');
}
