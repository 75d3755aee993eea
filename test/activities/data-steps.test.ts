/**
 * The data steps against real files: yaml-parse, json-parse, toml-parse, json-update,
 * toml-update, yaml-merge. Edits are compared with golden files (UPDATE_GOLDEN=1 rewrites them).
 */
import * as fs from 'node:fs';
import { jsonParse } from '../../activities/steps/json-parse.js';
import { jsonUpdate } from '../../activities/steps/json-update.js';
import { tomlParse } from '../../activities/steps/toml-parse.js';
import { tomlUpdate } from '../../activities/steps/toml-update.js';
import { yamlMerge } from '../../activities/steps/yaml-merge.js';
import { yamlParse } from '../../activities/steps/yaml-parse.js';
import { Disposer } from '../support/git-repos.js';
import { createHarness, errorOf, expectGolden, fixture, place } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe('yaml-parse', () => {
  it('computes each output with a bare expression over the document', async () => {
    const h = await createHarness(disposer);
    await place(h, 'values.yaml', fixture('yaml-update/values.yaml'));
    const res = await h.run(yamlParse, {
      path: 'values.yaml',
      outputs: [
        { name: 'tag', fromExpression: 'image.tag' },
        { name: 'twice', fromExpression: 'replicaCount * 2' },
        { name: 'repo', fromExpression: 'upper(image.repository)' },
      ],
    });
    const doc = (await import('yaml')).parse(fixture('yaml-update/values.yaml')) as { image: { tag: unknown; repository: string }; replicaCount: number };
    expect(res).toEqual({
      status: 'Succeeded',
      output: { tag: doc.image.tag, twice: doc.replicaCount * 2, repo: doc.image.repository.toUpperCase() },
    });
  });

  it('names the field and the position of a bad expression', async () => {
    const h = await createHarness(disposer);
    await place(h, 'v.yaml', 'a: 1\n');
    const err = await errorOf(h.run(yamlParse, { path: 'v.yaml', outputs: [{ name: 'x', fromExpression: 'a +' }] }));
    expect(err.code).toBe('InvalidExpression');
    expect(err.message).toMatch(/^config\.outputs\[0\]\.fromExpression: .* at position \d+ in `a \+`$/);
  });

  // Kargo runs each expression with the parsed document as expr's environment
  // (`expr.Run(program, data)`), whatever it is: a list or a scalar is reached through `$env`.
  it('reads a document that is a list or a scalar through $env', async () => {
    const h = await createHarness(disposer);
    await place(h, 'list.yaml', '- name: a\n- name: b\n');
    await place(h, 'scalar.yaml', '42\n');
    const res = await h.run(yamlParse, {
      path: 'list.yaml',
      outputs: [
        { name: 'first', fromExpression: '$env[0].name' },
        { name: 'count', fromExpression: 'len($env)' },
      ],
    });
    expect(res.output).toEqual({ first: 'a', count: 2 });
    expect((await h.run(yamlParse, { path: 'scalar.yaml', outputs: [{ name: 'v', fromExpression: '$env + 1' }] })).output).toEqual({ v: 43 });
    expect((await errorOf(h.run(yamlParse, { path: 'list.yaml', outputs: [{ name: 'x', fromExpression: 'name' }] }))).message).toContain(
      'cannot fetch name from []interface {}',
    );
  });

  it('fails clearly for a missing file, invalid YAML and duplicate names', async () => {
    const h = await createHarness(disposer);
    await place(h, 'bad.yaml', 'a: [1,\n');
    const out = [{ name: 'x', fromExpression: 'a' }];
    expect((await errorOf(h.run(yamlParse, { path: 'nope.yaml', outputs: out }))).message).toBe('file "nope.yaml" does not exist');
    expect((await errorOf(h.run(yamlParse, { path: 'bad.yaml', outputs: out }))).message).toMatch(/^"bad.yaml" is not valid YAML: /);
    expect(() => yamlParse.config.parse({ path: 'v.yaml', outputs: [...out, ...out] })).toThrow(/duplicate output name/);
    expect(() => yamlParse.config.parse({ path: 'v.yaml', outputs: [] })).toThrow();
    expect((await errorOf(h.run(yamlParse, { path: '../etc/passwd', outputs: out }))).code).toBe('PathEscape');
  });
});

