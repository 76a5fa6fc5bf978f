// `npm run test:faults`: the fault suite, apart from `npm test` (whose testMatch does not take
// *.faults-spec.ts). It brings its own PostgreSQL and Redis and runs the compiled apps, so it
// needs none of the default run's shared test databases: no global setup or teardown.
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 240000,
  maxWorkers: 1,
};
