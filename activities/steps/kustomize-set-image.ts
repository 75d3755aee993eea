/**
 * `kustomize-set-image`: sets images in a Kustomization file the way `kustomize edit set image`
 * does, with Kargo's rules: a configured image replaces the entry of its name (`*` keeps a
 * field's current value), and the `images:` list is kept sorted by name. The file's comments
 * and formatting are kept.
 *
 * Each image sets exactly one non-empty `tag` or `digest` (the other may be `""`), as Kargo's
 * schema requires. Shunt also accepts the older spelling with neither key, which takes the
 * promoted freight's image of that repository (with an apply-time hint); with no such image in
 * the freight it is Kargo's error. No `images` at all sets every image of the freight collection.
 *
 * Output: `commitMessage` (`Updated <path> to use new image(s)` with the configured path, then
 * one line per image of the list, sorted by name), meant for git-commit's `message`.
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
    tag: z.string().optional().describe('Tag to set ("" = none, when digest is set).'),
    newTag: z.string().min(1).optional().describe('Alias of tag.'),
    digest: z.string().optional().describe('Digest to set instead of a tag ("" = none, when tag is set).'),
    useDigest: z.boolean().optional().describe("Use the freight image's digest instead of its tag."),
    name: z.string().min(1).optional().describe('Name of the entry in the Kustomization (default: image).'),
    newName: z.string().min(1).optional().describe('Replacement image name.'),
    fromOrigin: z
      .strictObject({ kind: z.literal('Warehouse'), name: z.string().min(1) })
      .optional()
      .describe('Legacy: which warehouse\'s freight to take the image from.'),
  })
  .superRefine((img, ctx) => {
    const set = [img.tag || undefined, img.newTag, img.digest || undefined, img.useDigest ? true : undefined].filter(
      (v) => v !== undefined,
    );
    if (set.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'set at most one of tag (newTag), digest, useDigest' });
    }
    // Kargo's schema (oneOf): one of tag and digest non-empty. Both absent is Shunt's older
    // spelling (the freight's image); present but empty is Kargo's error.
    if (set.length === 0 && (img.tag !== undefined || img.digest !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'set a non-empty tag or digest (Kargo: Must validate one and only one schema (oneOf))',
      });
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
    const tag = img.tag || img.newTag;
    if (img.digest) target.digest = img.digest;
    else if (tag) target.newTag = tag;
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

function entryImage(entry: YAMLMap): TargetImage | undefined {
  const name = scalarString(entry, 'name');
  if (name === undefined) return undefined;
  const img: TargetImage = { name };
  const newName = scalarString(entry, 'newName');
  const newTag = scalarString(entry, 'newTag');
  const digest = scalarString(entry, 'digest');
  if (newName) img.newName = newName;
  if (newTag) img.newTag = newTag;
  if (digest) img.digest = digest;
  return img;
}

/** Kargo's mergeImages: a target replaces the whole entry of its name, `*` keeps a field's current value. */
function mergeTarget(target: TargetImage, current: TargetImage | undefined): TargetImage {
  const pick = (t: string | undefined, c: string | undefined): string | undefined => (t === PRESERVE ? c : t) || undefined;
  const merged: TargetImage = { name: target.name };
  const newName = pick(target.newName, current?.newName);
  const newTag = pick(target.newTag, current?.newTag);
  const digest = pick(target.digest, current?.digest);
  if (newName) merged.newName = newName;
  if (newTag) merged.newTag = newTag;
  if (digest) merged.digest = digest;
  return merged;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Applies the targets to the `images:` list as Kargo does: each target replaces the entry of
 * its name (or is added), and the list is kept sorted by name. Returns every image of the list
 * as written, sorted (Kargo's commit message lists them all).
 */
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

  const byTarget = new Map(targets.map((t) => [t.name, t]));
  const written = new Map<string, TargetImage>();
  for (const item of seq.items) {
    if (!isMap(item)) throw new DomainError('StepFailed', `${what}: images holds an entry that is not a mapping`);
    const img = entryImage(item);
    if (!img) throw new DomainError('StepFailed', `${what}: images holds an entry without a name`);
    const target = byTarget.get(img.name);
    if (!target) {
      written.set(img.name, img);
      continue;
    }
    const merged = mergeTarget(target, img);
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = merged[key];
      if (value !== undefined) setKey(file, item, key, value);
      else deleteKey(file, item, key);
    }
    written.set(img.name, merged);
  }
  for (const target of targets) {
    if (written.has(target.name)) continue;
    const merged = mergeTarget(target, undefined);
    file.markStructural();
    const entry = new YAMLMap();
    entry.add(file.doc.createPair('name', merged.name));
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = merged[key];
      if (value !== undefined) entry.add(file.doc.createPair(key, value));
    }
    seq.add(entry);
    written.set(merged.name, merged);
  }
  const sorted = [...seq.items].sort((a, b) => byName(scalarString(a as YAMLMap, 'name') ?? '', scalarString(b as YAMLMap, 'name') ?? ''));
  if (sorted.some((item, i) => item !== seq.items[i])) {
    file.markStructural();
    // A comment above the first entry belongs to that entry, not to the list's new first one.
    const first = seq.items[0] as YAMLMap | undefined;
    if (seq.commentBefore && first && first !== sorted[0]) {
      first.commentBefore = first.commentBefore ? `${seq.commentBefore}\n${first.commentBefore}` : seq.commentBefore;
      seq.commentBefore = undefined;
    }
    seq.items = sorted;
  }
  return [...written.values()].sort((a, b) => byName(a.name, b.name));
}

/** Kargo's message: the configured path as given, then every image of the list, sorted by name. */
export function kustomizeCommitMessage(configPath: string, images: TargetImage[]): string {
  const sorted = [...images].sort((a, b) => byName(a.name, b.name));
  const lines = sorted.map((i) => {
    let ref = i.newName ?? i.name;
    if (i.newTag) ref += `:${i.newTag}`;
    if (i.digest) ref += `@${i.digest}`;
    return `- ${ref}`;
  });
  return `Updated ${configPath} to use new image${images.length > 1 ? 's' : ''}\n\n${lines.join('\n')}`;
}

export const kustomizeSetImage: StepDefinition<KustomizeSetImageConfig> = {
  kind: 'kustomize-set-image',
  config: KustomizeSetImageConfig,
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
    return { status: 'Succeeded', output: { commitMessage: kustomizeCommitMessage(config.path, written) } };
  },
};
