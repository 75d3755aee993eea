/**
 * oci-download and oci-push against docker-registry (one instance with htpasswd, so the steps'
 * credentials come from the credential store as Kargo's image Secrets would give them).
 */
import * as fs from 'node:fs';
import type { CredentialStore, RepoCredentials } from '../../../activities/adapters/credentials.js';
import { OciClient } from '../../../activities/adapters/oci/client.js';
import { ociDownload } from '../../../activities/steps/oci-download.js';
import { ociPush } from '../../../activities/steps/oci-push.js';
import { Disposer } from '../../support/git-repos.js';
import { pushBlob, pushImage, pushManifest } from '../../support/oci-images.js';
import { startRegistry, type TestRegistry } from '../../support/oci-registry.js';
import { createHarness } from '../harness.js';

const AUTH = { username: 'bob', password: 'pa55word' };

/** Hands out the locked registry's credentials for its host, as an image Secret would. */
class RegistryCredentials implements CredentialStore {
  constructor(private readonly host: string) {}
  async git(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async image(repoURL: string): Promise<RepoCredentials | undefined> {
    return repoURL.startsWith(this.host) ? AUTH : undefined;
  }
  async helm(repoURL: string): Promise<RepoCredentials | undefined> {
    return repoURL.startsWith(`oci://${this.host}`) ? AUTH : undefined;
  }
  async secret(): Promise<Record<string, string>> {
    return {};
  }
}

describe('oci-download and oci-push', () => {
  const disposer = new Disposer();
  let open: TestRegistry;
  let locked: TestRegistry;
  let artifact = '';

  beforeAll(async () => {
    [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
    const data = Buffer.from('apiVersion: v2\nname: demo\n');
    const layer = await pushBlob(locked.host, 'charts/demo', data, AUTH);
    const config = Buffer.from('{}');
    const configDigest = await pushBlob(locked.host, 'charts/demo', config, AUTH);
    artifact = layer;
    await pushManifest(
      locked.host,
      'charts/demo',
      '1.0.0',
      'application/vnd.oci.image.manifest.v1+json',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: layer, size: data.length }],
      },
      AUTH,
    );
  });
  afterAll(async () => {
    await Promise.all([open?.dispose(), locked?.dispose()]);
    await disposer.dispose();
  });

  it('downloads the layer with the media type asked for, and again changes nothing', async () => {
    const h = await createHarness(disposer, { credentials: new RegistryCredentials(locked.host) });
    const config = { imageRef: `oci://${locked.host}/charts/demo:1.0.0`, outPath: 'charts/demo.tgz', mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' };
    expect(await h.run(ociDownload, config)).toEqual({ status: 'Succeeded', output: { digest: artifact } });
    expect(fs.readFileSync(h.workspace.resolve('charts/demo.tgz'), 'utf8')).toBe('apiVersion: v2\nname: demo\n');
    expect(await h.run(ociDownload, config)).toEqual({ status: 'Succeeded', output: { digest: artifact } });
  });

  it('refuses to overwrite a different file unless allowed, and paths outside the workspace', async () => {
    const h = await createHarness(disposer, { credentials: new RegistryCredentials(locked.host) });
    fs.writeFileSync(h.workspace.resolve('out.tgz'), 'something else');
    const config = { imageRef: `oci://${locked.host}/charts/demo:1.0.0`, outPath: 'out.tgz' };
    await expect(h.run(ociDownload, config)).rejects.toMatchObject({ code: 'StepFailed', message: 'out.tgz already exists; set allowOverwrite to replace it' });
    expect(await h.run(ociDownload, { ...config, allowOverwrite: true })).toMatchObject({ status: 'Succeeded' });
    await expect(h.run(ociDownload, { ...config, outPath: '../escape.tgz' })).rejects.toMatchObject({ code: 'PathEscape' });
  });

  it('says what is wrong with a reference, a missing tag, or missing credentials', async () => {
    const h = await createHarness(disposer, { credentials: new RegistryCredentials(locked.host) });
    await expect(h.run(ociDownload, { imageRef: `${locked.host}/charts/demo`, outPath: 'x' })).rejects.toMatchObject({ code: 'InvalidStepConfig', message: expect.stringContaining('names no tag or digest') });
    await expect(h.run(ociDownload, { imageRef: `oci://${locked.host}/charts/demo:9.9.9`, outPath: 'x' })).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('not found') });
    const anonymous = await createHarness(disposer);
    await expect(anonymous.run(ociDownload, { imageRef: `oci://${locked.host}/charts/demo:1.0.0`, outPath: 'x' })).rejects.toMatchObject({ code: 'StepFailed', message: expect.stringContaining('no credentials are configured') });
  });

  it('copies a multi-platform image across registries, with annotations, idempotently', async () => {
    await pushImage(open.host, 'src/app', '2.0.0', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], content: 'copy-me' });
    const h = await createHarness(disposer, { credentials: new RegistryCredentials(locked.host) });
    const config = { srcRef: `${open.host}/src/app:2.0.0`, destRef: `${locked.host}/mirror/app:2.0.0`, annotations: { 'index:org.example/promoted': 'yes' } };
    const first = await h.run(ociPush, config);
    expect(first).toEqual({ status: 'Succeeded', output: { image: expect.stringMatching(new RegExp(`^${locked.host}/mirror/app:2.0.0@sha256:`)), digest: expect.any(String), tag: '2.0.0' } });
    const second = await h.run(ociPush, config);
    expect(second).toEqual(first);
    const copied = await new OciClient(`${locked.host}/mirror/app`, { credentials: AUTH }).getManifest('2.0.0');
    expect(copied.body.manifests).toHaveLength(2);
    expect(copied.body.annotations).toEqual({ 'org.example/promoted': 'yes' });
  });

  it('rejects a bad destination', async () => {
    const h = await createHarness(disposer);
    await expect(h.run(ociPush, { srcRef: `${open.host}/src/app:2.0.0`, destRef: 'Not A Ref' })).rejects.toMatchObject({ code: 'InvalidStepConfig', message: expect.stringContaining('destRef:') });
  });
});