describe('json-parse', () => {
  it('reads values from a JSON file', async () => {
    const h = await createHarness(disposer);
    await place(h, 'p.json', fixture('json-update/package.json'));
    const res = await h.run(jsonParse, {
      path: 'p.json',
      outputs: [
        { name: 'tag', fromExpression: 'image.tag' },
        { name: 'firstPort', fromExpression: 'ports[0]' },
      ],
    });
    expect(res).toEqual({ status: 'Succeeded', output: { tag: '1.0.0', firstPort: 8080 } });
  });

  // Kargo pkg/promotion/runner/builtin/json_parser_test.go: "expression points to missing key"
  // gives nil; "failed to extract outputs" for nonexistent.path.
  it('gives nil for a missing key and fails for a field of one', async () => {
    const h = await createHarness(disposer);
    await place(h, 'p.json', '{"key": "value"}');
    const res = await h.run(jsonParse, { path: 'p.json', outputs: [{ name: 'result', fromExpression: 'missingKey' }] });
    expect(res).toEqual({ status: 'Succeeded', output: { result: null } });
    const err = await errorOf(h.run(jsonParse, { path: 'p.json', outputs: [{ name: 'x', fromExpression: 'nonexistent.path' }] }));
    expect(err.message).toMatch(/^config\.outputs\[0\]\.fromExpression: cannot read field path of nil/);
  });

  it('reads a root list through $env', async () => {
    const h = await createHarness(disposer);
    await place(h, 'l.json', '[{"tag": "1.0.0"}, {"tag": "2.0.0"}]');
    const res = await h.run(jsonParse, {
      path: 'l.json',
      outputs: [
        { name: 'last', fromExpression: '$env[len($env) - 1].tag' },
        { name: 'count', fromExpression: 'len($env)' },
      ],
    });
    expect(res.output).toEqual({ last: '2.0.0', count: 2 });
  });

  it('fails clearly for invalid JSON', async () => {
    const h = await createHarness(disposer);
    await place(h, 'p.json', '{"a": ');
    const err = await errorOf(h.run(jsonParse, { path: 'p.json', outputs: [{ name: 'a', fromExpression: 'a' }] }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^"p.json" is not valid JSON: /);
  });
});

describe('toml-parse', () => {
  it('reads values from a TOML file', async () => {
    const h = await createHarness(disposer);
    await place(h, 'c.toml', fixture('toml-update/config.toml'));
    const res = await h.run(tomlParse, {
      path: 'c.toml',
      outputs: [
        { name: 'tag', fromExpression: 'image.tag' },
        { name: 'port', fromExpression: 'server.port + 1' },
      ],
    });
    expect(res).toEqual({ status: 'Succeeded', output: { tag: '1.0.0', port: 8081 } });
  });

  // Kargo's Test_tomlParser_run "handle empty TOML file".
  it('refuses an empty file', async () => {
    const h = await createHarness(disposer);
    await place(h, 'config.toml', '');
    const err = await errorOf(h.run(tomlParse, { path: 'config.toml', outputs: [{ name: 'key', fromExpression: 'app.key' }] }));
    expect(err).toMatchObject({ code: 'StepFailed', message: expect.stringContaining('could not parse empty TOML file') });
  });
});

describe('json-update', () => {
  it('sets values in place, keeping key order and indentation', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'app/package.json', fixture('json-update/package.json'));
    const res = await h.run(jsonUpdate, {
      path: 'app/package.json',
      updates: [
        { key: 'image.tag', value: '2.0.0' },
        { key: 'replicas', value: 3 },
        { key: 'ports.-1', value: 7070 },
        { key: 'labels.team\\.name', value: 'web' },
      ],
    });
    expect(res).toEqual({
      status: 'Succeeded',
      output: {
        // Kargo's json_updater generateCommitMessage: strings with %q, numbers with %v.
        commitMessage:
          'Updated app/package.json\n\n- image.tag: "2.0.0"\n- replicas: 3\n- ports.-1: 7070\n- labels.team\\.name: "web"',
      },
    });
    expectGolden(fs.readFileSync(file, 'utf8'), 'json-update/expected.json');
  });

  it('changes nothing on a second run', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'p.json', fixture('json-update/package.json'));
    const config = { path: 'p.json', updates: [{ key: 'image.tag', value: '2.0.0' }] };
    await h.run(jsonUpdate, config);
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(file, past, past);
    await h.run(jsonUpdate, config);
    expect(fs.statSync(file).mtime.toISOString()).toBe(past.toISOString());
  });

  it('fails clearly for a path through a scalar, an index past the end, and a non-scalar value', async () => {
    const h = await createHarness(disposer);
    await place(h, 'p.json', fixture('json-update/package.json'));
    expect((await errorOf(h.run(jsonUpdate, { path: 'p.json', updates: [{ key: 'replicas.x', value: 1 }] }))).message).toBe(
      'p.json: replicas is a scalar, cannot set replicas.x',
    );
    expect((await errorOf(h.run(jsonUpdate, { path: 'p.json', updates: [{ key: 'ports.5', value: 1 }] }))).message).toBe(
      'p.json: ports.5: index 5 is past the end of a list of 2',
    );
    expect(() => jsonUpdate.config.parse({ path: 'p.json', updates: [{ key: 'a', value: { b: 1 } }] })).toThrow();
    // Kargo's isValidScalar refuses null ("value for key ... is not a scalar type").
    expect(() => jsonUpdate.config.parse({ path: 'p.json', updates: [{ key: 'a', value: null }] })).toThrow();
  });

  // sjson.Set (Kargo) reads an empty document as {}; Go's %v prints a float64 of 1e6 as 1e+06,
  // %q escapes a quote and a tab.
  it('reads an empty file as {} and prints values in the message as Kargo does', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'e.json', '');
    const res = await h.run(jsonUpdate, {
      path: 'e.json',
      updates: [
        { key: 'a.b', value: 'say "hi"\t' },
        { key: 'n', value: 1000000 },
        { key: 'f', value: 0.5 },
        { key: 'ok', value: true },
      ],
    });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: { b: 'say "hi"\t' }, n: 1000000, f: 0.5, ok: true });
    expect(res.output?.['commitMessage']).toBe('Updated e.json\n\n- a.b: "say \\"hi\\"\\t"\n- n: 1e+06\n- f: 0.5\n- ok: true');
  });
});

