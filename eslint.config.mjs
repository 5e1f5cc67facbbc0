// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Architecture rules (the layers are drawn in README.md, "Architecture"):
 * - src/domain is pure: no SDKs, no Node I/O, no other layer, no wall clock (a Clock is passed in).
 * - only src/bot talks to botbuilder / teams-ai / restify.
 * - production code (src) never imports the sandbox, tests, scripts or benchmarks.
 * - only src/config reads process.env.
 * Every rule here is an error: nothing is "only a warning".
 */

/** @typedef {{ regex: string, message: string }} ImportPattern */

/** @type {ImportPattern[]} */
const NOT_FROM_SRC = [
  {
    regex: '^(\\.\\./)+(sandbox|test|scripts|bench)(/|$)',
    message: 'Production code must not import the sandbox, tests, scripts or benchmarks.',
  },
];

/** @type {ImportPattern[]} */
const BOT_SDKS_ONLY_IN_BOT = [
  {
    regex: '^(botbuilder(-[\\w-]+)?|botframework-[\\w-]+|@microsoft/teams-ai|restify(-[\\w-]+)?)(/|$)',
    message: 'Only src/bot may import botbuilder, botframework-*, @microsoft/teams-ai or restify.',
  },
];

const PROCESS_ENV_MESSAGE =
  'Read configuration through src/config (the only reader of process.env); pass values in.';

/** `import { env } from 'node:process'` is process.env by another name. */
const NO_ENV_IMPORT = [
  { name: 'process', importNames: ['env'], message: PROCESS_ENV_MESSAGE },
  { name: 'node:process', importNames: ['env'], message: PROCESS_ENV_MESSAGE },
];

const DOMAIN_MESSAGE = 'src/domain is pure TypeScript: no SDKs, no I/O, no other layers. Use a port.';

/** @type {ImportPattern[]} */
const DOMAIN_FORBIDDEN = [
  {
    regex:
      '^(botbuilder|botframework|@microsoft/|@azure/|restify|adaptivecards-templating|adaptive-expressions|pino|axios|undici)',
    message: DOMAIN_MESSAGE,
  },
  {
    regex:
      '^(node:.*|fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads|os|crypto|process|readline|stream|zlib)(/.*)?$',
    message: `${DOMAIN_MESSAGE} (Node built-in modules do I/O or read the environment.)`,
  },
  {
    regex: '^(\\.\\./)+(app|storage|integrations|bot|jobs|config|cards)(/|$)',
    message: `${DOMAIN_MESSAGE} (The domain is the centre: other layers depend on it, not the reverse.)`,
  },
];

/**
 * Flat config does not merge options of the same rule across blocks (a later block replaces
 * them), so each src block lists the complete set of restrictions that applies to it.
 * @param {{ botSdks: boolean, env: boolean, domain: boolean }} scope
 */
function srcRestrictions(scope) {
  /** @type {import('eslint').Linter.RulesRecord} */
  const rules = {
    'no-restricted-imports': [
      'error',
      {
        paths: scope.env ? NO_ENV_IMPORT : [],
        patterns: [
          ...NOT_FROM_SRC,
          ...(scope.botSdks ? BOT_SDKS_ONLY_IN_BOT : []),
          ...(scope.domain ? DOMAIN_FORBIDDEN : []),
        ],
      },
    ],
  };
  // Explicit 'off' where a rule does not apply, so an earlier, broader block cannot leak in.
  rules['no-restricted-properties'] = scope.env
    ? ['error', { object: 'process', property: 'env', message: PROCESS_ENV_MESSAGE }]
    : 'off';
  rules['no-restricted-syntax'] = 'off';
  if (scope.domain) {
    const clock = 'The domain does not read the wall clock: pass a Clock in.';
    rules['no-restricted-syntax'] = [
      'error',
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: clock },
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: clock },
      { selector: "CallExpression[callee.name='Date']", message: clock },
    ];
  }
  return rules;
}

const TS_FILES = ['src/**/*.ts', 'test/**/*.ts', 'sandbox/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'appPackage/scripts/**/*.ts', 'tab/**/*.ts'];

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'artifacts/**', 'appPackage/build/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Plain JS config files (jest.config.js, this file): JS rules only, no type information.
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...js.configs.recommended,
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { __dirname: 'readonly', __filename: 'readonly', process: 'readonly' },
    },
  },

  // TypeScript with type information.
  {
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
  },
  {
    files: TS_FILES,
    languageOptions: {
      parserOptions: {
        // appPackage/scripts/make-icons.ts is outside tsconfig.json's "include" but is part of
        // the program because test/manifest imports it.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // An async function without await is a legitimate way to implement a Promise-returning
      // port or handler; the rules that catch real promise bugs (above) stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // Architecture boundaries in production code. Later blocks win for the files they match.
  {
    files: ['src/**/*.ts'],
    rules: srcRestrictions({ botSdks: true, env: true, domain: false }),
  },
  {
    files: ['src/bot/**/*.ts'],
    rules: srcRestrictions({ botSdks: false, env: true, domain: false }),
  },
  {
    files: ['src/config/**/*.ts'],
    rules: srcRestrictions({ botSdks: true, env: false, domain: false }),
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: srcRestrictions({ botSdks: true, env: true, domain: true }),
  },
);
