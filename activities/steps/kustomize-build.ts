/**
 * `kustomize-build`: renders a Kustomization with `kustomize build` (a `kustomize` binary) or
 * `kubectl kustomize` (Debian's kubectl), into one file (`outPath` ending in `.yaml`/`.yml`) or
 * one file per resource in the directory `outPath`, named `[namespace-]kind-name.yaml`
 * (`outputFormat: kargo`, the default) or `group_version_kind_name.yaml` (`kustomize`).
 * `plugin.helm` enables kustomize's Helm chart inflation (needs helm too).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { assertKustomizationConfined } from '../adapters/kustomize-paths.js';
import { writeManifests } from '../adapters/manifest-output.js';
import { hermeticEnv } from '../adapters/git/hermetic-env.js';
import { assertTreeConfined, withTempDir } from '../adapters/step-files.js';
import { findBinary, lastLines, runTool } from '../adapters/tools.js';
import type { StepDefinition } from './step.js';

export const KustomizeBuildConfig = z.strictObject({
  path: z.string().min(1).describe('Directory holding the Kustomization, relative to the workspace.'),
  outPath: z.string().min(1).describe('A .yaml/.yml file, or a directory for one file per resource.'),
  outputFormat: z.enum(['kargo', 'kustomize']).optional().describe('File naming in a directory (default kargo).'),
  plugin: z
    .strictObject({
      helm: z
        .strictObject({
          apiVersions: z.array(z.string().min(1)).optional().describe('Kubernetes API versions for Capabilities.APIVersions.'),
          kubeVersion: z.string().min(1).optional().describe('Kubernetes version for Capabilities.KubeVersion.'),
        })
        .optional(),
    })
    .optional(),
});
export type KustomizeBuildConfig = z.infer<typeof KustomizeBuildConfig>;

export const MISSING_KUSTOMIZE =
  'kustomize-build needs kubectl (Debian: apt-get install kubectl) or a kustomize binary on PATH (or SHUNT_KUBECTL_PATH / SHUNT_KUSTOMIZE_PATH)';

/** The command that builds a Kustomization: `kustomize build` or `kubectl kustomize`. */
export function kustomizeCommand(): { bin: string; args: string[] } {
  const kustomize = findBinary('kustomize', 'SHUNT_KUSTOMIZE_PATH');
  if (kustomize) return { bin: kustomize, args: ['build'] };
  const kubectl = findBinary('kubectl', 'SHUNT_KUBECTL_PATH');
  if (kubectl) return { bin: kubectl, args: ['kustomize'] };
  throw new DomainError('StepFailed', MISSING_KUSTOMIZE);
}

export const kustomizeBuild: StepDefinition<KustomizeBuildConfig> = {
  kind: 'kustomize-build',
  config: KustomizeBuildConfig,
  async run(ctx, config) {
    const dir = ctx.workspace.resolve(config.path);
    ctx.workspace.resolveForWrite(config.outPath);
    if (!(await fs.promises.stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(config.path)} is not a directory`);
    }
    await assertTreeConfined(ctx.workspace, dir);
    assertKustomizationConfined(ctx.workspace, dir);
    const cmd = kustomizeCommand();
    const args = [...cmd.args, dir];
    const helm = config.plugin?.helm;
    await withTempDir('shunt-kustomize-', async (home) => {
      if (helm) {
        const helmBin = findBinary('helm', 'SHUNT_HELM_PATH');
        if (!helmBin) throw new DomainError('StepFailed', 'plugin.helm needs a helm binary: run `node scripts/install-tools.mjs` or put helm on PATH (or SHUNT_HELM_PATH)');
        args.push('--enable-helm', `--helm-command=${helmBin}`);
        for (const v of helm.apiVersions ?? []) args.push(`--helm-api-versions=${v}`);
        if (helm.kubeVersion) args.push(`--helm-kube-version=${helm.kubeVersion}`);
      }
      const res = await runTool(cmd.bin, args, {
        cwd: dir,
        // Remote bases make kustomize run git: hardened as Shunt's own git is (no hooks, fsmonitor,
        // system or global config; allowed protocols only). The hooks dir does not exist: no hooks.
        env: { ...hermeticEnv(process.env, path.join(home, 'no-hooks')), HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data'), KUBECONFIG: path.join(home, 'kubeconfig') },
        signal: ctx.signal,
        heartbeat: () => ctx.heartbeat({ step: 'kustomize-build' }),
      });
      if (res.code !== 0) {
        throw new DomainError('StepFailed', `kustomize build of ${JSON.stringify(config.path)} failed: ${lastLines(res.stderr.split(dir).join(config.path))}`);
      }
      await writeManifests(ctx.workspace, config.outPath, res.stdout, config.outputFormat ?? 'kargo');
    });
    return { status: 'Succeeded' };
  },
};
