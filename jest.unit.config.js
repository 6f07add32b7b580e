/** The unit tests only (no end-to-end runs of dist/index.js): what `npm run mutate` runs against each mutant. */
import base from './jest.config.js'

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/e2e/', 'sandbox-protocol', 'project.test'],
  reporters: ['default']
}
