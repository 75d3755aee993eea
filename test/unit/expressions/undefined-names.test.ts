/**
 * Names that are no variable evaluate to nil, as in Kargo: its expressions are compiled without
 * `expr.Env`, so a name is a key of the environment map and a missing key is nil
 * (pkg/expressions/json_templates.go evaluateExpression; checked against expr-lang v1.17.8).
 * A name read from an environment that is not a map (a list or scalar document, or Kargo's nil
 * environment for freight creation criteria) is an error, as expr-lang's `cannot fetch`.
 */
import { describe, expect, it } from '@jest/globals';
import {
  DocumentRoot,
  evaluateExpression,
  evaluateOutputs,
  renderString,
  renderTemplate,
  type ExpressionEnv,
} from '../../../core/expressions/index.js';

const env: ExpressionEnv = { variables: { vars: { a: 1 }, outputs: { clone: { commit: 'abc' } } } };
const run = (src: string): unknown => evaluateExpression(src, env);

describe('an undefined name', () => {
  it.each<[string, unknown]>([
    ['undefinedName', null],
    ['undefinedName == nil', true],
    ['undefinedName ?? "default"', 'default'],
    ['undefinedName?.field', null],
    ['"a" in undefinedName', false],
    ['toJSON(undefinedName)', 'null'],
    ['target?.params ?? {}', {}],
    ['outputs.missing ?? "none"', 'none'],
    ['vars.missing == nil', true],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  // expr-lang: `cannot fetch field from <nil>`; ours names the same nil member read.
  it.each<[string, RegExp]>([
    ['undefinedName.field', /cannot read field field of nil/],
    ['target.params', /cannot read field params of nil/],
    ['undefinedName[0]', /cannot read field 0 of nil/],
    ['undefinedName + 1', /invalid operation: \+ \(mismatched types nil and int\)/],
    ['len(undefinedName)', /len/],
    ['not undefinedName', /invalid operation: not \(mismatched type nil\)/],
  ])('%s fails with %s', (src, message) => {
    expect(() => run(src)).toThrow(message);
  });

  // Kargo pkg/expressions/json_templates_test.go: "quote function forces null to string"
  // (`null` is no expr-lang keyword: it is an undefined name).
  it('renders ${{ quote(null) }} as the string "null"', () => {
    expect(renderTemplate({ AString: '${{ quote(null) }}' }, env)).toEqual({ AString: 'null' });
  });

  it('renders ${{ null }} as null and text around it as "null"', () => {
    expect(renderString('${{ null }}', env)).toBeNull();
    expect(renderString('x-${{ missing }}', env)).toBe('x-null');
  });

  it("is an error where the caller declares the environment (Argo Rollouts' conditions)", () => {
    expect(() => evaluateExpression('nope', { variables: {}, unknownNames: 'error' })).toThrow(/^unknown name nope at position 0/);
  });

  it('still says a function name must be called', () => {
    expect(() => run('len')).toThrow(/function len must be called/);
  });
});

// Kargo pkg/promotion/runner/builtin/json_parser_test.go Test_jsonParser_extractValues and
// yaml_parser_test.go: "expression points to missing key" gives nil; "nonexistent.path" fails.
describe('outputs of parsed documents', () => {
  it('gives nil for a missing key', () => {
    expect(evaluateOutputs([{ name: 'result', fromExpression: 'missingKey' }], { key: 'value' })).toEqual({ result: null });
  });

  it('fails for a member of a missing key', () => {
    expect(() => evaluateOutputs([{ name: 'invalidField', fromExpression: 'nonexistent.path' }], { app: { version: '1.0.0' } })).toThrow(
      /config\.outputs\[0\]\.fromExpression: cannot read field path of nil/,
    );
  });

  it.each<[unknown, string]>([
    [['first', 'second'], '[]interface {}'],
    [42, 'int'],
    ['text', 'string'],
  ])('refuses a name when the document is %j (expr-lang: cannot fetch x from %s)', (root, type) => {
    expect(() => evaluateOutputs([{ name: 'x', fromExpression: 'name' }], new DocumentRoot(root))).toThrow(`cannot fetch name from ${type}`);
  });

  it('reads a list document through $env', () => {
    expect(evaluateOutputs([{ name: 'first', fromExpression: '$env[0]' }], new DocumentRoot(['first', 'second']))).toEqual({ first: 'first' });
  });
});
