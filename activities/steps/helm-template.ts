/**
 * `helm-template`: renders a local Helm chart with `helm template` into one file (`outPath`
 * ending in `.yaml`/`.yml`) or a directory: helm's own `--output-dir` layout (`outLayout: helm`,
 * the default: `<chart>/templates/...`) or one file per resource (`flat`). Values files must lie
 * in the workspace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { runHelm } from '../adapters/helm.js';
import { isYamlFileName, writeManifests } from '../adapters/manifest-output.js';
import { assertTreeConfined, copyIntoWorkspace, existsInWorkspace, makeWorkspaceDir, withTempDir } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const HelmTemplateConfig = z.strictObject({
  path: z.string().min(1).describe('The chart directory, relative to the workspace.'),
  outPath: z.string().min(1).describe('A .yaml/.yml file, or a directory.'),
  releaseName: z.string().min(1).describe('Release name.'),
  outLayout: z.enum(['helm', 'flat']).optional().describe('Directory layout (default helm).'),
  useReleaseName: z.boolean().optional().describe("Put the release name in helm's output directory layout."),
  namespace: z.string().min(1).optional(),
  valuesFiles: z.array(z.string().min(1)).optional().describe('Values files, relative to the workspace, in order.'),
  ignoreMissingValueFiles: z.boolean().optional(),
  setValues: z
    .array(z.strictObject({ key: z.string().min(1), value: z.string(), literal: z.boolean().optional() }))
    .optional()
    .describe('Values set with --set (or --set-literal).'),
  buildDependencies: z.boolean().optional().describe('Run `helm dependency build` first.'),
  includeCRDs: z.boolean().optional(),
  disableHooks: z.boolean().optional(),
  skipTests: z.boolean().optional(),
  kubeVersion: z.string().min(1).optional(),
  apiVersions: z.array(z.string().min(1)).optional(),
});
export type HelmTemplateConfig = z.infer<typeof HelmTemplateConfig>;

export const helmTemplate: StepDefinition<HelmTemplateConfig> = {
  kind: 'helm-template',
  config: HelmTemplateConfig,
  async run(ctx, config) {
    const chart = ctx.workspace.resolve(config.path);
    ctx.workspace.resolveForWrite(config.outPath);
    if (!fs.existsSync(path.join(chart, 'Chart.yaml'))) {
      throw new DomainError('StepFailed', `path ${JSON.stringify(config.path)} is not a Helm chart (no Chart.yaml)`);
    }
    await assertTreeConfined(ctx.workspace, chart);
    const hooks = { signal: ctx.signal, heartbeat: () => ctx.heartbeat({ step: 'helm-template' }), hide: ctx.workspace.root, shown: '.' };
    if (config.buildDependencies) {
      ctx.workspace.resolveForWrite(config.path); // helm writes charts/ and Chart.lock there
      await runHelm(['dependency', 'build', chart], { cwd: chart, what: `helm dependency build of ${JSON.stringify(config.path)}`, ...hooks });
    }
    const args = ['template', config.releaseName, chart];
    if (config.namespace) args.push('--namespace', config.namespace);
    for (const f of config.valuesFiles ?? []) {
      if (!(await existsInWorkspace(ctx.workspace, f))) {
        if (config.ignoreMissingValueFiles) continue;
        throw new DomainError('StepFailed', `values file ${JSON.stringify(f)} does not exist (set ignoreMissingValueFiles to skip it)`);
      }
      args.push('--values', ctx.workspace.resolve(f));
    }
    for (const s of config.setValues ?? []) args.push(s.literal ? '--set-literal' : '--set', `${s.key}=${s.value}`);
    if (config.includeCRDs) args.push('--include-crds');
    if (config.disableHooks) args.push('--no-hooks');
    if (config.skipTests) args.push('--skip-tests');
    if (config.kubeVersion) args.push('--kube-version', config.kubeVersion);
    for (const v of config.apiVersions ?? []) args.push('--api-versions', v);

    const what = `helm template of ${JSON.stringify(config.path)}`;
    if (isYamlFileName(config.outPath) || config.outLayout === 'flat') {
      const res = await runHelm(args, { cwd: chart, what, ...hooks });
      await writeManifests(ctx.workspace, config.outPath, res.stdout, 'kargo');
      return { status: 'Succeeded' };
    }
    await withTempDir('shunt-helm-out-', async (tmp) => {
      args.push('--output-dir', tmp);
      if (config.useReleaseName) args.push('--release-name');
      await runHelm(args, { cwd: chart, what, ...hooks });
      await makeWorkspaceDir(ctx.workspace, config.outPath);
      await copyIntoWorkspace(ctx.workspace, tmp, config.outPath);
    });
    return { status: 'Succeeded' };
  },
};
