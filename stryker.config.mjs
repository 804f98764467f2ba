// Mutation testing of the engine (shared/sync/) and the runner (shared/runSync.ts, shared/execute.ts)
// against the fast tests only: `npm run test:mutation`. A measured figure, like the benchmark; not
// part of `npm test`. One file at a time while iterating: `npm run test:mutation -- --mutate shared/sync/merge.ts`.
export default {
  testRunner: 'mocha',
  mochaOptions: {
    'no-config': true,
    spec: ['test/shared/sync/*.test.ts', 'test/shared/runner/*.test.ts'],
    extension: ['ts'],
  },
  testRunnerNodeArgs: ['--import', 'tsx'],
  mutate: ['shared/sync/**/*.ts', '!shared/sync/index.ts', 'shared/runSync.ts', 'shared/execute.ts'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 2500,
  timeoutFactor: 1.25,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['build', 'coverage', 'reports', '.local', 'infra', 'docs'],
  thresholds: { high: 90, low: 85, break: null },
};
