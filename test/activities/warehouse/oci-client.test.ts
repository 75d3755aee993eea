/**
 * The OCI client against Debian's docker-registry (anonymous and htpasswd), and against a bearer
 * token front of our own: real HTTP all the way. Each bad input or failing registry says what it
 * gets.
 */
import { OciClient } from '../../../activities/adapters/oci/client.js';
import { OciError } from '../../../activities/adapters/oci/errors.js';
import { describeImage } from '../../../activities/adapters/oci/image-info.js';
import { parsePlatform } from '../../../core/warehouse/image-selection.js';
import { pushImage, tagManifest } from '../../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../../support/oci-registry.js';
import { startTokenRegistry, type TokenRegistry } from '../../support/token-registry.js';

const AUTH = { username: 'alice', password: 's3cret-pass' };

describe('OciClient', () => {
  let open: TestRegistry;
  let locked: TestRegistry;
  let front: TokenRegistry;

  beforeAll(async () => {
    [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
    front = await startTokenRegistry(open.host, { auth: AUTH });
  });
  afterAll(async () => {
    await front?.close();
    await Promise.all([open?.dispose(), locked?.dispose()]);
  });

  it('lists every tag across Link-paginated pages', async () => {
    await pushImage(open.host, 'paged/app', 'seed', { content: 'paged' });
    const tags = Array.from({ length: 57 }, (_, i) => `1.0.${i}`);
    await tagManifest(open.host, 'paged/app', 'seed', tags);
    // distribution 2.8 sends one page; a front of ours pages like GHCR and Quay do.
    const pager = await startTokenRegistry(open.host, { tagPageSize: 10 });
    const client = new OciClient(`${pager.host}/paged/app`);
    const listed = await client.listTags().finally(() => pager.close());
    expect(new Set(listed)).toEqual(new Set([...tags, 'seed']));
    expect(client.counts.tagPages).toBe(6);
  });

  it('reads a manifest, its config created time and annotations', async () => {
    const digest = await pushImage(open.host, 'meta/app', 'v1', { created: '2024-05-06T07:08:09Z', annotations: { 'org.opencontainers.image.source': 'https://x.test/app' } });
    const client = new OciClient(`${open.host}/meta/app`);
    expect(await client.resolveDigest('v1')).toBe(digest);
    const info = await describeImage(client, digest, undefined);
    expect(info).toEqual({ digest, createdAt: '2024-05-06T07:08:09.000Z', annotations: { 'org.opencontainers.image.source': 'https://x.test/app' }, hasPlatform: true });
  });

  it('selects a platform from an image index, and says when the image lacks it', async () => {
    const digest = await pushImage(open.host, 'multi/app', 'v1', {
      created: '2024-02-02T00:00:00Z',
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
    });
    const client = new OciClient(`${open.host}/multi/app`);
    expect(await describeImage(client, digest, parsePlatform('linux/arm64'))).toMatchObject({ digest, hasPlatform: true, createdAt: '2024-02-02T00:00:00.000Z' });
    expect(await describeImage(client, digest, parsePlatform('linux/arm64/v8'))).toMatchObject({ hasPlatform: true });
    expect(await describeImage(client, digest, parsePlatform('windows/amd64'))).toMatchObject({ hasPlatform: false });
    const single = await pushImage(open.host, 'multi/app', 'amd64-only', { platforms: [{ os: 'linux', architecture: 'amd64' }] });
    expect(await describeImage(client, single, parsePlatform('linux/arm64'))).toMatchObject({ hasPlatform: false });
  });

  it('authenticates with basic credentials against htpasswd', async () => {
    await pushImage(locked.host, 'private/app', '1.0.0', {}, AUTH);
    const client = new OciClient(`${locked.host}/private/app`, { credentials: AUTH });
    expect(await client.listTags()).toEqual(['1.0.0']);
  });

  it('refuses with Unauthorized: wrong password, and no credentials at all', async () => {
    const wrong = new OciClient(`${locked.host}/private/app`, { credentials: { username: 'alice', password: 'nope' } });
    const err = await wrong.listTags().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciError);
    expect(err).toMatchObject({ kind: 'Unauthorized', message: expect.stringContaining('the configured credentials were rejected') });
    expect((err as Error).message).not.toContain('nope');
    const none = new OciClient(`${locked.host}/private/app`);
    await expect(none.listTags()).rejects.toMatchObject({ kind: 'Unauthorized', message: expect.stringContaining('no credentials are configured') });
  });

  it('follows the bearer-token challenge: token with basic credentials, then the request', async () => {
    await pushImage(open.host, 'tokened/app', '2.0.0');
    const client = new OciClient(`${front.host}/tokened/app`, { credentials: AUTH });
    expect(await client.listTags()).toEqual(['2.0.0']);
    const digest = await client.resolveDigest('2.0.0');
    expect(digest).toMatch(/^sha256:/);
    expect(client.counts.tokenFetches).toBe(1);
    expect(front.tokenRequests.at(-1)).toEqual({ scope: 'repository:tokened/app:pull', authorized: true });
  });

  it('says the token service refused the credentials', async () => {
    const client = new OciClient(`${front.host}/tokened/app`, { credentials: { username: 'alice', password: 'wrong' } });
    await expect(client.listTags()).rejects.toMatchObject({ kind: 'Unauthorized', message: expect.stringContaining('the token service refused the configured credentials') });
  });

  it('reports a registry that is down, answers 5xx, or hangs as Unavailable', async () => {
    const down = await startRegistry();
    await down.stop();
    await expect(new OciClient(`${down.host}/x/y`).listTags()).rejects.toMatchObject({ kind: 'Unavailable', message: expect.stringContaining('connection refused') });
    await down.dispose();

    front.mode = 'error500';
    await expect(new OciClient(`${front.host}/x/y`).listTags()).rejects.toMatchObject({ kind: 'Unavailable', message: expect.stringContaining('answered 500') });
    front.mode = 'hang';
    await expect(new OciClient(`${front.host}/x/y`, { timeoutMs: 300 }).listTags()).rejects.toMatchObject({ kind: 'Unavailable', message: expect.stringContaining('did not answer within 0.3s') });
    front.mode = 'normal';
  });

  it('says NotFound for a repository that does not exist', async () => {
    await expect(new OciClient(`${open.host}/no/such`).listTags()).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('rejects repository references that are not repositories', () => {
    expect(() => new OciClient('')).toThrow('is not an image repository');
    expect(() => new OciClient('nginx@sha256:abc')).toThrow('is not an image repository');
    expect(() => new OciClient('127.0.0.1:5000/Upper/Case')).toThrow('is not a valid repository name');
  });

  it('pushes blobs and manifests, and reads them back', async () => {
    const client = new OciClient(`${open.host}/pushed/app`);
    const config = Buffer.from(JSON.stringify({ created: '2024-03-03T00:00:00Z', os: 'linux', architecture: 'amd64' }));
    const configDigest = await client.pushBlob(config);
    expect(await client.pushBlob(config)).toBe(configDigest);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: [] }));
    const digest = await client.pushManifest('v9', 'application/vnd.oci.image.manifest.v1+json', manifest);
    expect(await client.resolveDigest('v9')).toBe(digest);
    expect((await client.getBlob(configDigest)).equals(config)).toBe(true);
  });

  it('speaks plain http only to loopback registries', () => {
    expect(new OciClient('127.0.0.1:5000/a/b').ref.baseURL).toBe('http://127.0.0.1:5000');
    expect(new OciClient('localhost:5000/a/b').ref.baseURL).toBe('http://localhost:5000');
    expect(new OciClient('ghcr.io/org/app').ref).toEqual({ host: 'ghcr.io', baseURL: 'https://ghcr.io', repository: 'org/app' });
    expect(new OciClient('nginx').ref).toEqual({ host: 'registry-1.docker.io', baseURL: 'https://registry-1.docker.io', repository: 'library/nginx' });
  });
});

