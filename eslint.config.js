// ESLint flat config: typescript-eslint's type-checked recommended rules on the
// sources, one import per module, and the jest plugin on the tests.
import js from '@eslint/js'
import jest from 'eslint-plugin-jest'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.ci/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  // The undici stand-in is CommonJS, as the package it replaces.
  { files: ['packages/**/*.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      'no-duplicate-imports': ['error', { includeExports: true, allowSeparateTypeImports: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // Tests read sandbox state and jest matchers loosely typed on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }]
    }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        fetch: 'readonly'
      }
    }
  }
)
