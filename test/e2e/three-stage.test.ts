/**
 * The foundation's golden path, driven through the `shunt` binary: a Kargo pipeline applied,
 * freight created, promoted dev → staging → prod, each promotion one commit pushed to a real
 * git repository, comments in the edited files kept, and the gate refusing freight that
 * skipped a stage.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLUSTER_WORKFLOW_ID, projectWorkflowId } from '../../workflows/definitions.js';
import { shuntBinary, type CliResult } from '../support/cli.js';
import { saveHistory } from '../support/histories.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { scenario } from '../support/scenario.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

let stack: ShuntStack;
let work: string;
let origin: string;
const { then } = scenario(() => stack.url);

const shunt = (...args: string[]): Promise<CliResult> => shuntBinary(args, { server: stack.url });

async function git(...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { env: gitEnv });
  return stdout.trim();
}

const commitCount = async (): Promise<number> => Number(await git('--git-dir', origin, 'rev-list', '--count', 'main'));
const fileAtHead = (path: string): Promise<string> => git('--git-dir', origin, 'show', `main:${path}`);

beforeAll(async () => {
  stack = await startShuntStack({ namespace: 'e2e' });
  work = await mkdtemp(join(tmpdir(), 'shunt-e2e-'));
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')], { env: gitEnv });
  origin = join(work, 'demo', 'gitops.git');
  const pipeline = (await readFile(join(example, 'pipeline.yaml'), 'utf8')).replaceAll('file:///tmp/shunt-demo/gitops.git', `file://${origin}`);
  await writeFile(join(work, 'pipeline.yaml'), pipeline);
});

afterAll(async () => {
  if (stack) {
    const state = await stack.backend.getProject('demo').catch(() => undefined);
    const first = state?.promotions.find((p) => p.phase === 'Succeeded');
    if (first) await saveHistory(stack.client, first.workflowId, 'promotion', 'real-steps-e2e');
    await saveHistory(stack.client, projectWorkflowId('demo'), 'project', 'three-stage-e2e');
    await saveHistory(stack.client, CLUSTER_WORKFLOW_ID, 'cluster', 'registry-e2e');
  }
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a three-stage Kargo pipeline, driven by the shunt CLI', () => {
  let freightId = '';
  let alias = '';

  it('applies the pipeline and reports each resource', async () => {
    const result = await shunt('apply', '-f', join(work, 'pipeline.yaml'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stage.*dev.*created/i);
    expect(result.stdout).toMatch(/stage.*prod.*created/i);

    const again = await shunt('apply', '-f', join(work, 'pipeline.yaml'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/stage.*dev.*unchanged/i);
  });

  it('refuses an invalid apply with the file, document and field, and changes nothing', async () => {
    const bad = join(work, 'bad.yaml');
    await writeFile(bad, yamlOf(aStage('qa', { project: 'demo', sources: { stages: ['nonexistent'] }, steps: [{ uses: 'git-clone', config: { repoURL: 'x' } }] })));
    const result = await shunt('apply', '-f', bad);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: .*nonexistent/m);
    const stages = JSON.parse((await shunt('get', 'stages', '--project', 'demo', '-o', 'json')).stdout);
    expect(stages.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort()).toEqual(['dev', 'prod', 'staging']);
  });

  it('creates freight from a Freight document, with a content-derived id (applying twice is a no-op)', async () => {
    expect((await shunt('apply', '-f', join(example, 'freight-1.0.0.yaml'))).code).toBe(0);
    expect((await shunt('apply', '-f', join(example, 'freight-1.0.0.yaml'))).stdout).toMatch(/unchanged/);
    const list = JSON.parse((await shunt('get', 'freight', '--project', 'demo', '-o', 'json')).stdout);
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(1);
    const freight = list.items[0];
    expect(freight.metadata.name).toMatch(/^[0-9a-f]{40}$/);
    expect(freight.origin).toEqual({ kind: 'Warehouse', name: 'app' });
    expect(freight.images[0].tag).toBe('1.0.0');
    freightId = freight.metadata.name;
    alias = freight.alias;
    expect(alias).toMatch(/^[a-z]+-[a-z]+/);
  });

  it('refuses to promote freight to staging before dev has verified it', async () => {
    const before = await commitCount();
    const result = await shunt('promote', '--project', 'demo', '--freight', alias, '--stage', 'staging');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not available to stage "staging".*verified in its upstream stage/);
    expect(await commitCount()).toBe(before);
  });

  it.each(['dev', 'staging', 'prod'])('promotes to %s with exactly one commit, keeping comments', async (stage) => {
    const before = await commitCount();
    const result = await shunt('promote', '--project', 'demo', '--freight', alias, '--stage', stage, '--wait');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await commitCount()).toBe(before + 1);
    await then.stageHolds('demo', stage, freightId);
    const kustomization = await fileAtHead(`env/${stage}/kustomization.yaml`);
    expect(kustomization).toContain(`# ${stage}: the app as Argo CD deploys it`);
    expect(kustomization).toContain('- ../../base # shared manifests');
    expect(kustomization).toMatch(/newTag: "?1\.0\.0"?/);
  });

  it('updated values.yaml through the task, keeping its comments', async () => {
    const values = await fileAtHead('env/staging/values.yaml');
    expect(values).toContain('# values for staging');
    expect(values).toMatch(/tag: "1\.0\.0" # set by Shunt/);
  });

  it('shows the freight verified in every stage and the promotions in Kargo shape', async () => {
    const freight = JSON.parse((await shunt('get', 'freight', freightId, '--project', 'demo', '-o', 'json')).stdout);
    expect(Object.keys(freight.status.verifiedIn).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(Object.keys(freight.status.currentlyIn).sort()).toEqual(['dev', 'prod', 'staging']);

    const promotions = JSON.parse((await shunt('get', 'promotions', '--project', 'demo', '-o', 'json')).stdout);
    expect(promotions.items).toHaveLength(3);
    for (const p of promotions.items) {
      expect(p.kind).toBe('Promotion');
      expect(p.status.phase).toBe('Succeeded');
      expect(p.spec.freight).toBe(freightId);
      expect(p.status.stepExecutionMetadata.every((s: { status: string }) => s.status === 'Succeeded')).toBe(true);
    }

    const stages = JSON.parse((await shunt('get', 'stages', '--project', 'demo', '-o', 'json')).stdout);
    const prod = stages.items.find((s: { metadata: { name: string } }) => s.metadata.name === 'prod');
    expect(prod.status.freightHistory[0].items['Warehouse/app'].name).toBe(freightId);
  });

  it('promoting the same freight again makes no second commit', async () => {
    const before = await commitCount();
    const result = await shunt('promote', '--project', 'demo', '--freight', freightId, '--stage', 'dev', '--wait');
    expect(result.code).toBe(0);
    expect(await commitCount()).toBe(before);
  });

  it('exits non-zero with the failing step when a promotion fails', async () => {
    // A newer freight, and a dev stage whose repository cannot be cloned.
    expect((await shunt('apply', '-f', join(example, 'freight-1.1.0.yaml'))).code).toBe(0);
    const pipeline = await readFile(join(work, 'pipeline.yaml'), 'utf8');
    const broken = join(work, 'broken.yaml');
    await writeFile(broken, pipeline.replaceAll(`file://${origin}`, `file://${join(work, 'missing.git')}`));
    expect((await shunt('apply', '-f', broken)).code).toBe(0);
    const freight = JSON.parse((await shunt('get', 'freight', '--project', 'demo', '-o', 'json')).stdout);
    const newer = freight.items.find((f: { images: { tag: string }[] }) => f.images[0]!.tag === '1.1.0');
    const result = await shunt('promote', '--project', 'demo', '--freight', newer.alias, '--stage', 'dev', '--wait');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/git-clone/);
    expect((await shunt('apply', '-f', join(work, 'pipeline.yaml'))).code).toBe(0);
  });

  it('deletes a stage that nothing depends on, and refuses one that others depend on', async () => {
    const refused = await shunt('delete', 'stage', 'staging', '--project', 'demo');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/upstream of "prod"/);
    const deleted = await shunt('delete', 'stage', 'prod', '--project', 'demo');
    expect(deleted.code).toBe(0);
    const stages = JSON.parse((await shunt('get', 'stages', '--project', 'demo', '-o', 'json')).stdout);
    expect(stages.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort()).toEqual(['dev', 'staging']);
  });
});
