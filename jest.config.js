/** ESM TypeScript under jest: ts-jest in ESM mode, NodeNext `.js` imports mapped to the `.ts` files. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // Every end-to-end run is scanned for secrets once its file is done.
  setupFilesAfterEnv: ['<rootDir>/__tests__/e2e/setup-secrets-scan.ts'],
  clearMocks: true,
  // End-to-end tests mostly wait on loopback servers and timers: run more files at once than there are cores.
  maxWorkers: 4,
  reporters: ['default', '<rootDir>/scripts/jest-count-reporter.js'],
  testTimeout: 30000,
  collectCoverageFrom: ['src/**/*.ts']
}
