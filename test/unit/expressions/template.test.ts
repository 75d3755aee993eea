import { describe, expect, it } from '@jest/globals';
import {
  checkTemplateSyntax,
  containsTemplate,
  ExpressionError,
  renderString,
  renderTemplate,
  type ExpressionEnv,
} from '../../../core/expressions/index.js';

const env: ExpressionEnv = {
  variables: {
    vars: { port: '8080', name: 'guestbook', replicas: 3, on: true, list: [1, 2], obj: { a: 1 }, empty: '' },
    ctx: { stage: 'test', project: 'demo' },
  },
};
const render = (s: string): unknown => renderString(s, env);

describe('containsTemplate', () => {
  it.each<[string, boolean]>([
    ['plain', false],
    ['${{ x }}', true],
    ['a ${% x %} b', true],
    ['${ x }', false],
    ['{{ x }}', false],
  ])('%j → %s', (s, expected) => {
    expect(containsTemplate(s)).toBe(expected);
  });
});

describe('renderString: Kargo typing rules', () => {
  it.each<[string, unknown]>([
    // no delimiter: untouched, even when it looks like a number or bool
    ['42', '42'],
    ['true', 'true'],
    ['{"a": 1}', '{"a": 1}'],
    // numbers
    ['${{ 40 + 2 }}', 42],
    ['${{ 1.5 }}', 1.5],
    ['${{ vars.port }}', 8080],
    ['${{ "0" }}', 0],
    ['${{ "1" }}', 1],
    ['${{ "1e3" }}', 1000],
    ['${{ "-0.5" }}', -0.5],
    // quote() keeps a string
    ['${{ quote(40 + 2) }}', '42'],
    ['${{ quote(vars.port) }}', '8080'],
    ['${{ quote(true) }}', 'true'],
    ["${{ quote('x') }}", 'x'],
    ['${{ quote(vars.name) }}', 'guestbook'],
    // unsafeQuote keeps literal quotes around strings
    ["${{ unsafeQuote('x') }}", '"x"'],
    ['${{ unsafeQuote(42) }}', '42'],
    // bools, including Go's extra spellings
    ['${{ true }}', true],
    ['${{ vars.on }}', true],
    ['${{ "false" }}', false],
    ["${{ 'T' }}", true],
    ["${{ 'F' }}", false],
    ['${{ 1 == 1 }}', true],
    // JSON values
    ['${{ vars.list }}', [1, 2]],
    ['${{ vars.obj }}', { a: 1 }],
    ['${{ {b: [1, {c: nil}]} }}', { b: [1, { c: null }] }],
    ['${{ {a: 1} }}', { a: 1 }],
    ['${{ nil }}', null],
    ['${{ "null" }}', null],
    ['${{ \'{"x": 1}\' }}', { x: 1 }],
    // strings
    ["v${{ '1' }}", 'v1'],
    ['${{ vars.name }}', 'guestbook'],
    ['${{ vars.empty }}', ''],
    ['${{ ctx.project }}-${{ ctx.stage }}', 'demo-test'],
    ['port ${{ vars.port }}', 'port 8080'],
    ['${{ 4 }}${{ 2 }}', 42],
    ['x${{ nil }}', 'xnull'],
    ['${{ [1] }} and ${{ {"a": "<b>"} }}', '[1] and {"a":"\\u003cb\\u003e"}'],
    ["${{ 'NaN' }}", 'NaN'],
    ["${{ '1e400' }}", '1e400'],
    ["${{ '1_000' }}", '1_000'],
    // alternative delimiter, for expressions holding }}
    ['${% {a: {b: 1}} %}', { a: { b: 1 } }],
    ['${% vars.obj %}', { a: 1 }],
    // trailing newline (YAML `|` blocks)
    ['${{ 42 }}\n', 42],
    ["${{ 'text' }}\n", 'text\n'],
    ["${{ quote('q') }}\n", 'q\n'],
    // asJSON / asYAML stay strings
    ['${{ asJSON({b: 1, a: 2}) }}', '{\n  "a": 2,\n  "b": 1\n}\n'],
    ['${% asYAML({b: [1, 2], a: {c: "x"}}) %}', 'a:\n    c: x\nb:\n    - 1\n    - 2\n'],
  ])('%j → %j', (template, expected) => {
    expect(render(template)).toEqual(expected);
  });

  it('leaves "42" as the string "42" but renders ${{ 40 + 2 }} as the number', () => {
    expect(typeof render('42')).toBe('string');
    expect(typeof render('${{ 40 + 2 }}')).toBe('number');
    expect(typeof render('${{ quote(40+2) }}')).toBe('string');
  });

  it.each<[string, RegExp]>([
    ['${{ 1', /unclosed expression: expected "}}" but reached end of template at position 0 in `\$\{\{ 1`/],
    ['ok ${% 1', /unclosed expression: expected "%}" but reached end of template at position 3/],
    ['${{ 1 + }}', /unexpected end of expression at position 5 in ` 1 \+ `/],
    ['${{ nope.x }}', /cannot read field x of nil at position 5 in ` nope.x `/],
    ['${{ 1 / 0 }}', /cannot render result: json: unsupported value: \+Inf/],
    // `}}` inside the expression ends it early: that is what ${% %} is for
    ['${{ {a: {b: 1}} }}', /unexpected end of expression/],
  ])('%j fails with %s', (template, message) => {
    expect(() => render(template)).toThrow(message);
  });
});

