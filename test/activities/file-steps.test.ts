import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { kustomizeSetImage } from '../../activities/steps/kustomize-set-image.js';
import { yamlUpdate } from '../../activities/steps/yaml-update.js';
import { Disposer } from '../support/git-repos.js';
import { aFreightCollection, aFreightReference, createHarness, errorOf, expectGolden, fixture, place } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe('kustomize-set-image', () => {
  it('sets the tag of the promoted image in place, keeping comments and formatting', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'src/stages/dev/kustomization.yaml', fixture('kustomize-set-image/kustomization.yaml'));

    const res = await h.run(kustomizeSetImage, {
      path: 'src/stages/dev',
      images: [{ image: 'ghcr.io/example/guestbook' }],
    });

    expect(res).toEqual({
      status: 'Succeeded',
      output: {
        // Kargo ("successfully sets image"): the configured path, then every image of the list.
        commitMessage:
          'Updated src/stages/dev to use new images\n\n- nginx-unprivileged:1.25-alpine\n- ghcr.io/example/guestbook:1.2.3',
      },
    });
    expectGolden(fs.readFileSync(file, 'utf8'), 'kustomize-set-image/expected-freight-tag.yaml');
  });

  it('changes nothing on a second run (same output, file untouched)', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'k/kustomization.yaml', fixture('kustomize-set-image/kustomization.yaml'));
    const config = { path: 'k', images: [{ image: 'ghcr.io/example/guestbook' }] };
    const first = await h.run(kustomizeSetImage, config);
    const content = fs.readFileSync(file, 'utf8');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(file, past, past);

    const second = await h.run(kustomizeSetImage, config);

    expect(second).toEqual(first);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(fs.statSync(file).mtime.toISOString()).toBe(past.toISOString());
  });

  // Kargo's Test_mergeImages "merge new and existing images", "sort images by name": a target
  // replaces the whole entry of its name (newName goes unless given or `*`), the list is sorted.
  it('adds new entries and replaces an entry as Kargo merges them, keeping the list sorted by name', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'k/kustomization.yaml', fixture('kustomize-set-image/kustomization.yaml'));

    const res = await h.run(kustomizeSetImage, {
      path: 'k/',
      images: [
        { image: 'docker.io/library/nginx', digest: 'sha256:abcd' },
        { image: 'redis', newTag: '7' },
        { image: 'ghcr.io/example/guestbook', name: 'guestbook', newName: 'registry.local/guestbook', tag: '2.0.0' },
      ],
    });

    expect(res.output?.['commitMessage']).toBe(
      'Updated k/ to use new images\n\n' +
        '- docker.io/library/nginx@sha256:abcd\n- ghcr.io/example/guestbook:1.0.0\n- registry.local/guestbook:2.0.0\n- redis:7',
    );
    expectGolden(fs.readFileSync(file, 'utf8'), 'kustomize-set-image/expected-added.yaml');
    const parsed = parse(fs.readFileSync(file, 'utf8')) as { images: unknown[] };
    expect(parsed.images).toEqual([
      { name: 'docker.io/library/nginx', digest: 'sha256:abcd' },
      { name: 'ghcr.io/example/guestbook', newTag: '1.0.0' },
      { name: 'guestbook', newName: 'registry.local/guestbook', newTag: '2.0.0' },
      { name: 'redis', newTag: '7' },
    ]);
  });

  it('without images sets every image of the freight collection (tag and digest)', async () => {
    const freight = aFreightCollection(
      aFreightReference(),
      aFreightReference({
        name: 'f2',
        origin: { kind: 'Warehouse', name: 'sidecars' },
        images: [{ repoURL: 'docker.io/library/nginx', tag: '1.27' }],
      }),
    );
    const h = await createHarness(disposer, { freight });
    const file = await place(h, 'k/kustomization.yaml', fixture('kustomize-set-image/no-images.yaml'));

    const res = await h.run(kustomizeSetImage, { path: 'k' });

    // Kargo ("automatically sets image").
    expect(res.output?.['commitMessage']).toBe(
      'Updated k to use new images\n\n' +
        '- docker.io/library/nginx:1.27\n- ghcr.io/example/guestbook:1.2.3@sha256:1111',
    );
    expectGolden(fs.readFileSync(file, 'utf8'), 'kustomize-set-image/expected-all-from-freight.yaml');
  });

  it('uses the freight digest with useDigest', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'k/kustomization.yaml', fixture('kustomize-set-image/no-images.yaml'));
    await h.run(kustomizeSetImage, { path: 'k', images: [{ image: 'ghcr.io/example/guestbook', useDigest: true }] });
    expect(parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      images: [{ name: 'ghcr.io/example/guestbook', digest: 'sha256:1111' }],
    });
  });

  it('fails clearly for an image the freight lacks, an ambiguous image, or a missing kustomization', async () => {
    const twice = aFreightCollection(
      aFreightReference(),
      aFreightReference({ name: 'f2', origin: { kind: 'Warehouse', name: 'other' } }),
    );
    const h = await createHarness(disposer, { freight: twice });
    await place(h, 'k/kustomization.yaml', fixture('kustomize-set-image/no-images.yaml'));
    await fs.promises.mkdir(h.workspace.resolve('empty'));

    await expect(h.run(kustomizeSetImage, { path: 'k', images: [{ image: 'quay.io/none' }] })).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining('"quay.io/none" is not in the freight'),
    });
    await expect(
      h.run(kustomizeSetImage, { path: 'k', images: [{ image: 'ghcr.io/example/guestbook' }] }),
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('several warehouses') });
    expect(
      await h.run(kustomizeSetImage, {
        path: 'k',
        images: [{ image: 'ghcr.io/example/guestbook', fromOrigin: { kind: 'Warehouse', name: 'other' } }],
      }),
    ).toMatchObject({ status: 'Succeeded' });
    await expect(h.run(kustomizeSetImage, { path: 'empty' })).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining('could not find any Kustomization file'),
    });
  });

  it('refuses paths outside the workspace', async () => {
    const h = await createHarness(disposer);
    await expect(h.run(kustomizeSetImage, { path: '../../etc' })).rejects.toMatchObject({ code: 'PathEscape' });
  });

  it('rejects tag together with digest', () => {
    const res = kustomizeSetImage.config.safeParse({ path: 'k', images: [{ image: 'x', tag: '1', digest: 'sha256:a' }] });
    expect(res.success).toBe(false);
  });

  // Kargo's Test_kustomizeImageSetter_convert: "digest and tag are both empty" and "... both
  // specified" are refused; the "valid kitchen sink" allows an empty tag or digest beside the other.
  it("accepts an empty tag or digest beside the other and refuses what Kargo's schema refuses", () => {
    const ok = kustomizeSetImage.config.safeParse({
      path: 'fake-path',
      images: [
        { image: 'fake-image-2', digest: 'fake-digest' },
        { image: 'fake-image-3', digest: 'fake-digest', tag: '' },
        { image: 'fake-image-4', tag: 'fake-tag' },
        { image: 'fake-image-5', digest: '', tag: 'fake-tag' },
      ],
    });
    expect(ok.success).toBe(true);
    for (const image of [
      { image: 'fake-image', digest: '', tag: '' },
      { image: 'fake-image', tag: '' },
      { image: 'fake-image', digest: 'fake-digest', tag: 'fake-tag' },
    ]) {
      const res = kustomizeSetImage.config.safeParse({ path: 'fake-path', images: [image] });
      expect(res.success).toBe(false);
    }
    const bothEmpty = kustomizeSetImage.config.safeParse({ path: 'p', images: [{ image: 'x', tag: '', digest: '' }] });
    expect(JSON.stringify(bothEmpty.error?.issues)).toContain('Must validate one and only one schema (oneOf)');
  });

  // Kargo's Test_mergeImages "handle asterisk separator" and Test_kustomizeImageSetter_run
  // "successfully sets image" (message `Updated . to use new image`).
  it('keeps a field marked * and names the configured path in the message', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'kustomization.yaml', 'images:\n- name: nginx\n  newName: custom-nginx\n  newTag: 1.19.0\n');
    const res = await h.run(kustomizeSetImage, { path: '.', images: [{ image: 'nginx', newName: '*', tag: '1.21.0' }] });
    expect(res.output).toEqual({ commitMessage: 'Updated . to use new image\n\n- custom-nginx:1.21.0' });
    expect(parse(fs.readFileSync(file, 'utf8'))).toEqual({
      images: [{ name: 'nginx', newName: 'custom-nginx', newTag: '1.21.0' }],
    });
  });

  // Kargo's Test_mergeImages "preserve existing images not in target" and "sort images by name".
  it('keeps images it does not set and sorts the list by name', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'k/kustomization.yaml', 'images:\n- name: nginx\n  newTag: 1.19.0\n- name: mysql\n  newTag: 8.0.0\n');
    const res = await h.run(kustomizeSetImage, { path: 'k', images: [{ image: 'redis', tag: '6.2.5' }] });
    expect(parse(fs.readFileSync(file, 'utf8'))).toEqual({
      images: [
        { name: 'mysql', newTag: '8.0.0' },
        { name: 'nginx', newTag: '1.19.0' },
        { name: 'redis', newTag: '6.2.5' },
      ],
    });
    expect(res.output?.['commitMessage']).toBe('Updated k to use new images\n\n- mysql:8.0.0\n- nginx:1.19.0\n- redis:6.2.5');
  });
});

