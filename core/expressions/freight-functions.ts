/**
 * Kargo's freight shortcuts for promotions: warehouse(), imageFrom(), commitFrom(), chartFrom(),
 * artifactFrom() (pkg/expressions/function/functions.go, pkg/controller/freight/finder.go).
 *
 * Results are Go-struct-like objects: their JSON form uses Kargo's JSON field names (`repoURL`,
 * `tag`, ...) and the Go field names (`RepoURL`, `Tag`, ...) are readable aliases, so both
 * `imageFrom(u).Tag` and `imageFrom(u).tag` work. Missing string fields read as "" (Go's zero value).
 */
import { normalizeGitURL } from '../freight/normalize.js';
import type { ArtifactReference, Chart, GitCommit, Image } from '../manifests/artifacts.js';
import type { FreightCollection, FreightReference } from '../promotion/types.js';
import { FunctionError } from './errors.js';
import type { ExpressionFunction } from './evaluate.js';
import { getOwn, goTypeName, isMap, makeStruct } from './values.js';

export interface FreightFunctionOptions {
  freight?: FreightCollection;
  /** Warehouses the stage requests; without an origin only their items are searched. */
  requestedOrigins?: string[];
}

interface Origin {
  kind: 'Warehouse';
  name: string;
}

export function warehouseOrigin(name: string): Record<string, unknown> {
  return makeStruct({ kind: 'Warehouse', name }, { Kind: 'kind', Name: 'name' });
}

function imageStruct(image: Image): Record<string, unknown> {
  const out = makeStruct(
    {
      repoURL: image.repoURL,
      tag: image.tag ?? '',
      digest: image.digest ?? '',
      ...(image.annotations === undefined ? {} : { annotations: { ...image.annotations } }),
    },
    { RepoURL: 'repoURL', Tag: 'tag', Digest: 'digest', Annotations: 'annotations' },
  );
  // Go's nil map reads as empty: keep `.Annotations['k']` nil instead of an error, out of JSON.
  if (image.annotations === undefined) {
    Object.defineProperty(out, 'annotations', { value: Object.freeze({}), enumerable: false });
  }
  return out;
}

function commitStruct(commit: GitCommit): Record<string, unknown> {
  return makeStruct(
    {
      repoURL: commit.repoURL,
      id: commit.id ?? '',
      branch: commit.branch ?? '',
      tag: commit.tag ?? '',
      message: commit.message ?? '',
      author: commit.author ?? '',
      committer: commit.committer ?? '',
    },
    {
      RepoURL: 'repoURL',
      ID: 'id',
      Branch: 'branch',
      Tag: 'tag',
      Message: 'message',
      Author: 'author',
      Committer: 'committer',
    },
  );
}

function chartStruct(chart: Chart): Record<string, unknown> {
  return makeStruct(
    { repoURL: chart.repoURL, name: chart.name ?? '', version: chart.version ?? '' },
    { RepoURL: 'repoURL', Name: 'name', Version: 'version' },
  );
}

function originOf(v: unknown): Origin | undefined {
  if (!isMap(v)) return undefined;
  const kind = getOwn(v, 'kind') ?? getOwn(v, 'Kind');
  const name = getOwn(v, 'name') ?? getOwn(v, 'Name');
  return kind === 'Warehouse' && typeof name === 'string' && name !== '' ? { kind, name } : undefined;
}

/** Kargo's expressionFriendlyArtifactReference: metadata unpacked, `{}` when there is none. */
function artifactStruct(a: ArtifactReference): Record<string, unknown> {
  return makeStruct(
    {
      artifactType: a.artifactType ?? '',
      subscriptionName: a.subscriptionName,
      version: a.version,
      // A copy, so an expression cannot change the freight (JSON data: a JSON round trip is exact).
      metadata: JSON.parse(JSON.stringify(a.metadata ?? {})) as Record<string, unknown>,
    },
    { ArtifactType: 'artifactType', SubscriptionName: 'subscriptionName', Version: 'version', Metadata: 'metadata' },
  );
}

function toOrigin(fn: string, v: unknown, position: string): Origin {
  const origin = originOf(v);
  if (origin !== undefined) return origin;
  throw new FunctionError(`${fn}: ${position} argument must be FreightOrigin, got ${goTypeName(v)} (make one with warehouse('name'))`);
}

function requireString(fn: string, v: unknown, position: string): string {
  if (typeof v !== 'string') throw new FunctionError(`${fn}: ${position} argument must be string, got ${goTypeName(v)}`);
  return v;
}

