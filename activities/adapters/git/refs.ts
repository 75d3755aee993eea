/** Validators for what a step names as a commit, branch or tag (before it reaches git's argv), and for object ids git prints. */
import { isFullCommitId } from '../../../core/changes/git-reads.js';

/** A full or abbreviated commit id. */
export function isCommitId(s: string): boolean {
  return /^[0-9a-fA-F]{4,64}$/.test(s);
}

/** A full object id (commit, tree or blob; SHA-1 or SHA-256) as git prints one: spelled as core's full commit id. */
export function isObjectId(s: string): boolean {
  return isFullCommitId(s);
}

/** git-check-ref-format's rules for a branch or tag name (and no leading `-`). */
export function isValidRefName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.startsWith('/') || name.endsWith('/')) return false;
  if (name.endsWith('.') || name.endsWith('.lock') || name.includes('..') || name.includes('@{') || name.includes('//')) {
    return false;
  }
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}
