// @ts-check
const ESM_ONLY_PACKAGES = ['strip-bom', 'jose'];

/**
 * One in-memory Azurite (a child process) serves the whole run: globalSetup starts it and puts
 * its connection string in process.env.AZURE_STORAGE_CONNECTION_STRING, which the workers
 * inherit. Tests isolate themselves with unique table-name prefixes.
 *
 * ts-jest only transpiles (isolatedModules): type checking is `npm run typecheck` (tsc --noEmit),
 * which `npm test` runs before jest.
 *
 * @type {import('jest').Config}
 */
const config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
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
  globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 2,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/', '<rootDir>/artifacts/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
  coverageDirectory: '<rootDir>/coverage',
  collectCoverageFrom: ['src/**/*.ts'],
};

module.exports = config;
