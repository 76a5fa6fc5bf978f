// ESLint flat config (ESLint 9): @eslint/js recommended + typescript-eslint recommended
// (syntactic rules only, no type information, so `eslint .` stays fast).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['{apps,libs,test}/**/*.{ts,tsx,mts}'];

// Node's globals for the few plain-JS config files at the root (jest.config.js, this file).
const nodeGlobals = {
  __dirname: 'readonly',
  __filename: 'readonly',
  Buffer: 'readonly',
  console: 'readonly',
  exports: 'writable',
  module: 'writable',
  process: 'readonly',
  require: 'readonly',
};

const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
    ignoreRestSiblings: true,
  },
];

export default defineConfig([
  globalIgnores(['**/dist/', '**/node_modules/', '**/.data/', '**/coverage/']),

  // Root config files (CommonJS .js, ES module .mjs).
  {
    files: ['*.js', '*.cjs', '*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, globals: nodeGlobals },
    rules: { 'no-unused-vars': unusedVars },
  },
  { files: ['*.js', '*.cjs'], languageOptions: { sourceType: 'commonjs' } },

  // The TypeScript sources: apps, libs, tests.
  {
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // `any` is sometimes the honest type (e.g. Kysely<any> over a schema that changes
      // between migrations); flag it for review rather than fail the build.
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },
  {
    // Migrations are frozen: they type their database as Kysely<any> on purpose, because the
    // current schema type would not describe the database as it was when they ran.
    files: ['libs/db/src/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
]);
