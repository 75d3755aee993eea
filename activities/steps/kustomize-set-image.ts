/**
 * `kustomize-set-image`: sets images in a Kustomization file the way `kustomize edit set image`
 * does (entries matched by `name`; `newName`, `newTag`, `digest` set), keeping the file's
 * comments and formatting.
 *
 * An entry without `tag`/`digest` takes the promoted freight's image of that repository;
 * no `images` at all sets every image of the freight collection.
 *
 * Output: `commitMessage` (`Updated <path>/kustomization.yaml to use new image` + one line per
 * image), meant for git-commit's `message`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Image } from '../../core/model.js';
import type { FreightCollection } from '../../core/promotion/types.js';
import { DomainError } from '../../core/errors.js';
import { writeWorkspaceText } from '../adapters/step-files.js';
import { findPair, isMap, isScalar, isSeq, setValueOfPair, YamlFile, YAMLMap, YAMLSeq } from '../adapters/yaml-edit.js';
import type { StepContext, StepDefinition } from './step.js';

/** `*` keeps what the Kustomization already has (Kargo's preserve marker). */
const PRESERVE = '*';

export const KustomizeImage = z
  .strictObject({
    image: z.string().min(1).describe('Image repository, as in the freight.'),
    tag: z.string().min(1).optional().describe('Tag to set.'),
    newTag: z.string().min(1).optional().describe('Alias of tag.'),
    digest: z.string().min(1).optional().describe('Digest to set (instead of a tag).'),
    useDigest: z.boolean().optional().describe("Use the freight image's digest instead of its tag."),
    name: z.string().min(1).optional().describe('Name of the entry in the Kustomization (default: image).'),
    newName: z.string().min(1).optional().describe('Replacement image name.'),
    fromOrigin: z
      .strictObject({ kind: z.literal('Warehouse'), name: z.string().min(1) })
      .optional()
      .describe('Legacy: which warehouse\'s freight to take the image from.'),
  })
  .superRefine((img, ctx) => {
    const set = [img.tag, img.newTag, img.digest, img.useDigest ? true : undefined].filter((v) => v !== undefined);
    if (set.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'set at most one of tag (newTag), digest, useDigest' });
    }
  });
export type KustomizeImage = z.infer<typeof KustomizeImage>;

export const KustomizeSetImageConfig = z.strictObject({
  path: z.string().min(1).describe('Directory holding kustomization.yaml, relative to the workspace.'),
  images: z.array(KustomizeImage).optional().describe('Images to set; absent = every image of the freight.'),
});
export type KustomizeSetImageConfig = z.infer<typeof KustomizeSetImageConfig>;

interface TargetImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

async function findKustomization(dir: string, shownPath: string): Promise<string> {
  const found: string[] = [];
  for (const name of KUSTOMIZATION_FILES) {
    try {
      const st = await fs.promises.lstat(path.join(dir, name));
      if (st.isFile()) found.push(name);
    } catch {
      /* not there */
    }
  }
  if (found.length === 0) {
    throw new DomainError('StepFailed', `could not find any Kustomization file in ${JSON.stringify(shownPath)}`);
  }
  if (found.length > 1) {
    throw new DomainError(
      'StepFailed',
      `ambiguous: found several Kustomization files in ${JSON.stringify(shownPath)}: ${found.join(', ')}`,
    );
  }
  return found[0] as string;
}

/** Images of the freight collection, restricted to the requested origins (when known). */
function freightImages(
  freight: FreightCollection,
  requestedOrigins: string[] | undefined,
  origin?: string,
): { origin: string; image: Image }[] {
  const out: { origin: string; image: Image }[] = [];
  for (const ref of Object.values(freight.items)) {
    if (requestedOrigins && requestedOrigins.length > 0 && !requestedOrigins.includes(ref.origin.name)) continue;
    if (origin !== undefined && ref.origin.name !== origin) continue;
    for (const image of ref.images) out.push({ origin: ref.origin.name, image });
  }
  return out;
}

function pickFreightImage(ctx: StepContext, repoURL: string, origin: string | undefined): Image {
  const matches = freightImages(ctx.freight, ctx.requestedOrigins, origin).filter((m) => m.image.repoURL === repoURL);
  if (matches.length === 0) {
    throw new DomainError(
      'StepFailed',
      `image ${JSON.stringify(repoURL)} is not in the freight being promoted${origin ? ` from warehouse ${origin}` : ''}; set tag or digest`,
    );
  }
  if (matches.length > 1) {
    throw new DomainError(
      'StepFailed',
      `image ${JSON.stringify(repoURL)} comes from several warehouses (${matches.map((m) => m.origin).join(', ')}); set fromOrigin, tag or digest`,
    );
  }
  return (matches[0] as { image: Image }).image;
}

function targetsFromConfig(ctx: StepContext, images: KustomizeImage[]): TargetImage[] {
  return images.map((img) => {
    const target: TargetImage = { name: img.name ?? img.image };
    if (img.newName !== undefined) target.newName = img.newName;
    const tag = img.tag ?? img.newTag;
    if (img.digest !== undefined) target.digest = img.digest;
    else if (tag !== undefined) target.newTag = tag;
    else {
      const fromFreight = pickFreightImage(ctx, img.image, img.fromOrigin?.name);
      if (img.useDigest) {
        if (!fromFreight.digest) {
          throw new DomainError('StepFailed', `image ${JSON.stringify(img.image)} in the freight has no digest`);
        }
        target.digest = fromFreight.digest;
      } else {
        target.newTag = fromFreight.tag;
      }
    }
    return target;
  });
}

