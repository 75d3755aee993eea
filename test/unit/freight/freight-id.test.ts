import {
  canonicalFreightContent,
  chartHashPart,
  commitHashPart,
  freightCollectionId,
  freightContentFromManifest,
  freightHashParts,
  freightId,
  imageHashPart,
} from '../../../core/freight/freight-id.js';
import type { FreightContent, FreightManifest } from '../../../core/model.js';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function content(name: string, parts: Partial<Omit<FreightContent, 'origin'>>): FreightContent {
  return { origin: { kind: 'Warehouse', name }, commits: [], images: [], charts: [], ...parts };
}

describe('freightId', () => {
  // Golden values: computed with `printf '%s' 'Warehouse/<name>:<parts>' | sha1sum`.
  // An id must never change by accident: if one of these fails, the change breaks every
  // stored Freight name.
  it.each([
    [
      'an image',
      content('app', { images: [{ repoURL: 'ghcr.io/example/app', tag: '1.2.3', digest: DIGEST }] }),
      '0e656f1bd5a62aa22d4b41274269421aaddb28f5',
    ],
    [
      'a tagged commit from a normalized URL with a subscription name',
      content('app', {
        commits: [{ repoURL: 'https://User:tok@GitHub.com/Example/Repo.git/', id: 'abc123', tag: 'v1.0.0', subscriptionName: 'src' }],
      }),
      '2f5c9fe41598529aa01bab5095c3bcc73c18710d',
    ],
    [
      'a chart from an https repository (Go path.Join folds the //)',
      content('charts', { charts: [{ repoURL: 'https://charts.example.com/', name: 'nginx', version: '15.0.0' }] }),
      '0c07f9af4a5d0c19acc7c010315332bd70bc9d11',
    ],
    [
      'a chart from an oci repository',
      content('charts', { charts: [{ repoURL: 'oci://GHCR.io/Example/charts/app', version: '1.0.0' }] }),
      '585f648b772ec8e8131b89b52c69c99a86b6d6e2',
    ],
    [
      'a chart from Docker Hub over oci',
      content('charts', { charts: [{ repoURL: 'oci://registry-1.docker.io/bitnamicharts/redis', version: '19.0.0' }] }),
      '10831888c0742a1afc4c65c92d838834f2bf9529',
    ],
    [
      'a commit from an scp-style URL',
      content('src', { commits: [{ repoURL: 'git@github.com:example/repo.git', id: 'def456' }] }),
      'e1f925ae7313a60ed4a37215f67c42986dd2a5e6',
    ],
    [
      'an image, a commit and a chart',
      content('app', {
        images: [{ repoURL: 'ghcr.io/example/app', tag: '1.2.3', digest: DIGEST }],
        commits: [{ repoURL: 'https://github.com/example/repo.git', id: 'abc123' }],
        charts: [{ repoURL: 'https://charts.example.com', name: 'nginx', version: '15.0.0' }],
      }),
      'bb75988c2335c5dc0b46f63ac9c2e41b074802da',
    ],
    [
      'an image without a digest',
      content('app', { images: [{ repoURL: 'nginx', tag: 'latest' }] }),
      '59a69bca188d57b37a04041d5918037a196d643e',
    ],
  ])('is stable for %s', (_label, c, expected) => {
    expect(freightId(c)).toBe(expected);
  });

  it('does not depend on the order of artifacts', () => {
    const a = content('app', {
      images: [
        { repoURL: 'ghcr.io/example/a', tag: '1', digest: DIGEST },
        { repoURL: 'ghcr.io/example/b', tag: '2', digest: DIGEST },
      ],
      commits: [
        { repoURL: 'https://github.com/example/x', id: '1' },
        { repoURL: 'https://github.com/example/y', id: '2' },
      ],
    });
    const b = content('app', { images: [...a.images].reverse(), commits: [...a.commits].reverse() });
    expect(freightId(b)).toBe(freightId(a));
  });

  it.each([
    ['the origin', content('other', { images: [{ repoURL: 'r', tag: '1', digest: DIGEST }] })],
    ['the tag', content('app', { images: [{ repoURL: 'r', tag: '2', digest: DIGEST }] })],
    ['the digest', content('app', { images: [{ repoURL: 'r', tag: '1', digest: 'sha256:ff' }] })],
    ['the subscription name', content('app', { images: [{ repoURL: 'r', tag: '1', digest: DIGEST, subscriptionName: 's' }] })],
    ['the image repoURL spelling (not normalized)', content('app', { images: [{ repoURL: 'docker.io/r', tag: '1', digest: DIGEST }] })],
  ])('changes with %s', (_label, changed) => {
    const base = content('app', { images: [{ repoURL: 'r', tag: '1', digest: DIGEST }] });
    expect(freightId(changed)).not.toBe(freightId(base));
  });

  it('ignores what is not part of the identity (commit message, author, image annotations)', () => {
    const base = content('app', {
      commits: [{ repoURL: 'https://github.com/example/x', id: '1' }],
      images: [{ repoURL: 'r', tag: '1', digest: DIGEST }],
    });
    const decorated = content('app', {
      commits: [{ repoURL: 'https://github.com/example/x', id: '1', message: 'fix', author: 'me', branch: 'main' }],
      images: [{ repoURL: 'r', tag: '1', digest: DIGEST, annotations: { a: 'b' } }],
    });
    expect(freightId(decorated)).toBe(freightId(base));
  });

  it('normalizes git URLs, so equivalent spellings give the same id', () => {
    const a = content('app', { commits: [{ repoURL: 'https://github.com/example/x.git', id: '1' }] });
    const b = content('app', { commits: [{ repoURL: 'https://GitHub.com/example/X/', id: '1' }] });
    expect(freightId(a)).toBe(freightId(b));
  });
});