describe('renderTemplate', () => {
  it('renders values recursively and never keys', () => {
    const config = {
      '${{ vars.name }}': 'key untouched',
      path: './${{ ctx.stage }}',
      replicas: '${{ vars.replicas }}',
      literal: 7,
      flag: false,
      nothing: null,
      images: [{ image: 'nginx', tag: '${{ quote(vars.port) }}' }, '${{ vars.list }}'],
      nested: { deeper: { value: '${{ ctx.project }}' } },
    };
    expect(renderTemplate(config, env)).toEqual({
      '${{ vars.name }}': 'key untouched',
      path: './test',
      replicas: 3,
      literal: 7,
      flag: false,
      nothing: null,
      images: [{ image: 'nginx', tag: '8080' }, [1, 2]],
      nested: { deeper: { value: 'demo' } },
    });
  });

  it('does not modify its input', () => {
    const input = { a: '${{ 1 }}', b: ['${{ 2 }}'] };
    renderTemplate(input, env);
    expect(input).toEqual({ a: '${{ 1 }}', b: ['${{ 2 }}'] });
  });

  it('renders a bare string and passes scalars through', () => {
    expect(renderTemplate('${{ 1 + 1 }}', env)).toBe(2);
    expect(renderTemplate(5, env)).toBe(5);
    expect(renderTemplate(null, env)).toBeNull();
  });

  it('names the path of the failing value', () => {
    let caught: unknown;
    try {
      renderTemplate({ images: [{ tag: 'ok' }, { tag: '${{ nope.x }}' }] }, env);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect(caught).toMatchObject({
      path: 'images[1].tag',
      position: 5,
      message: 'images[1].tag: cannot read field x of nil at position 5 in ` nope.x `',
    });
  });
});

describe('checkTemplateSyntax', () => {
  it('reports each broken expression with its path', () => {
    const config = {
      images: [{ tag: '${{ vars.ok }}' }, { tag: '${{ a + ) }}' }],
      'odd.key': '${{ 1 +',
      list: ['fine', '${% ( %}', '${{ ok }} and ${{ ] }}'],
      notTemplated: 'a + )',
      number: 3,
    };
    expect(checkTemplateSyntax(config, 'config')).toEqual([
      {
        path: 'config.images[1].tag',
        message: "unexpected token ')' at position 5 in ` a + ) `",
        position: 5,
      },
      {
        path: 'config["odd.key"]',
        message: 'unclosed expression: expected "}}" but reached end of template at position 0 in `${{ 1 +`',
        position: 0,
      },
      { path: 'config.list[1]', message: 'unexpected end of expression at position 3 in ` ( `', position: 3 },
      { path: 'config.list[2]', message: "unexpected token ']' at position 1 in ` ] `", position: 1 },
    ]);
  });

  it('returns nothing for valid templates, even with unknown names', () => {
    expect(checkTemplateSyntax({ a: '${{ unknownFn(x.y) }}', b: ['${{ filter(xs, .on) }}'] })).toEqual([]);
  });

  it('uses a bare path without basePath', () => {
    expect(checkTemplateSyntax({ a: { b: '${{ ( }}' } })[0]?.path).toBe('a.b');
    expect(checkTemplateSyntax('${{ ( }}')[0]?.path).toBe('');
  });
});
