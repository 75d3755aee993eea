/**
 * `helm-update-chart`: sets the versions of a chart's dependencies in `Chart.yaml` (keeping its
 * comments and layout), then runs `helm dependency update` so `Chart.lock` and `charts/` follow.
 * Each entry of `charts` must match a declared dependency (repository and name); without
 * `charts`, the declared versions (or ranges) are resolved as they are. A `Chart.lock` whose
 * dependencies did not change keeps its old `generated` time, so a re-run changes nothing.
 * Private repositories get the credentials of their `cred-type: helm` Secret (basic auth for
 * classic repositories, a registry login for `oci://`; adapters/helm-credentials.ts).
 *
 * Output: `commitMessage`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { runHelm } from '../adapters/helm.js';
import { explainHelmAuthFailure, helmDependencyAuth, type ChartDependency } from '../adapters/helm-credentials.js';
import { readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import { findPair, isMap, isScalar, isSeq, setValueOfPair, YamlFile } from '../adapters/yaml-edit.js';
import type { StepDefinition } from './step.js';

export const HelmUpdateChartConfig = z.strictObject({
  path: z.string().min(1).describe('The chart directory (holding Chart.yaml), relative to the workspace.'),
  charts: z
    .array(
      z.strictObject({
        repository: z.string().min(1).describe('Repository of the dependency, exactly as in Chart.yaml.'),
        name: z.string().min(1).describe('Name of the dependency.'),
        version: z.string().min(1).describe('The version to set.'),
      }),
    )
    .optional()
    .describe('Dependencies to update; absent = resolve the declared versions.'),
});
export type HelmUpdateChartConfig = z.infer<typeof HelmUpdateChartConfig>;

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

function scalarOf(map: unknown, key: string): string | undefined {
  if (!isMap(map)) return undefined;
  const v = findPair(map, key)?.value;
  return isScalar(v) && v.value !== null && v.value !== undefined ? String(v.value) : undefined;
}

export const helmUpdateChart: StepDefinition<HelmUpdateChartConfig> = {
  kind: 'helm-update-chart',
  config: HelmUpdateChartConfig,
  async run(ctx, config) {
    const chartFile = `${trimSlash(config.path)}/Chart.yaml`;
    const lockFile = `${trimSlash(config.path)}/Chart.lock`;
    // helm writes Chart.lock and charts/ there
    const chartDir = ctx.workspace.resolveForWrite(config.path);
    const text = await readWorkspaceText(ctx.workspace, chartFile);
    const yaml = new YamlFile(text, chartFile);
    const root = yaml.rootMap(chartFile);
    const depsNode = findPair(root, 'dependencies')?.value;
    const deps = isSeq(depsNode) ? depsNode.items : [];
    const lines: string[] = [];
    for (const want of config.charts ?? []) {
      const dep = deps.find(
        (d) => scalarOf(d, 'name') === want.name && trimSlash(scalarOf(d, 'repository') ?? '') === trimSlash(want.repository),
      );
      if (!dep || !isMap(dep)) {
        throw new DomainError(
          'StepFailed',
          `${chartFile} declares no dependency ${JSON.stringify(want.name)} from ${JSON.stringify(want.repository)}`,
        );
      }
      const pair = findPair(dep, 'version');
      if (pair) setValueOfPair(yaml, pair, want.version);
      else {
        dep.set('version', want.version);
        yaml.markStructural();
      }
      lines.push(`- ${want.name}: ${want.version}`);
    }
    if (yaml.changed) await writeWorkspaceText(ctx.workspace, chartFile, yaml.toString());

    const oldLock = fs.existsSync(path.join(chartDir, 'Chart.lock')) ? await readWorkspaceText(ctx.workspace, lockFile) : undefined;
    if (deps.length > 0) {
      const declared: ChartDependency[] = deps.flatMap((d) => {
        const name = scalarOf(d, 'name');
        const repository = scalarOf(d, 'repository');
        return name !== undefined && repository !== undefined ? [{ name, repository }] : [];
      });
      const { auth, withCredentials, plainHttp } = await helmDependencyAuth(ctx.credentials, declared);
      await runHelm(['dependency', 'update', chartDir, ...(plainHttp ? ['--plain-http'] : [])], {
        auth,
        explain: (stderr) => explainHelmAuthFailure(stderr, declared, withCredentials),
        cwd: chartDir,
        what: `helm dependency update of ${JSON.stringify(config.path)}`,
        signal: ctx.signal,
        heartbeat: () => ctx.heartbeat({ step: 'helm-update-chart' }),
        hide: ctx.workspace.root,
        shown: '.',
      });
    }
    if (oldLock !== undefined && fs.existsSync(path.join(chartDir, 'Chart.lock'))) {
      const before = parse(oldLock) as { digest?: string } | null;
      const after = parse(await readWorkspaceText(ctx.workspace, lockFile)) as { digest?: string } | null;
      if (before?.digest !== undefined && before.digest === after?.digest) await writeWorkspaceText(ctx.workspace, lockFile, oldLock);
    }
    const message = lines.length > 0 ? `Updated chart dependencies for ${config.path}\n\n${lines.join('\n')}` : `Updated chart dependencies for ${config.path}`;
    return { status: 'Succeeded', output: { commitMessage: message } };
  },
};