describe('hash parts', () => {
  it.each([
    [commitHashPart({ repoURL: 'https://github.com/a/b.git', id: 'c1' }), 'https://github.com/a/b:c1'],
    [commitHashPart({ repoURL: 'https://github.com/a/b', id: 'c1', tag: 'v1' }), 'https://github.com/a/b:v1:c1'],
    [commitHashPart({ repoURL: 'https://github.com/a/b', id: 'c1', subscriptionName: 's' }), 'https://github.com/a/b:c1:s'],
    [imageHashPart({ repoURL: 'Docker.io/Library/Nginx', tag: '1', digest: 'sha256:x' }), 'Docker.io/Library/Nginx:1@sha256:x'],
    [chartHashPart({ repoURL: 'https://charts.example.com', name: 'nginx', version: '1' }), 'https:/charts.example.com/nginx:1'],
    [chartHashPart({ repoURL: 'oci://ghcr.io/a/b', version: '1', subscriptionName: 's' }), 'ghcr.io/a/b:1:s'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('sorts parts in byte order', () => {
    expect(
      freightHashParts({
        commits: [{ repoURL: 'https://github.com/z/z', id: '1' }],
        images: [{ repoURL: 'a/b', tag: '1', digest: 'd' }, { repoURL: 'B/b', tag: '1', digest: 'd' }],
        charts: [],
      }),
    ).toEqual(['B/b:1@d', 'a/b:1@d', 'https://github.com/z/z:1']);
  });
});

describe('freightContentFromManifest', () => {
  it('fills absent lists and sorts artifacts', () => {
    const m: FreightManifest = {
      apiVersion: 'kargo.akuity.io/v1alpha1',
      kind: 'Freight',
      metadata: { name: 'x', namespace: 'demo' },
      alias: 'brave-otter',
      origin: { kind: 'Warehouse', name: 'app' },
      images: [
        { repoURL: 'ghcr.io/z', tag: '1' },
        { repoURL: 'ghcr.io/a', tag: '1' },
      ],
    };
    expect(freightContentFromManifest(m)).toEqual({
      origin: { kind: 'Warehouse', name: 'app' },
      commits: [],
      images: [
        { repoURL: 'ghcr.io/a', tag: '1' },
        { repoURL: 'ghcr.io/z', tag: '1' },
      ],
      charts: [],
    });
  });

  it('is idempotent', () => {
    const c = content('app', { images: [{ repoURL: 'b', tag: '1' }, { repoURL: 'a', tag: '1' }] });
    expect(canonicalFreightContent(canonicalFreightContent(c))).toEqual(canonicalFreightContent(c));
  });
});

describe('freightCollectionId', () => {
  it('hashes the sorted names joined by commas', () => {
    expect(freightCollectionId(['ccc', 'aaa', 'bbb'])).toBe('af89872b33dc476e376d75f18cdd3ebb689c1097');
  });
});
