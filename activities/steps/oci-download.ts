/**
 * `oci-download` (Kargo): downloads one layer of an OCI artifact into the workspace: the first
 * layer whose media type is `mediaType`, else the first layer. `oci://` references use Helm
 * chart credentials, others image credentials. At most 100 MB. Running it again when the file
 * already holds that layer changes nothing; a different file there needs `allowOverwrite`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { isIndex, OciClient } from '../adapters/oci/client.js';
import { OciError } from '../adapters/oci/errors.js';
import { parseArtifactRef } from '../adapters/oci/reference.js';
import { writeWorkspaceBytes } from '../adapters/step-files.js';
import type { StepContext, StepDefinition } from './step.js';

export const MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;

export const OciDownloadConfig = z.strictObject({
  imageRef: z.string().min(1).describe('The artifact: repo:tag, repo@digest; an oci:// prefix uses Helm credentials.'),
  outPath: z.string().min(1).describe('Where to write the layer, relative to the workspace.'),
  mediaType: z.string().min(1).optional().describe('Media type of the layer to take (default: the first layer).'),
  allowOverwrite: z.boolean().optional().describe('Replace a different file already at outPath.'),
  insecureSkipTLSVerify: z.boolean().optional().describe('Accepted for compatibility; loopback registries use plain http.'),
});
export type OciDownloadConfig = z.infer<typeof OciDownloadConfig>;

/** OciErrors that a retry cannot fix become StepFailed; outages stay retryable. */
export function stepError(err: unknown): unknown {
  if (err instanceof OciError && err.kind !== 'Unavailable') return new DomainError('StepFailed', err.message);
  return err;
}

export const ociDownload: StepDefinition<OciDownloadConfig> = {
  kind: 'oci-download',
  config: OciDownloadConfig,
  async run(ctx: StepContext, config: OciDownloadConfig) {
    let ref;
    try {
      ref = parseArtifactRef(config.imageRef);
    } catch (e) {
      throw new DomainError('InvalidStepConfig', `imageRef: ${(e as Error).message}`);
    }
    const out = ctx.workspace.resolveForWrite(config.outPath);
    const credentials = config.imageRef.startsWith('oci://') ? await ctx.credentials.helm(config.imageRef) : await ctx.credentials.image(ref.repoURL);
    try {
      const client = new OciClient(ref.repoURL, { credentials, signal: ctx.signal });
      const manifest = await client.getManifest(ref.reference);
      if (isIndex(manifest)) throw new DomainError('StepFailed', `${config.imageRef} is an image index, not a single artifact`);
      const layers = manifest.body.layers ?? [];
      const layer = (config.mediaType ? layers.find((l) => l.mediaType === config.mediaType) : undefined) ?? layers[0];
      if (!layer) throw new DomainError('StepFailed', `${config.imageRef} has no layers`);
      if ((layer.size ?? 0) > MAX_DOWNLOAD_BYTES) throw new DomainError('StepFailed', `layer ${layer.digest} is ${layer.size} bytes; oci-download takes at most ${MAX_DOWNLOAD_BYTES}`);
      if (fs.existsSync(out)) {
        const have = `sha256:${createHash('sha256').update(await fs.promises.readFile(out)).digest('hex')}`;
        if (have === layer.digest) return { status: 'Succeeded', output: { digest: layer.digest } };
        if (!config.allowOverwrite) throw new DomainError('StepFailed', `${config.outPath} already exists; set allowOverwrite to replace it`);
      }
      const data = await client.getBlob(layer.digest);
      await writeWorkspaceBytes(ctx.workspace, config.outPath, data);
      return { status: 'Succeeded', output: { digest: layer.digest } };
    } catch (err) {
      throw stepError(err);
    }
  },
};