describe('toml-update', () => {
  // Kargo's Test_tomlUpdater_run "successful run with updates": the message shows each value as
  // go-toml writes it; only the values' text changes, comments and layout stay.
  it('replaces only the updated values, keeping comments, quoting elsewhere and order', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'config.toml', fixture('toml-update/config.toml'));
    const res = await h.run(tomlUpdate, {
      path: 'config.toml',
      updates: [
        { key: 'image.tag', value: '2.0.0' },
        { key: 'server.port', value: 9090 },
        { key: 'title', value: 'guestbook-dev' },
      ],
    });
    expect(res).toEqual({
      status: 'Succeeded',
      output: { commitMessage: "Updated config.toml\n\n- image.tag: '2.0.0'\n- server.port: 9090\n- title: 'guestbook-dev'" },
    });
    expectGolden(fs.readFileSync(file, 'utf8'), 'toml-update/expected.toml');
  });

  // Kargo's pkg/toml TestSetValuesInBytes, byte for byte.
  it.each([
    ['updates scalar value', 'title = "old"\nactive = true\n', [{ key: 'title', value: 'new' }], "title = 'new'\nactive = true\n"],
    ['updates escaped dot key', '"example.com/version" = "1.0.0"\n', [{ key: 'example\\.com/version', value: '2.0.0' }], "\"example.com/version\" = '2.0.0'\n"],
    ['updates scalar under nested table header', '[a.b]\nc = 1\n', [{ key: 'a.b.c', value: 99 }], '[a.b]\nc = 99\n'],
    ['updates array item', 'values = [1, 2, 3]\n', [{ key: 'values.1', value: 42 }], 'values = [1, 42, 3]\n'],
    ['updates inline table item', 'service = { name = "api", port = 8080 }\n', [{ key: 'service.port', value: 9090 }], 'service = { name = "api", port = 9090 }\n'],
    [
      'updates array table item',
      '[[services]]\nname = "api"\nport = 8080\n\n[[services]]\nname = "web"\nport = 8081\n',
      [{ key: 'services.1.port', value: 9090 }],
      '[[services]]\nname = "api"\nport = 8080\n\n[[services]]\nname = "web"\nport = 9090\n',
    ],
    ['preserves inline comments around updated value', 'title = "old" # keep me\nactive = true\n', [{ key: 'title', value: 'new' }], "title = 'new' # keep me\nactive = true\n"],
    ['value grows in length', 'v = 1\nother = true\n', [{ key: 'v', value: 99999 }], 'v = 99999\nother = true\n'],
    ['duplicate key in updates uses last value', 'v = 1\n', [{ key: 'v', value: 2 }, { key: 'v', value: 3 }], 'v = 3\n'],
    ["a string holding ' is a basic string", 'v = "a"\n', [{ key: 'v', value: "it's\n" }], 'v = "it\'s\\n"\n'],
  ])('%s', async (_name, input, updates, expected) => {
    const h = await createHarness(disposer);
    const file = await place(h, 'c.toml', input);
    await h.run(tomlUpdate, { path: 'c.toml', updates });
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  });

  // Kargo's TestSetValuesInBytes "missing key", "non scalar target", "invalid TOML".
  it('refuses a missing key, a table or array target, and invalid TOML, leaving the file as it was', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'c.toml', '[service]\nname = "api"\nports = [1, 2]\n');
    const refused = async (key: string): Promise<string> =>
      (await errorOf(h.run(tomlUpdate, { path: 'c.toml', updates: [{ key: 'service.name', value: 'x' }, { key, value: 'other' }] }))).message;
    expect(await refused('missing')).toBe('"c.toml": error finding key missing: key path not found');
    expect(await refused('service.ports.2')).toBe('"c.toml": error finding key service.ports.2: key path not found');
    expect(await refused('service')).toBe('"c.toml": error finding key service: key path addresses Table instead of a scalar node');
    expect(await refused('service.ports')).toBe('"c.toml": error finding key service.ports: key path addresses Array instead of a scalar node');
    expect(fs.readFileSync(file, 'utf8')).toBe('[service]\nname = "api"\nports = [1, 2]\n');
    await place(h, 'bad.toml', 'key = \n');
    const err = await errorOf(h.run(tomlUpdate, { path: 'bad.toml', updates: [{ key: 'key', value: 1 }] }));
    expect(err.message).toMatch(/^"bad.toml": error parsing input: /);
  });

  it('changes nothing on a second run', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'c.toml', fixture('toml-update/config.toml'));
    const config = { path: 'c.toml', updates: [{ key: 'image.tag', value: '2.0.0' }] };
    await h.run(tomlUpdate, config);
    const content = fs.readFileSync(file, 'utf8');
    await h.run(tomlUpdate, config);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
  });
});