function targetsFromFreight(ctx: StepContext): TargetImage[] {
  const all = freightImages(ctx.freight, ctx.requestedOrigins);
  const byRepo = new Map<string, { origin: string; image: Image }[]>();
  for (const m of all) byRepo.set(m.image.repoURL, [...(byRepo.get(m.image.repoURL) ?? []), m]);
  const targets: TargetImage[] = [];
  for (const [repo, matches] of byRepo) {
    if (matches.length > 1) {
      throw new DomainError(
        'StepFailed',
        `manual configuration required: image ${JSON.stringify(repo)} comes from several warehouses (${matches.map((m) => m.origin).join(', ')})`,
      );
    }
    const image = (matches[0] as { image: Image }).image;
    const t: TargetImage = { name: image.repoURL, newTag: image.tag };
    if (image.digest) t.digest = image.digest;
    targets.push(t);
  }
  if (targets.length === 0) {
    throw new DomainError('StepFailed', 'the freight being promoted has no images; list images explicitly');
  }
  return targets;
}

function scalarString(map: YAMLMap, key: string): string | undefined {
  const v = findPair(map, key)?.value as unknown;
  return isScalar(v) && v.value !== null && v.value !== undefined ? String(v.value) : undefined;
}

function setKey(file: YamlFile, map: YAMLMap, key: string, value: string): void {
  const pair = findPair(map, key);
  if (pair) setValueOfPair(file, pair, value);
  else {
    file.markStructural();
    map.add(file.doc.createPair(key, value));
  }
}

function deleteKey(file: YamlFile, map: YAMLMap, key: string): void {
  if (findPair(map, key)) {
    file.markStructural();
    map.delete(key);
  }
}

/** Applies the targets to the `images:` list; returns the entries as written (for the message). */
function applyImages(file: YamlFile, targets: TargetImage[], what: string): TargetImage[] {
  const root = file.rootMap(what);
  let seq: YAMLSeq;
  const pair = findPair(root, 'images');
  const current = pair?.value as unknown;
  if (isSeq(current)) seq = current;
  else if (!pair || current === null || (isScalar(current) && (current.value === null || current.value === undefined))) {
    file.markStructural();
    seq = new YAMLSeq();
    if (pair) pair.value = seq;
    else root.add(file.doc.createPair('images', seq));
  } else {
    throw new DomainError('StepFailed', `${what}: images is not a list`);
  }

  const written: TargetImage[] = [];
  for (const t of targets) {
    let entry = seq.items.find((it): it is YAMLMap => isMap(it) && scalarString(it, 'name') === t.name);
    const result: TargetImage = { name: t.name };
    if (!entry) {
      file.markStructural();
      entry = new YAMLMap();
      entry.add(file.doc.createPair('name', t.name));
      seq.add(entry);
    }
    if (t.newName !== undefined) {
      if (t.newName !== PRESERVE) setKey(file, entry, 'newName', t.newName);
    }
    if (t.newTag !== undefined && t.newTag !== PRESERVE) {
      setKey(file, entry, 'newTag', t.newTag);
      if (t.digest === undefined) deleteKey(file, entry, 'digest');
    }
    if (t.digest !== undefined && t.digest !== PRESERVE) {
      setKey(file, entry, 'digest', t.digest);
      if (t.newTag === undefined) deleteKey(file, entry, 'newTag');
    }
    const newName = scalarString(entry, 'newName');
    const newTag = scalarString(entry, 'newTag');
    const digest = scalarString(entry, 'digest');
    if (newName !== undefined) result.newName = newName;
    if (newTag !== undefined) result.newTag = newTag;
    if (digest !== undefined) result.digest = digest;
    written.push(result);
  }
  return written;
}

export function kustomizeCommitMessage(filePath: string, images: TargetImage[]): string {
  const sorted = [...images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = sorted.map((i) => {
    let ref = i.newName ?? i.name;
    if (i.newTag) ref += `:${i.newTag}`;
    if (i.digest) ref += `@${i.digest}`;
    return `- ${ref}`;
  });
  // Like Kargo (Go's path.Join): `./src/base/` reads `src/base`.
  const shown = path.posix.normalize(filePath.split(path.sep).join('/')).replace(/^\.\//, '');
  return `Updated ${shown} to use new image${images.length > 1 ? 's' : ''}\n\n${lines.join('\n')}`;
}

export const kustomizeSetImage: StepDefinition<KustomizeSetImageConfig> = {
  kind: 'kustomize-set-image',
  config: KustomizeSetImageConfig,
  defaults: { errorThreshold: 1 },
  async run(ctx, config) {
    const dir = ctx.workspace.resolveForWrite(config.path);
    const fileName = await findKustomization(dir, config.path);
    const rel = path.posix.join(config.path, fileName);
    const file = ctx.workspace.resolveForWrite(rel);
    const shownPath = `${config.path.replace(/\/+$/, '')}/${fileName}`;
    const targets =
      config.images && config.images.length > 0 ? targetsFromConfig(ctx, config.images) : targetsFromFreight(ctx);

    const text = await fs.promises.readFile(file, 'utf8');
    const yaml = new YamlFile(text, shownPath);
    const written = applyImages(yaml, targets, shownPath);
    if (yaml.changed) {
      const out = yaml.toString();
      if (out !== text) await writeWorkspaceText(ctx.workspace, rel, out);
    }
    return { status: 'Succeeded', output: { commitMessage: kustomizeCommitMessage(shownPath, written) } };
  },
};
