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

  it('fails clearly for a missing file, invalid YAML, a non-mapping document and duplicate names', async () => {
    const h = await createHarness(disposer);
    await place(h, 'bad.yaml', 'a: [1,\n');
    await place(h, 'list.yaml', '- 1\n- 2\n');
    const out = [{ name: 'x', fromExpression: 'a' }];
    expect((await errorOf(h.run(yamlParse, { path: 'nope.yaml', outputs: out }))).message).toBe('file "nope.yaml" does not exist');
    expect((await errorOf(h.run(yamlParse, { path: 'bad.yaml', outputs: out }))).message).toMatch(/^"bad.yaml" is not valid YAML: /);
    expect((await errorOf(h.run(yamlParse, { path: 'list.yaml', outputs: out }))).message).toBe(
      '"list.yaml" does not hold a YAML object at its top level',
    );
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
        commitMessage: 'Updated app/package.json\n\n- image.tag: 2.0.0\n- replicas: 3\n- ports.-1: 7070\n- labels.team\\.name: web',
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
  });
});

describe('toml-update', () => {
  it('edits lines in place, keeping comments, quoting style and order; adds missing keys and tables', async () => {
    const h = await createHarness(disposer);
    const file = await place(h, 'config.toml', fixture('toml-update/config.toml'));
    const res = await h.run(tomlUpdate, {
      path: 'config.toml',
      updates: [
        { key: 'image.tag', value: '2.0.0' },
        { key: 'server.port', value: 9090 },
        { key: 'server.debug', value: true },
        { key: 'title', value: 'guestbook-dev' },
        { key: 'feature.flags.beta', value: false },
      ],
    });
    expect(res.status).toBe('Succeeded');
    expectGolden(fs.readFileSync(file, 'utf8'), 'toml-update/expected.toml');
    const parsed = (await import('smol-toml')).parse(fs.readFileSync(file, 'utf8'));
    expect(parsed).toMatchObject({ image: { tag: '2.0.0' }, server: { port: 9090, debug: true }, feature: { flags: { beta: false } } });
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

  it('fails clearly for invalid TOML', async () => {
    const h = await createHarness(disposer);
    await place(h, 'c.toml', 'a = = 1\n');
    const err = await errorOf(h.run(tomlUpdate, { path: 'c.toml', updates: [{ key: 'a', value: 1 }] }));
    expect(err.message).toMatch(/^"c.toml" is not valid TOML: /);
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
