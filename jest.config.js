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
  clearMocks: true,
  testTimeout: 30000,
  collectCoverageFrom: ['src/**/*.ts']
}
