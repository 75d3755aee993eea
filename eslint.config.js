// Lint that guards the architecture (STYLE.md §2): the determinism boundary around core/ and
// workflows/, no floating promises, type-only imports where only types are used.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const BUILTINS = ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'url', 'util', 'events'];

/** `no-restricted-imports` for a deterministic folder: no Node builtins, plus `patterns`. */
function deterministicImports(patterns) {
  const message = 'core/ and workflows/ are deterministic: no Node builtins (they run in the workflow sandbox).';
  return [
    'error',
    {
      paths: BUILTINS.map((name) => ({ name, message })),
      patterns: [{ group: ['node:*'], message }, ...patterns],
    },
  ];
}

const NO_ENUM = { selector: 'TSEnumDeclaration', message: 'Use a string union, not an enum.' };
const REGEXP_MESSAGE = 'User patterns run on RE2 (core/regex.ts: compileRegex, compileGlob); write fixed patterns as /literals/.';
/** `new RegExp(…)` / `RegExp(…)`: JS's backtracking engine on a computed pattern (ReDoS when it comes from users). */
const NO_REGEXP_CONSTRUCTOR = [
  { selector: "NewExpression[callee.name='RegExp']", message: REGEXP_MESSAGE },
  { selector: "CallExpression[callee.name='RegExp']", message: REGEXP_MESSAGE },
  // `s.match(x)` / `matchAll` / `search` compile a string `x` as a JS RegExp: only literals or UPPER_CASE constants.
  {
    selector: "CallExpression[callee.property.name=/^(match|matchAll|search)$/][arguments.0.type!='Literal'][arguments.0.name!=/^[A-Z][A-Z0-9_]*$/]",
    message: REGEXP_MESSAGE,
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', 'bench/work/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': ['error', NO_ENUM],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    // No import cycles: a cycle means two modules are one concept split in two, or one sits in the wrong folder.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Tests and benches build expectations from their own strings; everything else goes through core/regex.ts.
    files: ['core/**/*.ts', 'workflows/**/*.ts', 'activities/**/*.ts', 'api/**/*.ts', 'cli/**/*.ts', 'worker/**/*.ts', 'launcher/**/*.ts', 'web/**/*.ts'],
    ignores: ['core/regex.ts'],
    rules: { 'no-restricted-syntax': ['error', NO_ENUM, ...NO_REGEXP_CONSTRUCTOR] },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': deterministicImports([
        { group: ['@temporalio/*'], message: 'core/ is plain logic: no Temporal imports.' },
        { group: ['**/activities/**', '**/workflows/**', '**/api/**', '**/cli/**', '**/worker/**', '**/launcher/**'], message: 'core/ imports nothing outside core/.' },
      ]),
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core/ takes the time as an argument.' },
        { object: 'Math', property: 'random', message: 'core/ takes randomness as an argument.' },
        { object: 'process', property: 'env', message: 'core/ reads no environment.' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': deterministicImports([
        { group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'], message: 'workflows/ may use @temporalio/workflow and @temporalio/common only.' },
        { group: ['**/api/**', '**/cli/**', '**/worker/**', '**/launcher/**'], message: 'workflows/ imports core/ and (types of) activities/ only.' },
        { group: ['**/activities/**'], allowTypeImports: true, message: 'workflows/ may import only types from activities/.' },
      ]),
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'workflows read no environment.' }],
    },
  },
  {
    files: ['activities/**/*.ts', 'api/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Except what the processes the launcher starts share with it: the watch for a dead
              // launcher (imported first) and the logger (launcher/logger.ts decides its form).
              group: ['**/worker/**', '**/launcher/**', '!**/launcher/watch-launcher.js', '!**/launcher/logger.js'],
              message: 'nothing imports worker/ or launcher/ (but launcher/watch-launcher.js and launcher/logger.js).',
            },
          ],
        },
      ],
    },
  },
);
