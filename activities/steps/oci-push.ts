/**
 * `oci-push` (Kargo): copies an image or artifact (a manifest, or an index with its manifests)
 * from `srcRef` to `destRef`, blobs the destination already has skipped, optionally adding
 * annotations (`index:` / `manifest:` prefixes pick the level; unprefixed = the top level).
 * Output: `image` (destination with digest), `digest`, `tag`. Copying again changes nothing.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { isIndex, OciClient, type Manifest } from '../adapters/oci/client.js';
import { parseArtifactRef } from '../adapters/oci/reference.js';
import { stepError } from './oci-download.js';
import type { StepContext, StepDefinition } from './step.js';

export const MAX_PUSH_BYTES = 1024 * 1024 * 1024;

export const OciPushConfig = z.strictObject({
  srcRef: z.string().min(1).describe('Source: repo:tag or repo@digest (oci:// = Helm credentials).'),
  destRef: z.string().min(1).describe('Destination: repo:tag (or repo@digest to push by digest).'),
  annotations: z.record(z.string(), z.string()).optional().describe('Annotations to add; keys may start with index: or manifest:.'),
  insecureSkipTLSVerify: z.boolean().optional().describe('Accepted for compatibility; loopback registries use plain http.'),
});
export type OciPushConfig = z.infer<typeof OciPushConfig>;

function annotate(m: Manifest, annotations: Record<string, string> | undefined): Manifest {
  if (!annotations || Object.keys(annotations).length === 0) return m;
  const level = isIndex(m) ? 'index:' : 'manifest:';
  const add: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith('index:') || k.startsWith('manifest:')) {
      if (k.startsWith(level)) add[k.slice(level.length)] = v;
    } else add[k] = v;
  }
  if (Object.keys(add).length === 0) return m;
  const body = { ...m.body, annotations: { ...(m.body.annotations ?? {}), ...add } };
  return { ...m, body, raw: Buffer.from(JSON.stringify(body)) };
}

export const ociPush: StepDefinition<OciPushConfig> = {
  kind: 'oci-push',
  config: OciPushConfig,
  async run(ctx: StepContext, config: OciPushConfig) {
    let src;
    let dest;
    try {
      src = parseArtifactRef(config.srcRef);
    } catch (e) {
      throw new DomainError('InvalidStepConfig', `srcRef: ${(e as Error).message}`);
    }
    try {
      dest = parseArtifactRef(config.destRef);
    } catch (e) {
      throw new DomainError('InvalidStepConfig', `destRef: ${(e as Error).message}`);
    }
    const creds = async (url: string, raw: string) => (raw.startsWith('oci://') ? ctx.credentials.helm(raw) : ctx.credentials.image(url));
    try {
      const from = new OciClient(src.repoURL, { credentials: await creds(src.repoURL, config.srcRef), signal: ctx.signal });
      const to = new OciClient(dest.repoURL, { credentials: await creds(dest.repoURL, config.destRef), signal: ctx.signal });
      let copied = 0;
      const copyBlob = async (digest: string, size: number | undefined): Promise<void> => {
        copied += size ?? 0;
        if (copied > MAX_PUSH_BYTES) throw new DomainError('StepFailed', `${config.srcRef} is larger than ${MAX_PUSH_BYTES} bytes; oci-push copies at most that`);
        await to.pushBlob(await from.getBlob(digest));
        ctx.heartbeat();
      };
      const copyImage = async (m: Manifest): Promise<void> => {
        if (m.body.config) await copyBlob(m.body.config.digest, m.body.config.size);
        for (const l of m.body.layers ?? []) await copyBlob(l.digest, l.size);
      };
      const top = annotate(await from.getManifest(src.reference), config.annotations);
      if (isIndex(top)) {
        for (const entry of top.body.manifests ?? []) {
          const child = await from.getManifest(entry.digest);
          await copyImage(child);
          await to.pushManifest(child.digest, child.mediaType, child.raw);
        }
      } else {
        await copyImage(top);
      }
      const digest = await to.pushManifest(dest.tag ?? dest.reference, top.mediaType, top.raw);
      const image = `${dest.repoURL}${dest.tag ? `:${dest.tag}` : ''}@${digest}`;
      return { status: 'Succeeded', output: { image, digest, tag: dest.tag ?? '' } };
    } catch (err) {
      throw stepError(err);
    }
  },
};
