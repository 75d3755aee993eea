/**
 * Several manifest files (an apply's body) parsed at once: the one parse that both the api's
 * permission check and the apply itself use, so what is checked is what is applied.
 */
import { DomainError } from '../errors.js';
import type { Manifest } from '../model.js';
import { formatIssue, parseManifests } from './parse.js';

export interface ManifestFile {
  name: string;
  content: string;
}

export interface ParsedManifestFiles {
  /** Every manifest of every file, List items included, in order. */
  manifests: Manifest[];
  /** The file each manifest came from (same index as `manifests`). */
  files: string[];
  /** Every problem, formatted (`file: document N (Kind name): path: message`). */
  problems: string[];
  hints: string[];
}

export function parseManifestFiles(files: readonly ManifestFile[]): ParsedManifestFiles {
  const out: ParsedManifestFiles = { manifests: [], files: [], problems: [], hints: [] };
  for (const file of files) {
    const parsed = parseManifests(file.content, file.name);
    out.manifests.push(...parsed.manifests);
    out.files.push(...parsed.manifests.map(() => file.name));
    out.problems.push(...parsed.issues.map(formatIssue));
    out.hints.push(...parsed.hints);
  }
  return out;
}

/** The error an apply with problems gets: one line, or a list of them. */
export function invalidManifests(problems: readonly string[]): DomainError {
  const head = problems.length === 1 ? problems[0]! : `${problems.length} problems in the manifests:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  return new DomainError('InvalidManifest', head, problems);
}