function arityRange(fn: string, args: unknown[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min} argument${min === 1 ? '' : 's'}` : `${min}-${max} arguments`;
    throw new FunctionError(`${fn}: expected ${expected}, got ${args.length}`);
  }
}

/**
 * Finds the one artifact matching `match` among the freight the promotion carries. With an origin
 * only that warehouse's item is searched; without one, every requested item is, and a match in
 * more than one warehouse is an error (Kargo: "please provide a Freight origin to disambiguate").
 */
function findArtifact<T>(
  fn: string,
  what: string,
  opts: FreightFunctionOptions,
  origin: Origin | undefined,
  pick: (item: FreightReference) => T | undefined,
): T | undefined {
  const items = opts.freight?.items ?? {};
  if (origin !== undefined) {
    const item = items[`Warehouse/${origin.name}`];
    return item === undefined ? undefined : pick(item);
  }
  const requested = opts.requestedOrigins === undefined ? undefined : new Set(opts.requestedOrigins);
  const found: { warehouse: string; artifact: T }[] = [];
  for (const key of Object.keys(items).sort()) {
    const item = items[key] as FreightReference;
    if (requested !== undefined && !requested.has(item.origin.name)) continue;
    const artifact = pick(item);
    if (artifact !== undefined) found.push({ warehouse: item.origin.name, artifact });
  }
  if (found.length > 1) {
    const names = found.map((f) => f.warehouse);
    throw new FunctionError(
      `${fn}: ${what} is provided by more than one warehouse (${names.join(', ')}); ` +
        `name one with warehouse('${names[0] as string}')`,
    );
  }
  return found[0]?.artifact;
}

export function freightFunctions(opts: FreightFunctionOptions): Record<string, ExpressionFunction> {
  return {
    warehouse: (...args) => {
      arityRange('warehouse', args, 1, 1);
      if (typeof args[0] !== 'string') throw new FunctionError(`warehouse: argument must be string, got ${goTypeName(args[0])}`);
      const name = args[0];
      if (name === '') throw new FunctionError('warehouse: name must not be empty');
      return warehouseOrigin(name);
    },

    // Image repository URLs are compared exactly, as Kargo does.
    imageFrom: (...args) => {
      arityRange('imageFrom', args, 1, 2);
      const repoURL = requireString('imageFrom', args[0], 'first');
      const origin = args.length === 2 ? toOrigin('imageFrom', args[1], 'second') : undefined;
      const image = findArtifact('imageFrom', `image repository ${repoURL}`, opts, origin, (item) =>
        item.images.find((i) => i.repoURL === repoURL),
      );
      return image === undefined ? null : imageStruct(image);
    },

    // Git URLs are normalised before comparing.
    commitFrom: (...args) => {
      arityRange('commitFrom', args, 1, 2);
      const repoURL = requireString('commitFrom', args[0], 'first');
      const origin = args.length === 2 ? toOrigin('commitFrom', args[1], 'second') : undefined;
      const wanted = normalizeGitURL(repoURL);
      const commit = findArtifact('commitFrom', `git repository ${repoURL}`, opts, origin, (item) =>
        item.commits.find((c) => normalizeGitURL(c.repoURL) === wanted),
      );
      return commit === undefined ? null : commitStruct(commit);
    },

    // chartFrom(repoURL), (repoURL, name), (repoURL, origin), (repoURL, name, origin). The name
    // must match exactly; omitted, it matches charts without a name (OCI repositories).
    chartFrom: (...args) => {
      arityRange('chartFrom', args, 1, 3);
      const repoURL = requireString('chartFrom', args[0], 'first');
      let name = '';
      let origin: Origin | undefined;
      if (args.length >= 2) {
        if (typeof args[1] === 'string') name = args[1];
        else if (args.length === 3) {
          throw new FunctionError(`chartFrom: when using three arguments, second argument must be string, got ${goTypeName(args[1])}`);
        } else {
          origin = originOf(args[1]);
          if (origin === undefined) throw new FunctionError(`chartFrom: second argument must be string or FreightOrigin, got ${goTypeName(args[1])}`);
        }
      }
      if (args.length === 3) origin = toOrigin('chartFrom', args[2], 'third');
      const what = name === '' ? `chart repository ${repoURL}` : `chart ${name} from ${repoURL}`;
      const chart = findArtifact('chartFrom', what, opts, origin, (item) =>
        item.charts.find((c) => c.repoURL === repoURL && (c.name ?? '') === name),
      );
      return chart === undefined ? null : chartStruct(chart);
    },

    // artifactFrom(subscriptionName[, origin]), as Kargo's FindArtifact: with an origin, that
    // warehouse's item is searched by subscription name. Without one, Kargo takes the origin from
    // the requested warehouse whose generic subscription has that name; generic subscriptions are
    // refused at apply (as by Kargo's open-source build), so none has: nil.
    artifactFrom: (...args) => {
      arityRange('artifactFrom', args, 1, 2);
      const name = requireString('artifactFrom', args[0], 'first');
      if (args.length === 1) return null;
      const origin = toOrigin('artifactFrom', args[1], 'second');
      const item = opts.freight?.items[`Warehouse/${origin.name}`];
      const artifact = item?.artifacts?.find((a) => a.subscriptionName === name);
      return artifact === undefined ? null : artifactStruct(artifact);
    },
  };
}
