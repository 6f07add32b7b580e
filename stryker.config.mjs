// `npm run mutate`: mutation testing of the decision modules against their
// unit tests (the end-to-end suite runs the bundle, which mutants do not
// reach). By hand, not in CI's critical path: it takes minutes.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/scalingo/statuses.ts',
    'src/settings/parse.ts',
    'src/settings/settings.ts',
    'src/settings/dotenv.ts',
    'src/lib/secrets.ts',
    'src/lib/http.ts',
    'src/lib/urls.ts',
    'src/lib/text.ts',
    'src/lib/markdown.ts',
    'src/stages/create.ts',
    'src/stages/decide.ts',
    'src/stages/lines.ts',
    'src/stages/logmerge.ts'
  ],
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'jest.unit.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'off',
  checkers: [],
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'coverage', 'reports', '.ci', 'bench/results']
}
