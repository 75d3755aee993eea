import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { demoBackend, FREIGHT_A, request, startApi, type RunningApi } from './support.js';
import { shunt as runShunt, type CliResult, type ShuntOptions } from '../support/cli.js';
import { aProject, aStage, yamlOf } from '../support/manifests.js';


const NOW = new Date('2026-01-01T01:00:00.000Z');

/** Runs `shunt <argv>` in-process against the api. */
const shunt = (api: RunningApi | undefined, argv: string[], io: ShuntOptions = {}): Promise<CliResult> =>
  runShunt(argv, { ...(api === undefined ? {} : { server: api.url }), now: () => NOW, pollIntervalMs: 5, ...io });

describe('shunt against the api', () => {
  let api: RunningApi;
  let dir: string;
  beforeEach(async () => {
    api = await startApi({ backend: demoBackend() });
    dir = await mkdtemp(path.join(tmpdir(), 'shunt-cli-'));
  });
  afterEach(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('apply', () => {
    it('posts every YAML file of a directory, recursively and sorted, and prints kubectl-style lines', async () => {
      await mkdir(path.join(dir, 'stages'));
      await writeFile(path.join(dir, '00-project.yaml'), yamlOf(aProject('shop')));
      await writeFile(path.join(dir, 'stages', 'dev.yml'), yamlOf(aStage('dev', { project: 'shop', requests: [], steps: null })));
      await writeFile(
        path.join(dir, '10-warehouse.yaml'),
        // YAML text on purpose: the old field spelling `semverConstraint` (which the builder's types refuse) gets a hint.
        'kind: Warehouse\nmetadata: {name: app, namespace: shop}\nspec:\n  subscriptions: [{image: {repoURL: r, semverConstraint: ^1}}]\n',
      );
      await writeFile(path.join(dir, 'README.md'), '# not a manifest');

      const result = await shunt(api, ['apply', '-f', dir]);

      expect(result).toEqual({
        code: 0,
        stdout: [
          'project.kargo.akuity.io/shop created',
          'warehouse.kargo.akuity.io/app created',
          'stage.kargo.akuity.io/dev created',
          `hint: ${path.join(dir, '10-warehouse.yaml')}: warehouse app: image subscription field "semverConstraint" is now "constraint"`,
          '',
        ].join('\n'),
        stderr: '',
      });
      const files = api.backend.calls[0]?.args[0] as { name: string }[];
      expect(files.map((f) => f.name)).toEqual([
        path.join(dir, '00-project.yaml'),
        path.join(dir, '10-warehouse.yaml'),
        path.join(dir, 'stages', 'dev.yml'),
      ]);
    });

    it('accepts several -f, relative to the working directory, and --dry-run', async () => {
      const [one, demo] = [yamlOf(aProject('one')), yamlOf(aProject('demo'))];
      await writeFile(path.join(dir, 'a.yaml'), one);
      await writeFile(path.join(dir, 'b.yaml'), demo);
      const result = await shunt(api, ['apply', '-f', 'a.yaml', '-f', 'b.yaml', '--dry-run'], { cwd: dir });
      expect(result.stdout).toBe(
        'project.kargo.akuity.io/one created (dry run)\nproject.kargo.akuity.io/demo unchanged (dry run)\n',
      );
      expect(api.backend.projects.has('one')).toBe(false);
      expect(api.backend.calls[0]?.args).toEqual([
        [
          { name: 'a.yaml', content: one },
          { name: 'b.yaml', content: demo },
        ],
        { dryRun: true, actor: 'anonymous' },
      ]);
    });

    it('prints the server error and each problem, and exits 1', async () => {
      await writeFile(path.join(dir, 'bad.yaml'), 'kind: Gadget\n'); // YAML text on purpose: a document of an unknown kind
      const result = await shunt(api, ['apply', '-f', path.join(dir, 'bad.yaml')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `error: ${path.join(dir, 'bad.yaml')}: document 1 (Gadget): kind: unknown kind Gadget; expected one of Project, ProjectConfig, Warehouse, Stage, PromotionTask, ClusterPromotionTask, ClusterConfig, Freight, AnalysisTemplate, ClusterAnalysisTemplate\n`,
      );
    });

    it('says which path it cannot read', async () => {
      const result = await shunt(api, ['apply', '-f', 'missing.yaml'], { cwd: dir });
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: cannot read missing.yaml: no such file or directory\n' });
      expect(api.backend.calls).toEqual([]);
    });

    it('refuses a directory without manifests', async () => {
      const result = await shunt(api, ['apply', '-f', dir]);
      expect(result.stderr).toBe(`error: no .yaml or .yml files in directory ${dir}\n`);
      expect(result.code).toBe(1);
    });

    it('requires -f', async () => {
      const result = await shunt(api, ['apply']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("error: required option '-f, --filename <path>' not specified\n");
    });
  });

  describe('get', () => {
    it('shows projects as a table', async () => {
      const result = await shunt(api, ['get', 'projects']);
      expect(result).toEqual({
        code: 0,
        stdout: 'NAME   WAREHOUSES   STAGES   FREIGHT\ndemo   1            3        2\n',
        stderr: '',
      });
    });

    it('shows stages with their freight and last promotion', async () => {
      const result = await shunt(api, ['get', 'stages', '--project', 'demo']);
      expect(result.stdout).toBe(
        [
          'NAME      CURRENT-FREIGHT                            LAST-PROMOTION       PHASE       VERIFICATION   MESSAGE',
          `dev       ${FREIGHT_A}   dev.000001.aaaaaaa   Succeeded   Verified       Freight has been verified`,
          'prod      -                                          -                    -           -              -',
          'staging   -                                          -                    -           -              -',
          '',
        ].join('\n'),
      );
    });

    it('shows freight with alias, origin, where it is and its age', async () => {
      const result = await shunt(api, ['get', 'freight', '--project', 'demo']);
      expect(result.stdout.split('\n')).toEqual([
        'NAME                                       ALIAS        ORIGIN   CURRENTLY-IN   AGE',
        `${'b'.repeat(40)}   brave-fox    app      -              0s`,
        `${FREIGHT_A}   tidy-otter   app      dev            60m`,
        '',
      ]);
    });

    it('shows promotions and accepts the singular kind with a name', async () => {
      const result = await shunt(api, ['get', 'promotion', 'dev.000001.aaaaaaa', '--project', 'demo']);
      expect(result.stdout).toBe(
        'NAME                 STAGE   FREIGHT   PHASE       AGE\ndev.000001.aaaaaaa   dev     aaaaaaa   Succeeded   51m\n',
      );
    });

    it('shows warehouses', async () => {
      const result = await shunt(api, ['get', 'warehouse', '--project', 'demo']);
      expect(result.stdout).toBe(`NAME   SUBSCRIPTIONS   LAST-FREIGHT\napp    1               ${'b'.repeat(40)}\n`);
    });

    it('prints -o json exactly as the api returns it', async () => {
      const [cli, direct] = await Promise.all([
        shunt(api, ['get', 'freight', 'tidy-otter', '--project', 'demo', '-o', 'json']),
        request(api, 'GET', '/api/v1/projects/demo/freight/tidy-otter'),
      ]);
      expect(cli.stdout).toBe(`${JSON.stringify(direct.body, null, 2)}\n`);
    });

    it('prints -o yaml as the same document', async () => {
      const [cli, direct] = await Promise.all([
        shunt(api, ['get', 'stages', '--project', 'demo', '-o', 'yaml']),
        request(api, 'GET', '/api/v1/projects/demo/stages'),
      ]);
      expect(YAML.parse(cli.stdout)).toEqual(direct.body);
      expect(cli.stdout.startsWith('apiVersion: v1\nkind: List\n')).toBe(true);
    });

    it('says so on stderr when there is nothing to show', async () => {
      api.backend.projects.get('demo')!.promotions = [];
      const result = await shunt(api, ['get', 'promotions', '--project', 'demo']);
      expect(result).toEqual({ code: 0, stdout: '', stderr: 'No promotions found in project demo.\n' });
    });

    it.each([
      [['get', 'stages'], 'error: --project is required to get stages\n'],
      [['get', 'gadgets'], 'error: unknown resource kind "gadgets" (expected one of: projects, warehouses, stages, freight, promotions, events, audit)\n'],
      [['get', 'stages', '--project', 'nope'], 'error: project "nope" not found\n'],
      [['get', 'stage', 'qa', '--project', 'demo'], 'error: stage "qa" not found in project "demo"\n'],
    ])('fails with one line for %j', async (argv, stderr) => {
      const result = await shunt(api, argv);
      expect(result).toEqual({ code: 1, stdout: '', stderr });
    });

    it('rejects an unknown output format through commander', async () => {
      const result = await shunt(api, ['get', 'stages', '--project', 'demo', '-o', 'xml']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("error: option '-o, --output <format>' argument 'xml' is invalid");
    });
  });

  describe('promote', () => {
    it('creates the promotion and prints its name', async () => {
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'staging']);
      expect(result).toEqual({ code: 0, stdout: 'promotion staging.000002.aaaaaaa created\n', stderr: '' });
    });

    it('with --wait, asks the api to wait for the end (a minute at most a request) until the promotion succeeds', async () => {
      api.backend.scriptPromotion('staging.000002.aaaaaaa', [{ phase: 'Running' }, { phase: 'Running' }, { phase: 'Succeeded' }]);
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'staging', '--wait']);
      expect(result).toEqual({
        code: 0,
        stdout: `promotion staging.000002.aaaaaaa created\npromotion staging.000002.aaaaaaa succeeded: freight ${FREIGHT_A} is in stage staging\n`,
        stderr: '',
      });
      // --timeout 10m: each request asks the api to wait as long as it allows.
      expect(api.backend.calls.filter((c) => c.method === 'getPromotion').map((c) => c.args[2])).toEqual([{ waitMs: 60_000 }, { waitMs: 60_000 }, { waitMs: 60_000 }]);
    });

    it('with --wait, exits 1 naming the step that failed and its message', async () => {
      api.backend.scriptPromotion('staging.000002.aaaaaaa', [
        {
          phase: 'Failed',
          message: 'step "push" failed',
          steps: [
            { alias: 'clone', uses: 'git-clone', status: 'Succeeded', errorCount: 0, startedAt: 'x' },
            { alias: 'push', uses: 'git-push', status: 'Failed', errorCount: 1, startedAt: 'y', message: 'remote rejected: non-fast-forward' },
          ],
        },
      ]);
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'staging', '--wait']);
      expect(result).toEqual({
        code: 1,
        stdout: 'promotion staging.000002.aaaaaaa created\n',
        stderr: 'error: promotion staging.000002.aaaaaaa failed at step "push" (git-push): remote rejected: non-fast-forward\n',
      });
    });

    it('with --wait, gives up after --timeout', async () => {
      api.backend.scriptPromotion('staging.000002.aaaaaaa', Array.from({ length: 10 }, () => ({ phase: 'Running' as const })));
      let clock = NOW.getTime();
      const result = await shunt(
        api,
        ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'staging', '--wait', '--timeout', '2s'],
        {
          now: () => new Date(clock),
          sleep: async (ms) => {
            clock += ms;
          },
          pollIntervalMs: 500,
        },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: timed out after 2s waiting for promotion staging.000002.aaaaaaa (phase Running)\n');
      // Never asking it to wait past --timeout.
      expect(api.backend.calls.filter((c) => c.method === 'getPromotion').map((c) => c.args[2])).toEqual([2000, 1500, 1000, 500].map((waitMs) => ({ waitMs })));
    });

    it('prints why the server refused the promotion', async () => {
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'tidy-otter', '--stage', 'prod']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'error: freight tidy-otter is not available to stage "prod": it must first be verified in its upstream stage (not verified in "staging"), or approved for "prod"\n',
      });
    });

    it('refuses a promote without --stage or --downstream-from before calling the api', async () => {
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'tidy-otter']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: promote needs exactly one of --stage and --downstream-from\n');
      expect(api.backend.calls).toEqual([]);
    });

    it('refuses a bad --timeout before calling the api', async () => {
      const result = await shunt(api, ['promote', '--project', 'demo', '--freight', 'a', '--stage', 'b', '--timeout', '10 minutes']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: invalid --timeout "10 minutes": unknown unit \" minutes\"; use Go syntax such as 30s, 5m or 1h30m\n',
      });
    });
  });

  describe('delete', () => {
    it('deletes a stage', async () => {
      const result = await shunt(api, ['delete', 'stage', 'prod', '--project', 'demo']);
      expect(result).toEqual({ code: 0, stdout: 'stage.kargo.akuity.io/prod deleted\n', stderr: '' });
      expect(api.backend.calls.at(-1)?.args.slice(0, 3)).toEqual(['demo', 'Stage', 'prod']);
    });

    it('deletes a warehouse and a project', async () => {
      const warehouse = await shunt(api, ['delete', 'warehouse', 'app', '--project', 'demo']);
      const project = await shunt(api, ['delete', 'project', 'demo']);
      expect(warehouse.stdout).toBe('warehouse.kargo.akuity.io/app deleted\n');
      expect(project.stdout).toBe('project.kargo.akuity.io/demo deleted\n');
      expect(api.backend.projects.size).toBe(0);
    });

    it.each([
      [['delete', 'stage', 'prod'], 'error: --project is required to delete a stage\n'],
      [['delete', 'promotion', 'x', '--project', 'demo'], 'error: cannot delete "promotion" (expected one of: stage, warehouse, freight, project)\n'],
      [['delete', 'freight', 'x', '--project', 'demo'], 'error: freight "x" not found in project "demo"\n'],
      [['delete', 'stage', 'qa', '--project', 'demo'], 'error: stage "qa" not found in project "demo"\n'],
    ])('fails with one line for %j', async (argv, stderr) => {
      expect(await shunt(api, argv)).toEqual({ code: 1, stdout: '', stderr });
    });
  });

  describe('global options', () => {
    it('--server wins over SHUNT_SERVER, and --token is sent as a bearer token', async () => {
      const seen: { url: string; auth: string | null }[] = [];
      const recording: typeof fetch = async (input, init) => {
        seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
        return fetch(input, init);
      };
      const result = await shunt(api, ['get', 'projects', '--server', `${api.url}/`, '--token', 't0k3n'], {
        env: { SHUNT_SERVER: 'http://127.0.0.1:1' },
        fetch: recording,
      });
      expect(result.code).toBe(0);
      expect(seen).toEqual([{ url: `${api.url}/api/v1/projects`, auth: 'Bearer t0k3n' }]);
    });

    it('reads SHUNT_TOKEN from the environment', async () => {
      const seen: (string | null)[] = [];
      const recording: typeof fetch = async (input, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return fetch(input, init);
      };
      await shunt(api, ['get', 'projects'], { env: { SHUNT_SERVER: api.url, SHUNT_TOKEN: 'from-env' }, fetch: recording });
      expect(seen).toEqual(['Bearer from-env']);
    });
  });
});

describe('shunt without an api', () => {
  it('says it cannot reach the api when the connection is refused', async () => {
    const port = await closedPort();
    const server = `http://127.0.0.1:${port}`;
    const result = await shunt(undefined, ['get', 'projects', '--server', server]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach the Shunt api at ${server}: is it running? (set --server or SHUNT_SERVER)\n`,
    });
  });

  it('refuses a --server that is not a URL', async () => {
    const result = await shunt(undefined, ['get', 'projects', '--server', 'localhost:8080']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: invalid server address "localhost:8080": only http and https are supported\n');
  });

  it('prints help with exit 0', async () => {
    const result = await shunt(undefined, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: shunt [options] [command]');
    expect(result.stdout).toMatch(/apply .*\n.*get/s);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
