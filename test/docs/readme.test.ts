/**
 * Keep the README's two commands working (STYLE.md §4): what README, the examples,
 * docker-compose.yml and .ci/run promise must match package.json, the manifest parser and the
 * settings' defaults. Pure: reads files, runs no server.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { parseAuthConfig } from '../../api/auth/config-file.js';
import { loadApiConfig } from '../../api/config.js';
import { DEFAULT_SERVER } from '../../cli/context.js';
import { formatIssue, parseManifests } from '../../core/manifests/index.js';
import { loadLauncherConfig } from '../../launcher/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
const readme = read('README.md');

interface Fence {
  lang: string;
  body: string;
  /** 1-based line of the opening fence in README.md. */
  line: number;
}

function fencedBlocks(markdown: string): Fence[] {
  const blocks: Fence[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) body.push(lines[j++]!);
    blocks.push({ lang: (open[3] ?? '').toLowerCase(), body: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

const fences = fencedBlocks(readme);
const shellFences = fences.filter((f) => ['', 'sh', 'bash', 'shell', 'console', 'zsh'].includes(f.lang));

/** The shell commands of a block: comments dropped, `&&` / `;` / `|` chains split. */
function commandsOf(body: string): string[] {
  return body
    .split('\n')
    .map((l) => l.replace(/^\s*\$\s+/, '').replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '')
    .flatMap((l) => l.split(/\s*(?:&&|\|\||;|\|)\s*/))
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

const shellCommands = shellFences.flatMap((f) => commandsOf(f.body).map((command) => ({ command, line: f.line })));

/** npm commands that need no script (npm's own). `test`, `start`, `stop`, `restart` run scripts. */
const NPM_BUILTINS = new Set(['install', 'i', 'ci', 'exec', 'x', 'init', 'ls', 'outdated', 'update', 'audit', 'pack', 'publish', 'version', 'help', 'prune', 'rebuild', 'link']);
const NPM_SCRIPT_SHORTHANDS = new Set(['test', 't', 'start', 'stop', 'restart']);

/** `npm run X` → script X; `npm test` → script test; `npm install` → undefined (no script needed). */
function scriptNeeded(command: string): { npm: string; script?: string } | undefined {
  const m = /^npm\s+(?:(?:run|run-script|rum|urn)\s+)?([^\s]+)/.exec(command);
  if (!m) return undefined;
  const isRun = /^npm\s+(?:run|run-script|rum|urn)\s/.test(command);
  const word = m[1]!;
  if (isRun) return { npm: command, script: word };
  if (NPM_SCRIPT_SHORTHANDS.has(word)) return { npm: command, script: word === 't' ? 'test' : word };
  if (NPM_BUILTINS.has(word)) return { npm: command };
  // An unknown `npm X` is neither a script npm would run nor one of its commands.
  return { npm: command, script: `<not an npm command: ${word}>` };
}

describe('README.md', () => {
  it('has the fenced shell blocks this test reads', () => {
    expect(shellFences.length).toBeGreaterThanOrEqual(2);
    expect(shellCommands.map((c) => c.command)).toEqual(expect.arrayContaining(['npm install', 'npm start', 'npm test']));
  });

  it('uses only npm scripts that package.json defines, in its fenced blocks', () => {
    const npmCommands = shellCommands.map((c) => ({ ...c, need: scriptNeeded(c.command) })).filter((c) => c.need !== undefined);
    expect(npmCommands.length).toBeGreaterThan(0);
    const missing = npmCommands
      .filter((c) => c.need!.script !== undefined && pkg.scripts[c.need!.script] === undefined)
      .map((c) => `README.md:${c.line}: \`${c.command}\` needs script "${c.need!.script}"`);
    expect(missing).toEqual([]);
  });

  it('uses only npm scripts that package.json defines, in its inline code', () => {
    const inline = [...readme.matchAll(/`(npm\s+run\s+[^`]+)`/g)].map((m) => m[1]!);
    expect(inline.length).toBeGreaterThan(0);
    const missing = inline.filter((c) => pkg.scripts[scriptNeeded(c)!.script!] === undefined);
    expect(missing).toEqual([]);
  });

  it('runs only repository paths that exist (scripts executable, `-f` files present)', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { command, line } of shellCommands) {
      const words = command.split(/\s+/);
      const first = words[0]!;
      if (first.includes('/') && !first.startsWith('/') && !first.startsWith('~') && !first.includes('$')) {
        checked++;
        const file = join(root, first);
        if (!existsSync(file)) problems.push(`README.md:${line}: ${first} does not exist`);
        else {
          try {
            accessSync(file, constants.X_OK);
          } catch {
            problems.push(`README.md:${line}: ${first} is not executable`);
          }
        }
      }
      words.forEach((w, i) => {
        const arg = words[i + 1];
        if ((w === '-f' || w === '--filename' || w === '--file') && arg !== undefined && !arg.startsWith('/') && !arg.includes('$')) {
          checked++;
          if (!existsSync(join(root, arg))) problems.push(`README.md:${line}: ${arg} (given to ${w}) does not exist`);
        }
      });
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('runs `npx shunt` only because package.json declares that bin and it exists', () => {
    if (!shellCommands.some((c) => /^npx\s+shunt\b/.test(c.command))) return;
    expect(pkg.bin['shunt']).toBeDefined();
    expect(existsSync(join(root, pkg.bin['shunt']!))).toBe(true);
    accessSync(join(root, pkg.bin['shunt']!), constants.X_OK);
  });

  it('mentions only repository files that exist, in inline code paths like examples/… and .ci/run', () => {
    const paths = [...readme.matchAll(/`((?:\.ci|examples|scripts|docs|launcher|worker|api|cli|core|workflows|activities|test)\/[\w./-]*)`/g)].map((m) =>
      m[1]!.replace(/\/$/, ''),
    );
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('parses every YAML manifest in its fenced blocks through core/manifests', () => {
    const problems: string[] = [];
    for (const f of fences.filter((b) => b.lang === 'yaml' || b.lang === 'yml')) {
      if (!/apiVersion:\s*kargo\.akuity\.io\//.test(f.body)) continue;
      problems.push(...parseManifests(f.body, `README.md:${f.line}`).issues.map(formatIssue));
    }
    expect(problems).toEqual([]);
  });

  it('states the default api and Temporal Web UI ports that the code uses', () => {
    const launcher = loadLauncherConfig({});
    expect(launcher.port).toBe(8080);
    expect(launcher.temporalUiPort).toBe(8233);
    expect(loadApiConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233' }).port).toBe(launcher.port);
    expect(new URL(DEFAULT_SERVER).port).toBe(String(launcher.port));

    const setting = (name: string): string | undefined =>
      new RegExp(`^\\|\\s*\`${name}\`\\s*\\|\\s*\`([^\`]+)\``, 'm').exec(readme)?.[1];
    expect(setting('SHUNT_PORT')).toBe(String(launcher.port));
    expect(setting('SHUNT_TEMPORAL_UI_PORT')).toBe(String(launcher.temporalUiPort));
    expect(setting('SHUNT_TEMPORAL_PORT')).toBe(String(launcher.temporalPort));
    expect(readme).toContain(`api :${launcher.port}`);
    expect(readme).toContain(`Temporal Web UI :${launcher.temporalUiPort}`);
    expect(readme).toContain(`\`${DEFAULT_SERVER}\``);
  });
});

describe('examples/', () => {
  const exampleDir = join(root, 'examples');
  const yamlFiles: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) yamlFiles.push(relative(root, full));
    }
  };
  walk(exampleDir);
  yamlFiles.sort();

  it('has YAML files to check', () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
  });

  // examples/auth/ holds access-control files, checked by the access-control parser below.
  const authFiles = yamlFiles.filter((f) => f.startsWith(join('examples', 'auth')));
  const manifestFiles = yamlFiles.filter((f) => !authFiles.includes(f));

  it.each(authFiles)('%s parses as an access-control config', (file) => {
    expect(parseAuthConfig(read(file), file).tokens.length).toBeGreaterThan(0);
  });

  it.each(manifestFiles)('%s parses through core/manifests with no issues', (file) => {
    const parsed = parseManifests(read(file), file);
    expect(parsed.issues.map(formatIssue)).toEqual([]);
    expect(parsed.hints).toEqual([]);
    expect(parsed.manifests.length).toBeGreaterThan(0);
  });

  it('has executable shell scripts only', () => {
    const scripts = readdirSync(join(exampleDir, 'three-stage')).filter((f) => f.endsWith('.sh'));
    for (const s of scripts) expect(statSync(join(exampleDir, 'three-stage', s)).mode & 0o111).not.toBe(0);
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image?: string;
    ports?: (string | number | { published?: string | number; target?: number })[];
    environment?: Record<string, string> | string[];
  }
  const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);
  const launcher = loadLauncherConfig({});

  /** `[host:]published:target[/proto]` → { published, target }. */
  function portsOf(service: Service): { published: number; target: number }[] {
    return (service.ports ?? []).map((p) => {
      if (typeof p === 'object') return { published: Number(p.published), target: Number(p.target) };
      const parts = String(p).replace(/\/\w+$/, '').split(':');
      const target = Number(parts[parts.length - 1]);
      const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : target;
      return { published, target };
    });
  }

  function env(service: Service): Record<string, string> {
    const e = service.environment ?? {};
    if (!Array.isArray(e)) return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
    return Object.fromEntries(e.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
  }

  it('parses as YAML with services', () => {
    expect(services.length).toBeGreaterThan(0);
  });

  it.each(services.filter(([, s]) => s.image !== undefined).map(([name, s]) => [name, s.image!]))(
    'service %s uses a pinned image tag (%s), not latest',
    (_name, image) => {
      const digest = /@sha256:[0-9a-f]{64}$/.test(image);
      const lastSegment = image.split('/').pop()!;
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()! : undefined;
      expect(digest || tag !== undefined).toBe(true);
      if (tag !== undefined) {
        expect(tag).not.toBe('');
        expect(tag.toLowerCase()).not.toBe('latest');
      }
    },
  );

  it('publishes the api on the default SHUNT_PORT, and the container listens there', () => {
    const api = compose.services['shunt-api'];
    expect(api).toBeDefined();
    const ports = portsOf(api!);
    expect(ports.map((p) => p.published)).toContain(launcher.port);
    const listen = Number(env(api!)['SHUNT_PORT'] ?? loadApiConfig({ TEMPORAL_ADDRESS: 'x:1' }).port);
    expect(ports.find((p) => p.published === launcher.port)?.target).toBe(listen);
  });

  it('publishes the Temporal Web UI on the default SHUNT_TEMPORAL_UI_PORT (loopback only), and links to it', () => {
    const ui = Object.values(compose.services).find((s) => s.image?.startsWith('temporalio/ui'));
    expect(ui).toBeDefined();
    expect(portsOf(ui!).map((p) => p.published)).toContain(launcher.temporalUiPort);
    const uiUrl = env(compose.services['shunt-api']!)['SHUNT_TEMPORAL_UI_URL'];
    if (uiUrl !== undefined) expect(new URL(uiUrl).port).toBe(String(launcher.temporalUiPort));
  });
});