describe('yaml-update', () => {
  it('sets values at dotted keys keeping comments, order and quoting', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'src/values.yaml', fixture('yaml-update/values.yaml'));

    const res = await h.run(yamlUpdate, {
      path: 'src/values.yaml',
      updates: [
        { key: 'image.tag', value: '1.2.3' },
        { key: 'replicaCount', value: 3 },
        { key: 'ingress.hosts.0.host', value: 'new.example.test' },
        { key: 'dotted\\.key', value: 'new value' },
        { key: 'annotations.example\\.com/version', value: '1.2.3' },
      ],
    });

    expect(res.output).toEqual({
      commitMessage:
        'Updated src/values.yaml\n\n- image.tag: 1.2.3\n- replicaCount: 3\n- ingress.hosts.0.host: new.example.test\n' +
        '- dotted\\.key: new value\n- annotations.example\\.com/version: 1.2.3',
    });
    expectGolden(fs.readFileSync(file, 'utf8'), 'yaml-update/expected-in-place.yaml');
  });

  // Kargo's pkg/yaml SetValuesInBytes ("key path not found", "key path does not address a scalar
  // node"): nothing is created, a mapping or a list is never overwritten by a scalar.
  it('refuses to create a missing key, append to a list, or overwrite a mapping or a list, leaving the file as it was', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));
    const refused = async (key: string, why: string): Promise<void> => {
      await expect(
        h.run(yamlUpdate, { path: 'values.yaml', updates: [{ key: 'image.tag', value: '9' }, { key, value: 'x' }] }),
      ).rejects.toMatchObject({ code: 'StepFailed', message: `"values.yaml": error finding key ${key}: ${why}` });
    };
    await refused('image.digest', 'key path not found');
    await refused('resources.limits.cpu', 'key path not found');
    await refused('ingress.hosts.0.paths.1', 'index 1 is out of range (1 items)');
    await refused('image', 'key path does not address a scalar node');
    await refused('ingress.hosts', 'key path does not address a scalar node');
    expect(fs.readFileSync(file, 'utf8')).toBe(fixture('yaml-update/values.yaml'));
  });

  // Kargo's pkg/sjson Test_SplitKey cases: "split key with escaped dots", "... escaped colon",
  // "... unescaped colon" (a leading `:` makes `2` a mapping key), and its refusals.
  it("reads keys with Kargo's syntax and refuses what Kargo refuses", async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'values.yaml', 'a.b:\n  "2": old\n  x:y: old\nlist:\n  - old\n');
    await h.run(yamlUpdate, {
      path: 'values.yaml',
      updates: [
        { key: 'a\\.b.:2', value: 'two' },
        { key: 'a\\.b.x\\:y', value: 'colon' },
        { key: ' list.0 ', value: 'first' },
      ],
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('a.b:\n  "2": two\n  x:y: colon\nlist:\n  - first\n');
    for (const [key, why] of [
      ['.foo', 'empty key part in key ".foo"'],
      ['foo.', 'empty key part in key "foo."'],
      ['foo..bar', 'empty key part in key "foo..bar"'],
      ['foo\\nbar', 'invalid escape sequence in key "foo\\\\nbar"'],
      ['foo:bar', 'unexpected colon in key "foo:bar"'],
      ['list.x', 'strconv.Atoi: parsing "x": invalid syntax'],
    ] as const) {
      const err = await errorOf(h.run(yamlUpdate, { path: 'values.yaml', updates: [{ key, value: 'v' }] }));
      expect(err.message).toContain(why);
    }
  });

  // Kargo's yaml_updater generateCommitMessage with pkg/yaml QuoteIfNecessary: a string is quoted
  // (Go %q) only when YAML would read it as a number, a bool or JSON.
  it('writes the commit message as Kargo does', async () => {
    const h = await createHarness(disposer);
    await place(h, 'v.yaml', 'a: 1\nb: 1\nc: 1\nd: 1\ne: 1\nf: 1\n');
    const res = await h.run(yamlUpdate, {
      path: 'v.yaml',
      updates: [
        { key: 'a', value: '1.2.3' },
        { key: 'b', value: '1.5' },
        { key: 'c', value: 'true' },
        { key: 'd', value: '{"x":1}' },
        { key: 'e', value: 1000000 },
        { key: 'f', value: null },
      ],
    });
    expect(res.output?.['commitMessage']).toBe(
      'Updated v.yaml\n\n- a: 1.2.3\n- b: "1.5"\n- c: "true"\n- d: "{\\"x\\":1}"\n- e: 1e+06\n- f: <nil>',
    );
  });

  it('changes nothing on a second run', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));
    const config = { path: 'values.yaml', updates: [{ key: 'image.tag', value: '2.0.0' }, { key: 'replicaCount', value: 4 }] };
    await h.run(yamlUpdate, config);
    const content = fs.readFileSync(file, 'utf8');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(file, past, past);

    await h.run(yamlUpdate, config);

    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(fs.statSync(file).mtime.toISOString()).toBe(past.toISOString());
  });

  it('fails clearly for a missing file, an index out of range, or a scalar in the way', async () => {
    const h = await createHarness(disposer);
    await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));
    await expect(h.run(yamlUpdate, { path: 'nope.yaml', updates: [{ key: 'a', value: 1 }] })).rejects.toMatchObject({
      code: 'StepFailed',
      message: 'file "nope.yaml" does not exist',
    });
    await expect(
      h.run(yamlUpdate, { path: 'values.yaml', updates: [{ key: 'ingress.hosts.5.host', value: 'x' }] }),
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('out of range') });
    await expect(
      h.run(yamlUpdate, { path: 'values.yaml', updates: [{ key: 'replicaCount.x', value: 'x' }] }),
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('key path not found') });
  });

  it('refuses a symlinked file that points out of the workspace', async () => {
    const h = await createHarness(disposer);
    const outside = path.join(h.dataDir, 'outside.yaml');
    await fs.promises.writeFile(outside, 'a: 1\n');
    await fs.promises.symlink(outside, h.workspace.resolve('values.yaml'));
    await expect(h.run(yamlUpdate, { path: 'values.yaml', updates: [{ key: 'a', value: 2 }] })).rejects.toMatchObject({
      code: 'PathEscape',
    });
    expect(fs.readFileSync(outside, 'utf8')).toBe('a: 1\n');
  });
});
