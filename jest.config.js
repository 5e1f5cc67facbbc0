// @ts-check
const ESM_ONLY_PACKAGES = ['strip-bom', 'jose'];

/**
 * Three tiers, each a jest project with its own npm script (`npm test` runs all three after the
 * type check and lint):
 * - unit: domain, cards and the app manifest; pure, no child process (`npm run test:unit`);
 * - component: storage, app, bot, integrations and sandbox on Azurite and the sandbox over real
 *   HTTP (`npm run test:component`);
 * - slow: the crash tests (21 processes each, SIGKILLed) and e2e in Chromium through the Agents
 *   Playground (`npm run test:slow`).
 *
 * One in-memory Azurite (a child process) serves the whole run: globalSetup starts it (unless only
 * the unit tier runs) and puts its connection string in process.env.AZURE_STORAGE_CONNECTION_STRING,
 * which the workers inherit. Tests isolate themselves with unique table-name prefixes.
 *
 * ts-jest only transpiles (isolatedModules): type checking is `npm run typecheck` (tsc --noEmit),
 * which `npm test` runs before jest.
 */
const SLOW = ['<rootDir>/test/app/*-crash.test.ts', '<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/infra/production-start.test.ts'];
/** The same files as regular expressions, for the component tier's testPathIgnorePatterns. */
const SLOW_PATHS = ['/test/app/[^/]*-crash\\.test\\.ts$', '/test/e2e/', '/test/infra/production-start\\.test\\.ts$'];

/** @type {import('jest').Config} */
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        // Inline compiler options are merged over tsconfig.json. isolatedModules makes ts-jest use
        // transpileModule (no type checker, no language service): fast, and only syntax errors
        // are reported as diagnostics.
        tsconfig: { isolatedModules: true, sourceMap: true },
      },
    ],
    // ESM-only packages that CommonJS dependencies require() (plain Node >= 20.19 allows that,
    // Jest's module loader does not): strip-bom 5, required by @microsoft/app-manifest.
    [`^.+/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { isolatedModules: true, allowJs: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/', '<rootDir>/artifacts/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
};

/** @type {import('jest').Config} */
const config = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/{domain,cards,manifest,infra}/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, ...SLOW_PATHS],
    },
    {
      ...shared,
      displayName: 'component',
      testMatch: ['<rootDir>/test/{storage,app,bot,integrations,sandbox,support}/**/*.test.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, ...SLOW_PATHS],
    },
    {
      ...shared,
      displayName: 'slow',
      testMatch: SLOW,
    },
  ],
  globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // A global option (a project's own testTimeout is ignored): bounds a hung test, never a speed target.
  testTimeout: 60_000,
  maxWorkers: 2,
  coverageDirectory: '<rootDir>/coverage',
  collectCoverageFrom: ['src/**/*.ts'],
};

module.exports = config;
