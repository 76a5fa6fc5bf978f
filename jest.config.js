// One Jest run for every tier: *.spec.ts (pure), *.int-spec.ts (real Postgres/Redis),
// test/**/*.e2e-spec.ts (black box). Each test file gets its own database (libs/db/src/testing).
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const aliases = swcrc.jsc.paths;

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.{spec,int-spec,medium-spec,e2e-spec}.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, jsc: { ...swcrc.jsc, baseUrl: __dirname, paths: undefined }, swcrc: false }],
    '(content-disposition|@nestjs/bull-shared|@nestjs/bullmq|/feed/).+\\.js$': ['@swc/jest', { module: { type: 'commonjs' }, swcrc: false }],
  },
  // @fastify/static (Swagger UI) depends on an ESM-only content-disposition, and @nestjs/bullmq
  // is ESM-only, as is feed; Node loads them natively, Jest's module sandbox needs
  // them compiled to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!.*(content-disposition|@nestjs/bull-shared|@nestjs/bullmq|feed)/)'],
  moduleNameMapper: Object.fromEntries(
    Object.entries(aliases).map(([alias, [target]]) => [
      `^${alias.replace('*', '(.*)')}$`,
      `<rootDir>/${target.replace('*', '$1')}`,
    ]),
  ),
  globalSetup: '<rootDir>/libs/db/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