describe('.ci/run', () => {
  const script = read('.ci/run');
  const run = promisify(execFile);

  it('is executable and runs the README test command, whose json results it reads', () => {
    accessSync(join(root, '.ci/run'), constants.X_OK);
    expect(script).toMatch(/^npm test( -- --selectProjects [a-z ]+)?$/m);
    const outputFile = /--outputFile=(\S+)/.exec(pkg.scripts['test'] ?? '')?.[1];
    expect(outputFile).toBeDefined();
    expect(pkg.scripts['test']).toContain('--json');
    // The summary reads the files RESULT_FILES names, by default the one `npm test` writes.
    expect(script).toContain(`process.env.RESULT_FILES || "${outputFile}"`);
  });

  it('runs every jest project in one of its passes', () => {
    const projects = [...read('jest.config.js').matchAll(/displayName: '([a-z0-9]+)'/g)].map((m) => m[1]);
    const selected = [...script.matchAll(/^npm test -- --selectProjects ([a-z0-9 ]+)$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(projects.length).toBeGreaterThan(0);
    expect(projects.filter((p) => !selected.includes(p!))).toEqual([]);
  });

  it('prints "N passed, N failed" on every early exit', () => {
    const exits = script.split('\n').filter((l) => /\bexit 1\b/.test(l) && /\|\|/.test(l));
    expect(exits.length).toBeGreaterThan(0);
    for (const l of exits) expect(l).toMatch(/echo "0 passed, 1 failed"/);
  });

  /** The `node -e '…'` summary program inside the script. */
  const summary = /node -e '([\s\S]*?)'\n/.exec(script)?.[1];

  it.each([
    ['all passed', { numPassedTests: 12, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 12 }, '12 passed, 0 failed', 0],
    ['failures and a broken suite', { numPassedTests: 10, numFailedTests: 2, numRuntimeErrorTestSuites: 1, numPendingTests: 0, numTodoTests: 0, numTotalTests: 12 }, '10 passed, 3 failed', 0],
    ['no tests at all (a failure)', { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0 }, '0 passed, 0 failed', 1],
  ])('ends its output with the summary line when %s', async (_case, counts, line, exitCode) => {
    expect(summary).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'shunt-ci-'));
    try {
      writeFileSync(join(dir, 'test-results.json'), JSON.stringify({ ...counts, testResults: [] }));
      const result = await run(process.execPath, ['-e', summary!], { cwd: dir }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      const lines = result.stdout.trim().split('\n');
      expect(lines[lines.length - 1]).toBe(line);
      expect(lines[lines.length - 1]).toMatch(/^\d+ passed, \d+ failed$/);
      expect(result.code).toBe(exitCode);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists failed and skipped suites by name before the summary line', async () => {
    expect(summary).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'shunt-ci-'));
    try {
      const results = {
        numPassedTests: 1,
        numFailedTests: 1,
        numRuntimeErrorTestSuites: 0,
        numPendingTests: 2,
        numTodoTests: 0,
        numTotalTests: 4,
        testResults: [
          { status: 'passed', name: '/repo/test/unit/ok.test.ts', message: '' },
          { status: 'failed', name: '/repo/test/e2e/broken.test.ts', message: 'boom' },
          { status: 'skipped', name: '/repo/test/e2e/skipped.test.ts', message: '' },
        ],
      };
      writeFileSync(join(dir, 'test-results.json'), JSON.stringify(results));
      const result = await run(process.execPath, ['-e', summary!], { cwd: dir }).then(
        (r) => r.stdout,
        (e: { stdout: string }) => e.stdout,
      );
      const lines = result.trim().split('\n');
      expect(result).toContain('suite failed: /repo/test/e2e/broken.test.ts');
      expect(result).toContain('suite skipped: /repo/test/e2e/skipped.test.ts');
      expect(result).not.toContain('ok.test.ts');
      // The counts CI reads come first on the last line; skipped tests may follow them.
      expect(lines[lines.length - 1]).toMatch(/^1 passed, 1 failed(, 2 skipped)?$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
