/**
 * A semantic version as `semverParse()` returns it: Masterminds/semver's *Version, whose methods
 * expressions call (`semverParse(v).Minor()`, `.IncPatch().String()`).
 */
import { newVersion, Version } from '../semver/version.js';
import { FunctionError } from './errors.js';
import { MethodValue } from './values.js';

/** A core/semver Version with the methods expressions call; parsing and ordering are core/semver's. */
export class SemverValue extends MethodValue {
  readonly typeName = '*semver.Version';

  private constructor(readonly version: Version) {
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
    return new SemverValue(v);
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
    return this.version.toString();
  }

  equals(other: unknown): boolean {
    return other instanceof SemverValue && other.toString() === this.toString();
  }

  /** Precedence comparison per semver 2.0 (metadata ignored): -1, 0 or 1. */
  compare(other: SemverValue): number {
    return this.version.compare(other.version);
  }

  /** A changed copy; `Original()` keeps the `v` prefix, as Masterminds' Inc* and Set* do. */
  with(changes: Partial<Pick<Version, 'major' | 'minor' | 'patch' | 'prerelease' | 'metadata'>>): SemverValue {
    const v = this.version;
    const next = { major: v.major, minor: v.minor, patch: v.patch, prerelease: v.prerelease, metadata: v.metadata, ...changes };
    const text = new Version(next.major, next.minor, next.patch, next.prerelease, next.metadata, '').toString();
    const prefix = v.original.startsWith('v') ? 'v' : '';
    return new SemverValue(new Version(next.major, next.minor, next.patch, next.prerelease, next.metadata, `${prefix}${text}`));
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
  Major: (v) => Number(v.version.major),
  Minor: (v) => Number(v.version.minor),
  Patch: (v) => Number(v.version.patch),
  Prerelease: (v) => v.version.prerelease,
  Metadata: (v) => v.version.metadata,
  Original: (v) => v.version.original,
  String: (v) => v.toString(),
  // Masterminds: IncPatch on a prerelease drops the prerelease instead of bumping the patch.
  IncPatch: (v) =>
    v.version.prerelease !== '' ? v.with({ prerelease: '', metadata: '' }) : v.with({ patch: v.version.patch + 1n, prerelease: '', metadata: '' }),
  IncMinor: (v) => v.with({ minor: v.version.minor + 1n, patch: 0n, prerelease: '', metadata: '' }),
  IncMajor: (v) => v.with({ major: v.version.major + 1n, minor: 0n, patch: 0n, prerelease: '', metadata: '' }),
  SetPrerelease: (v, a) => v.with({ prerelease: stringArg(a, 'SetPrerelease') }),
  SetMetadata: (v, a) => v.with({ metadata: stringArg(a, 'SetMetadata') }),
  Compare: (v, a) => v.compare(otherVersion(a, 'Compare')),
  LessThan: (v, a) => v.compare(otherVersion(a, 'LessThan')) < 0,
  LessThanEqual: (v, a) => v.compare(otherVersion(a, 'LessThanEqual')) <= 0,
  GreaterThan: (v, a) => v.compare(otherVersion(a, 'GreaterThan')) > 0,
  GreaterThanEqual: (v, a) => v.compare(otherVersion(a, 'GreaterThanEqual')) >= 0,
  Equal: (v, a) => v.compare(otherVersion(a, 'Equal')) === 0,
};
