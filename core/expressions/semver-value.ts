/**
 * A semantic version as `semverParse()` returns it: Masterminds/semver's *Version, whose methods
 * expressions call (`semverParse(v).Minor()`, `.IncPatch().String()`).
 */
import { comparePrerelease, newVersion, type Version } from '../semver/version.js';
import { FunctionError } from './errors.js';
import { MethodValue } from './values.js';

export class SemverValue extends MethodValue {
  readonly typeName = '*semver.Version';

  private constructor(
    readonly major: number,
    readonly minor: number,
    readonly patch: number,
    readonly prerelease: string,
    readonly metadata: string,
    readonly original: string,
  ) {
    super();
  }

  /** Parses with Masterminds' NewVersion (core/semver); throws FunctionError on invalid input. */
  static parse(text: string): SemverValue {
    let v: Version;
    try {
      v = newVersion(text);
    } catch (e) {
      // The reason only, never the text: it may come from a Secret.
      const reason = (e as Error).message;
      throw new FunctionError(reason === 'invalid semantic version' || reason.includes('"') ? 'invalid semantic version' : `invalid semantic version: ${reason}`);
    }
    return new SemverValue(Number(v.major), Number(v.minor), Number(v.patch), v.prerelease, v.metadata, text);
  }

  /** Whether `text` parses (used by semverDiff, which answers "Incomparable" instead of failing). */
  static tryParse(text: string): SemverValue | undefined {
    try {
      return SemverValue.parse(text);
    } catch {
      return undefined;
    }
  }

  methodNames(): readonly string[] {
    return Object.keys(SEMVER_METHODS);
  }

  callMethod(name: string, args: unknown[]): unknown {
    const method = SEMVER_METHODS[name];
    if (method === undefined) throw new FunctionError(`type *semver.Version has no method ${name}`);
    return method(this, args);
  }

  toJSON(): string {
    return this.toString();
  }

  override toString(): string {
    const pre = this.prerelease === '' ? '' : `-${this.prerelease}`;
    const meta = this.metadata === '' ? '' : `+${this.metadata}`;
    return `${this.major}.${this.minor}.${this.patch}${pre}${meta}`;
  }

  equals(other: unknown): boolean {
    return other instanceof SemverValue && other.toString() === this.toString();
  }

  /** Precedence comparison per semver 2.0 (metadata ignored): -1, 0 or 1. */
  compare(other: SemverValue): number {
    for (const key of ['major', 'minor', 'patch'] as const) {
      if (this[key] !== other[key]) return this[key] < other[key] ? -1 : 1;
    }
    if (this.prerelease === other.prerelease) return 0;
    if (this.prerelease === '') return 1;
    if (other.prerelease === '') return -1;
    return comparePrerelease(this.prerelease, other.prerelease);
  }

  with(changes: Partial<Pick<SemverValue, 'major' | 'minor' | 'patch' | 'prerelease' | 'metadata'>>): SemverValue {
    const next = {
      major: this.major,
      minor: this.minor,
      patch: this.patch,
      prerelease: this.prerelease,
      metadata: this.metadata,
      ...changes,
    };
    const v = new SemverValue(next.major, next.minor, next.patch, next.prerelease, next.metadata, '');
    const prefix = this.original.startsWith('v') ? 'v' : '';
    return new SemverValue(v.major, v.minor, v.patch, v.prerelease, v.metadata, `${prefix}${v.toString()}`);
  }
}

const otherVersion = (args: unknown[], method: string): SemverValue => {
  const v = args[0];
  if (v instanceof SemverValue) return v;
  if (typeof v === 'string') return SemverValue.parse(v);
  throw new FunctionError(`${method}: argument must be a version`);
};
const stringArg = (args: unknown[], method: string): string => {
  if (typeof args[0] !== 'string') throw new FunctionError(`${method}: argument must be a string`);
  return args[0];
};

const SEMVER_METHODS: Record<string, (v: SemverValue, args: unknown[]) => unknown> = {
  Major: (v) => v.major,
  Minor: (v) => v.minor,
  Patch: (v) => v.patch,
  Prerelease: (v) => v.prerelease,
  Metadata: (v) => v.metadata,
  Original: (v) => v.original,
  String: (v) => v.toString(),
  // Masterminds: IncPatch on a prerelease drops the prerelease instead of bumping the patch.
  IncPatch: (v) => (v.prerelease !== '' ? v.with({ prerelease: '', metadata: '' }) : v.with({ patch: v.patch + 1, prerelease: '', metadata: '' })),
  IncMinor: (v) => v.with({ minor: v.minor + 1, patch: 0, prerelease: '', metadata: '' }),
  IncMajor: (v) => v.with({ major: v.major + 1, minor: 0, patch: 0, prerelease: '', metadata: '' }),
  SetPrerelease: (v, a) => v.with({ prerelease: stringArg(a, 'SetPrerelease') }),
  SetMetadata: (v, a) => v.with({ metadata: stringArg(a, 'SetMetadata') }),
  Compare: (v, a) => v.compare(otherVersion(a, 'Compare')),
  LessThan: (v, a) => v.compare(otherVersion(a, 'LessThan')) < 0,
  LessThanEqual: (v, a) => v.compare(otherVersion(a, 'LessThanEqual')) <= 0,
  GreaterThan: (v, a) => v.compare(otherVersion(a, 'GreaterThan')) > 0,
  GreaterThanEqual: (v, a) => v.compare(otherVersion(a, 'GreaterThanEqual')) >= 0,
  Equal: (v, a) => v.compare(otherVersion(a, 'Equal')) === 0,
};
