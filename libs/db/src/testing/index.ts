export * from './test-database';
export { TEST_SERVER_URL } from './admin';
export * from './embedded-process';
