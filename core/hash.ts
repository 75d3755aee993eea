/**
 * SHA-1, the one module for it everywhere (core/, workflows/ and activities/): content-derived
 * ids (Kargo's Freight and FreightCollection ids, spec and plan fingerprints, worktree names),
 * never security. @noble/hashes is plain JavaScript, so it also runs in Temporal's workflow
 * sandbox, where node:crypto is not available.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** SHA-1 of bytes, or of a string's UTF-8 encoding, as 40 lowercase hex characters. */
export function sha1Hex(input: string | Uint8Array): string {
  return bytesToHex(sha1(typeof input === 'string' ? utf8ToBytes(input) : input));
}
