import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { kustomizeSetImage } from '../../activities/steps/kustomize-set-image.js';
import { yamlUpdate } from '../../activities/steps/yaml-update.js';
import { Disposer } from '../support/git-repos.js';
import { aFreightCollection, aFreightReference, createHarness, expectGolden, fixture, place } from './harness.js';

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
        commitMessage:
          'Updated src/stages/dev/kustomization.yaml to use new image\n\n- ghcr.io/example/guestbook:1.2.3',
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

  it('adds new entries and switches an entry from tag to digest, like kustomize edit set image', async () => {
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
      'Updated k/kustomization.yaml to use new images\n\n' +
        '- nginx-unprivileged@sha256:abcd\n- registry.local/guestbook:2.0.0\n- redis:7',
    );
    expectGolden(fs.readFileSync(file, 'utf8'), 'kustomize-set-image/expected-added.yaml');
    const parsed = parse(fs.readFileSync(file, 'utf8')) as { images: unknown[] };
    expect(parsed.images).toEqual([
      { name: 'ghcr.io/example/guestbook', newTag: '1.0.0' },
      { name: 'docker.io/library/nginx', newName: 'nginx-unprivileged', digest: 'sha256:abcd' },
      { name: 'redis', newTag: '7' },
      { name: 'guestbook', newName: 'registry.local/guestbook', newTag: '2.0.0' },
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

    expect(res.output?.['commitMessage']).toBe(
      'Updated k/kustomization.yaml to use new images\n\n' +
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

  it('creates missing keys and appends to lists', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));

    await h.run(yamlUpdate, {
      path: 'values.yaml',
      updates: [
        { key: 'image.digest', value: 'sha256:abc' },
        { key: 'ingress.hosts.0.paths.1', value: '/api' },
        { key: 'resources.limits.cpu', value: '500m' },
        { key: 'image.tag', value: '010' },
      ],
    });

    expectGolden(fs.readFileSync(file, 'utf8'), 'yaml-update/expected-structural.yaml');
    expect(parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      image: { tag: '010', digest: 'sha256:abc' },
      ingress: { hosts: [{ paths: ['/', '/api'] }] },
      resources: { limits: { cpu: '500m' } },
    });
  });

  it('changes nothing on a second run', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));
    const config = { path: 'values.yaml', updates: [{ key: 'image.tag', value: '2.0.0' }, { key: 'new.key', value: true }] };
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
    ).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('is a scalar') });
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
