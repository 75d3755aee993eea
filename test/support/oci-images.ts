/**
 * Pushes test images to a registry over the Distribution API, written independently of the
 * client under test: a config blob (with `created` and platform), a layer, a manifest, and for
 * several platforms an image index.
 */
import { createHash } from 'node:crypto';

export interface PushAuth {
  username: string;
  password: string;
}

export interface TestImage {
  /** Config `created` (ISO). */
  created?: string;
  /** One entry = a plain manifest; several = an image index over them. */
  platforms?: { os: string; architecture: string; variant?: string }[];
  annotations?: Record<string, string>;
  /** Makes the content (and so the digest) unique. */
  content?: string;
}

const digestOf = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function headers(auth: PushAuth | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return auth ? { ...extra, authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : extra;
}

async function check(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

export async function pushBlob(host: string, repo: string, data: Buffer, auth?: PushAuth): Promise<string> {
  const digest = digestOf(data);
  const start = await check(await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: headers(auth) }), 'start upload');
  const url = new URL(start.headers.get('location')!, `http://${host}`);
  url.searchParams.set('digest', digest);
  await check(await fetch(url, { method: 'PUT', headers: headers(auth, { 'content-type': 'application/octet-stream' }), body: data }), 'upload blob');
  return digest;
}

export async function pushManifest(host: string, repo: string, ref: string, mediaType: string, body: unknown, auth?: PushAuth): Promise<string> {
  const raw = Buffer.from(JSON.stringify(body));
  await check(await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: headers(auth, { 'content-type': mediaType }), body: raw }), `put manifest ${repo}:${ref}`);
  return digestOf(raw);
}

async function pushSingle(host: string, repo: string, img: TestImage, platform: { os: string; architecture: string; variant?: string }, auth?: PushAuth) {
  const config = Buffer.from(JSON.stringify({ created: img.created ?? '2024-01-01T00:00:00Z', ...platform, rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  const layer = Buffer.from(`layer ${img.content ?? ''} ${platform.os}/${platform.architecture}`);
  const configDigest = await pushBlob(host, repo, config, auth);
  const layerDigest = await pushBlob(host, repo, layer, auth);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    ...(img.annotations ? { annotations: img.annotations } : {}),
  };
  const raw = Buffer.from(JSON.stringify(manifest));
  return { manifest, raw, digest: digestOf(raw), size: raw.length };
}

/** Pushes an image under `tag`; returns the tag's digest (the index digest for several platforms). */
export async function pushImage(host: string, repo: string, tag: string, img: TestImage = {}, auth?: PushAuth): Promise<string> {
  const platforms = img.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  if (platforms.length === 1) {
    const one = await pushSingle(host, repo, img, platforms[0]!, auth);
    return pushManifest(host, repo, tag, 'application/vnd.oci.image.manifest.v1+json', one.manifest, auth);
  }
  const entries = [];
  for (const p of platforms) {
    const one = await pushSingle(host, repo, img, p, auth);
    await pushManifest(host, repo, one.digest, 'application/vnd.oci.image.manifest.v1+json', one.manifest, auth);
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: one.digest, size: one.size, platform: p });
  }
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries, ...(img.annotations ? { annotations: img.annotations } : {}) };
  return pushManifest(host, repo, tag, 'application/vnd.oci.image.index.v1+json', index, auth);
}

/** Puts an existing manifest under more tags (cheap: no new blobs). */
export async function tagManifest(host: string, repo: string, fromTag: string, tags: string[], auth?: PushAuth): Promise<void> {
  const res = await check(
    await fetch(`http://${host}/v2/${repo}/manifests/${fromTag}`, { headers: headers(auth, { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' }) }),
    'get manifest',
  );
  const mediaType = res.headers.get('content-type')!;
  const raw = Buffer.from(await res.arrayBuffer());
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const t = tags[next++]!;
      await check(await fetch(`http://${host}/v2/${repo}/manifests/${t}`, { method: 'PUT', headers: headers(auth, { 'content-type': mediaType }), body: raw }), `tag ${t}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
