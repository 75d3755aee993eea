const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A lower-case ULID: 10 characters of millisecond time, 16 of randomness, so names sort in
 * creation order (Kargo names promotions this way). Time and randomness are passed in.
 */
export function ulid(nowMs: number, random: () => number): string {
  let time = '';
  let t = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[Math.floor(random() * 32) % 32];
  return time + rand;
}