describe('yaml-merge', () => {
  it('merges files in order, later ones winning, keeping the first file\'s comments', async () => {
    const h = await createHarness(disposer);
    await place(h, 'base.yaml', fixture('yaml-merge/base.yaml'));
    await place(h, 'overlay.yaml', fixture('yaml-merge/overlay.yaml'));
    const res = await h.run(yamlMerge, { inFiles: ['base.yaml', 'missing.yaml', 'overlay.yaml'], outFile: 'out/values.yaml', ignoreMissingFiles: true });
    expect(res).toEqual({
      status: 'Succeeded',
      output: { commitMessage: 'Merged YAML into out/values.yaml\n\n- base.yaml\n- overlay.yaml' },
    });
    expectGolden(fs.readFileSync(h.workspace.resolve('out/values.yaml'), 'utf8'), 'yaml-merge/expected.yaml');
  });

  it('fails for a missing input unless ignoreMissingFiles', async () => {
    const h = await createHarness(disposer);
    await place(h, 'base.yaml', fixture('yaml-merge/base.yaml'));
    const err = await errorOf(h.run(yamlMerge, { inFiles: ['base.yaml', 'gone.yaml'], outFile: 'o.yaml' }));
    expect(err.message).toBe('input file "gone.yaml" does not exist (set ignoreMissingFiles to skip it)');
  });
});
