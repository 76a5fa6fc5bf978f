export * from './test-database';
export * from './embedded-process';
